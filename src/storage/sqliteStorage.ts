// botbuilder Storage on an embedded SQLite file: durable across restarts, with real optimistic concurrency (eTags)
// and idle expiry, so a held conversation's answers do not outlive CONVERSATION_TTL_HOURS.
//
// Cost per turn matters (one read and one write each): writes that arrive in the same event-loop pass are committed
// together in one transaction (a commit costs far more than a row), and what this process wrote is served back from
// memory. Both assume this process is the file's only writer, which the per-conversation turn queue needs anyway.
//
// What people told the bot stays private on disk: the folder is created 0700 and the files are 0600; deleted rows are
// overwritten (secure_delete) and a deletion is checkpointed out of the write-ahead log at once. The file is opened in
// exclusive locking mode, so a second process on the same file refuses to start instead of corrupting this one's view.
import { randomBytes, randomUUID } from 'node:crypto';
import { preparePrivateFile } from './privateFile.js';
import Database from 'better-sqlite3';
import type { Storage, StoreItems } from 'botbuilder';

export interface SqliteStorageOptions {
  path: string;
  ttlHours: number;
  /** Rows kept in memory after a read or write (0: none). */
  cacheSize?: number;
  /** Injected in tests to move time forward. */
  now?: () => number;
  /** Told about each failed commit (the log names its SQLite error code). */
  onWriteError?: (err: Error & { code?: string }) => void;
}

/** The store could not be opened: a one-line message naming SQLITE_PATH and what to do. */
export class StorageError extends Error {
  override name = 'StorageError';
}

interface Row { etag: string; data: string; updated: number }
interface PendingWrite { items: { key: string; eTag?: string; data: string }[]; resolve: () => void; reject: (err: Error) => void }

const DEFAULT_CACHE_SIZE = 5_000;
/** Expired rows are removed at most this often: a purge scans the table (there is no index on `updated`). */
const PURGE_INTERVAL_MS = 60_000;

