// botbuilder Storage on an embedded SQLite file: durable across restarts, with real optimistic concurrency (eTags)
// and idle expiry, so a held conversation's answers do not outlive CONVERSATION_TTL_HOURS.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Storage, StoreItems } from 'botbuilder';

export interface SqliteStorageOptions {
  path: string;
  ttlHours: number;
  /** Injected in tests to move time forward. */
  now?: () => number;
}

export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly select: Database.Statement<[string, number], { etag: string; data: string }>;
  private readonly selectEtag: Database.Statement<[string], { etag: string }>;
  private readonly upsert: Database.Statement<[string, string, string, number]>;
  private readonly remove: Database.Statement<[string]>;
  private readonly purge: Database.Statement<[number]>;
  private writes = 0;

  constructor(opts: SqliteStorageOptions) {
    if (opts.path !== ':memory:') mkdirSync(path.dirname(path.resolve(opts.path)), { recursive: true });
    this.db = new Database(opts.path);
    // WAL: readers never wait for the writer; NORMAL sync is durable across process crashes (not power loss).
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // One b-tree keyed by the conversation: a turn's write touches a single page path. The purge, every 500 writes,
    // scans the table instead of keeping an index on `updated` current on every turn.
    this.db.exec('CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, etag TEXT NOT NULL, data TEXT NOT NULL, updated INTEGER NOT NULL) WITHOUT ROWID');
    this.ttlMs = opts.ttlHours * 3_600_000;
    this.now = opts.now ?? Date.now;
    this.select = this.db.prepare('SELECT etag, data FROM items WHERE key = ? AND updated > ?');
    this.selectEtag = this.db.prepare('SELECT etag FROM items WHERE key = ?');
    this.upsert = this.db.prepare('INSERT INTO items (key, etag, data, updated) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, data = excluded.data, updated = excluded.updated');
    this.remove = this.db.prepare('DELETE FROM items WHERE key = ?');
    this.purge = this.db.prepare('DELETE FROM items WHERE updated <= ?');
    this.purgeExpired();
  }

  async read(keys: string[]): Promise<StoreItems> {
    const cutoff = this.now() - this.ttlMs;
    const items: StoreItems = {};
    for (const key of keys) {
      const row = this.select.get(key, cutoff);
      if (row) items[key] = { ...JSON.parse(row.data), eTag: row.etag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    const now = this.now();
    const cutoff = now - this.ttlMs;
    // One transaction: either every change is written or, on an eTag conflict, none is.
    this.db.transaction(() => {
      for (const [key, item] of Object.entries(changes)) {
        const { eTag, ...data } = (item ?? {}) as { eTag?: string };
        if (eTag && eTag !== '*') {
          const current = this.selectEtag.get(key);
          // An expired row counts as absent, like a missing one: MemoryStorage writes when there is no old item.
          const live = current && this.select.get(key, cutoff);
          if (live && current.etag !== eTag) throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
        }
        this.upsert.run(key, randomUUID(), JSON.stringify(data), now);
      }
    })();
    if (++this.writes % 500 === 0) this.purgeExpired();
  }

  async delete(keys: string[]): Promise<void> {
    this.db.transaction(() => { for (const key of keys) this.remove.run(key); })();
  }

  /** Removes conversations idle for longer than the TTL; returns how many. */
  purgeExpired(): number {
    return this.purge.run(this.now() - this.ttlMs).changes;
  }

  /** Bytes of stored JSON, for the benchmark's memory-per-conversation figure. */
  storedBytes(): { items: number; bytes: number } {
    const r = this.db.prepare('SELECT COUNT(*) AS items, COALESCE(SUM(LENGTH(data)), 0) AS bytes FROM items').get() as { items: number; bytes: number };
    return r;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