export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly cacheSize: number;
  /** Most recently used last; the oldest goes when full. */
  private readonly recent = new Map<string, Row>();
  private queue: PendingWrite[] = [];
  private readonly queuedKeys = new Set<string>();
  private readonly select: Database.Statement<[string], Row>;
  private readonly upsert: Database.Statement<[string, string, string, number]>;
  private readonly remove: Database.Statement<[string]>;
  private readonly purge: Database.Statement<[number]>;
  /** Commits a batch of queued writes in one transaction, filling `written` and each write's outcome. */
  private readonly commit: (batch: PendingWrite[], now: number, cutoff: number, written: Map<string, Row>, outcomes: (Error | undefined)[]) => void;
  private lastPurge = 0;
  /** The last commit's failure (cleared by the next success): /healthz reports it. */
  private failure: { code: string; at: number } | undefined;
  private readonly onWriteError?: SqliteStorageOptions['onWriteError'];

  constructor(opts: SqliteStorageOptions) {
    this.db = openPrivate(opts.path);
    this.onWriteError = opts.onWriteError;
    this.ttlMs = opts.ttlHours * 3_600_000;
    this.now = opts.now ?? Date.now;
    this.cacheSize = opts.cacheSize ?? DEFAULT_CACHE_SIZE;
    try {
      this.createTable();
    } catch (err) {
      this.db.close();
      throw storageError(opts.path, err);
    }
    this.select = this.db.prepare('SELECT etag, data, updated FROM items WHERE key = ?');
    this.upsert = this.db.prepare('INSERT INTO items (key, etag, data, updated) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, data = excluded.data, updated = excluded.updated');
    this.remove = this.db.prepare('DELETE FROM items WHERE key = ?');
    this.purge = this.db.prepare('DELETE FROM items WHERE updated <= ?');
    // Made once: better-sqlite3 builds four wrapper functions for every transaction() call.
    this.commit = this.db.transaction((batch: PendingWrite[], now: number, cutoff: number, written: Map<string, Row>, outcomes: (Error | undefined)[]) => {
      for (const { items } of batch) {
        const stale = items.find(({ key, eTag }) => {
          if (!eTag || eTag === '*') return false;
          const current = written.get(key) ?? this.row(key);
          // A missing or expired row is no conflict: MemoryStorage writes when there is no old item.
          return current !== undefined && current.updated > cutoff && current.etag !== eTag;
        });
        if (stale) {
          outcomes.push(new Error(`Storage: error writing "${stale.key}" due to eTag conflict.`));
          continue;
        }
        for (const { key, data } of items) {
          const row = { etag: randomUUID(), data, updated: now };
          this.upsert.run(key, row.etag, row.data, row.updated);
          written.set(key, row);
        }
        outcomes.push(undefined);
      }
    });
    this.purgeExpired();
  }

  /**
   * A rowid table: a conversation's state (1-2 KB) fits in its leaf page, where a WITHOUT ROWID table (an earlier
   * layout, moved over here) spills rows over about 1 KB to overflow pages: twice the cost per write, four times per
   * read. The purge, once a minute at most, scans the table instead of keeping an index on `updated` current.
   */
  private createTable(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const columns = '(key TEXT PRIMARY KEY, etag TEXT NOT NULL, data TEXT NOT NULL, updated INTEGER NOT NULL)';
    const existing = this.db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'items'").get() as { sql: string } | undefined;
    if (!existing) this.db.exec(`CREATE TABLE items ${columns}`);
    else if (/WITHOUT ROWID/i.test(existing.sql)) {
      this.db.transaction(() => {
        this.db.exec(`CREATE TABLE items_moving ${columns}`);
        this.db.exec('INSERT INTO items_moving SELECT key, etag, data, updated FROM items');
        this.db.exec('DROP TABLE items');
        this.db.exec('ALTER TABLE items_moving RENAME TO items');
      })();
    }
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (keys.some((k) => this.queuedKeys.has(k))) this.flush();
    const cutoff = this.now() - this.ttlMs;
    const items: StoreItems = {};
    for (const key of keys) {
      const row = this.row(key);
      // An expired row counts as absent; the purge removes it later.
      if (row && row.updated > cutoff) {
        // A fresh copy for the caller to change as it likes: parsed from the row, not copied again.
        const item = JSON.parse(row.data) as Record<string, unknown>;
        item.eTag = row.etag;
        items[key] = item;
      }
    }
    return items;
  }

  /** Resolves once the change is committed. Several calls in one event-loop pass share a transaction, but each is
   * all-or-nothing on its own: an eTag conflict fails that call only. */
  write(changes: StoreItems): Promise<void> {
    // Serialised now: the caller may go on changing its objects before the commit.
    const items = Object.entries(changes).map(([key, item]) => {
      const { eTag, ...data } = (item ?? {}) as { eTag?: string };
      return { key, eTag, data: JSON.stringify(data) };
    });
    return new Promise<void>((resolve, reject) => {
      if (!this.queue.length) setImmediate(() => this.flush());
      this.queue.push({ items, resolve, reject });
      for (const { key } of items) this.queuedKeys.add(key);
    });
  }

  async delete(keys: string[]): Promise<void> {
    // In order: a write queued before this delete must not bring the item back after it.
    this.flush();
    this.db.transaction(() => { for (const key of keys) this.remove.run(key); })();
    for (const key of keys) this.recent.delete(key);
    // secure_delete zeroed the rows in the pages; earlier versions of those pages are still in the WAL until a
    // checkpoint copies the clean ones back and truncates it. Deletions are rare: do it now.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** A random secret kept in this file (not an item: it never expires), made on first use. */
  secret(name: string): string {
    const row = this.db.prepare('SELECT value FROM meta WHERE name = ?').get(name) as { value: string } | undefined;
    if (row) return row.value;
    const value = randomBytes(32).toString('base64url');
    this.db.prepare('INSERT INTO meta (name, value) VALUES (?, ?)').run(name, value);
    return value;
  }

  /** The last commit's failure, until a commit succeeds again. */
  writeFailure(): { code: string; at: number } | undefined {
    return this.failure;
  }

  /** Removes conversations idle for longer than the TTL; returns how many. */
  purgeExpired(): number {
    this.lastPurge = this.now();
    const cutoff = this.lastPurge - this.ttlMs;
    for (const [key, row] of this.recent) if (row.updated <= cutoff) this.recent.delete(key);
    return this.purge.run(cutoff).changes;
  }

  /** Bytes of stored JSON, for the benchmark's memory-per-conversation figure. */
  storedBytes(): { items: number; bytes: number } {
    this.flush();
    return this.db.prepare('SELECT COUNT(*) AS items, COALESCE(SUM(LENGTH(data)), 0) AS bytes FROM items').get() as { items: number; bytes: number };
  }

  close(): void {
    if (!this.db.open) return;
    this.flush();
    this.db.close();
  }

  /** Commits every queued write in one transaction, then settles each caller. */
  private flush(): void {
    if (!this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    this.queuedKeys.clear();
    const now = this.now();
    const cutoff = now - this.ttlMs;
    const written = new Map<string, Row>();
    const outcomes: (Error | undefined)[] = [];
    try {
      this.commit(batch, now, cutoff, written, outcomes);
    } catch (err) {
      // Nothing of the batch was committed, and the memory copy was not touched.
      const e = err as Error & { code?: string };
      this.failure = { code: e.code ?? e.name, at: now };
      this.onWriteError?.(e);
      for (const w of batch) w.reject(e);
      return;
    }
    this.failure = undefined;
    for (const [key, row] of written) this.remember(key, row);
    batch.forEach((w, i) => (outcomes[i] ? w.reject(outcomes[i]) : w.resolve()));
    if (now - this.lastPurge >= PURGE_INTERVAL_MS) this.purgeExpired();
  }

  private row(key: string): Row | undefined {
    const cached = this.recent.get(key);
    if (cached) return cached;
    const row = this.select.get(key);
    if (row) this.remember(key, row);
    return row;
  }

  private remember(key: string, row: Row): void {
    if (this.cacheSize === 0) return;
    this.recent.delete(key);
    this.recent.set(key, row);
    if (this.recent.size > this.cacheSize) this.recent.delete(this.recent.keys().next().value as string);
  }
}

/**
 * Opens the file for this process only, private to its user. Whatever goes wrong (a missing or read-only folder, a file
 * that is not a database, another process holding it) is one StorageError line naming SQLITE_PATH.
 */
function openPrivate(file: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    preparePrivateFile(file);
    // No busy wait: a file held by another process is an error at once, not a five-second stall.
    db = new Database(file, { timeout: 0 });
    // Exclusive before WAL: the lock is taken by the first write below and held until close, and the WAL index lives
    // in this process's memory (no -shm file to share).
    db.pragma('locking_mode = EXCLUSIVE');
    // WAL: readers never wait for the writer; NORMAL sync is durable across process crashes (not power loss).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('secure_delete = ON');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return db;
  } catch (err) {
    db?.close();
    throw storageError(file, err);
  }
}


function storageError(file: string, err: unknown): StorageError {
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? e.name;
  const why = code === 'SQLITE_BUSY'
    ? 'the file is in use by another process (one server process per SQLite file; stop the other one or use another SQLITE_PATH)'
    : code === 'SQLITE_READONLY' || code === 'EACCES' || code === 'EROFS' || code === 'EPERM'
      ? 'the file or its folder is not writable by this user'
      : code === 'SQLITE_CANTOPEN' || code === 'ENOENT' || code === 'ENOTDIR'
        ? 'the file cannot be created or opened there'
        : e.message.split('\n')[0];
  return new StorageError(`SQLITE_PATH "${file}": ${why} (${code})`);
}
