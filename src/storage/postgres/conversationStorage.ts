// Conversation state in the shared PostgreSQL database (STORAGE=postgres), for any number of instances.
//
// A turn holds its conversation for its whole length, across instances: a transaction-scoped advisory lock on the
// conversation's key, waited for at most PG_TURN_LOCK_WAIT_MS. Two round trips per turn: BEGIN, the lock and the read
// go in one simple-protocol message (literals escaped by the driver), the write and COMMIT in another. The write
// checks the version it read (optimistic concurrency), so even a writer that bypassed the lock cannot be overwritten.
import { createHmac, randomBytes } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { TurnUnavailable } from '../turnUnavailable.js';
import { isUnavailable } from './pool.js';

export interface PostgresConversationOptions {
  ttlHours: number;
  /** How long a turn waits for the same conversation's turn on another instance. */
  turnLockWaitMs: number;
  /** Injected in tests to move time forward. */
  now?: () => number;
  /** Told when the database did not answer (health reporting). */
  onUnavailable?: (err: Error & { code?: string }) => void;
  /** Told when a query succeeded after all. */
  onAnswered?: () => void;
}

interface Row { version: string; data: string; updated: string }

/** Expired rows are purged this often, by whichever instance claims the purge first. */
export const PURGE_INTERVAL_MS = 60_000;
/** A turn left open this long (a hung outbound call) is ended by the server, releasing its conversation. */
const IDLE_IN_TURN_MS = 60_000;

/** One turn's hold on its conversation: the state as read under the lock, and the write that ends it. */
export class ConversationTurn {
  finished = false;

  constructor(
    private readonly store: PostgresConversationStorage,
    private readonly client: PoolClient,
    readonly key: string,
    /** The version read (0: no row). */
    private readonly version: number,
    /** The stored JSON, or undefined when absent or expired. */
    private readonly data: string | undefined,
  ) {}

  /** The conversation's state as read under the lock (a fresh object each call). */
  state(): Record<string, unknown> {
    return this.data ? JSON.parse(this.data) : {};
  }

  /** Writes the state, if still at the version read, and commits: the turn's second round trip. */
  async write(state: Record<string, unknown>): Promise<void> {
    const { eTag: _drop, ...data } = state;
    const sql = `${upsertSql(this.client, this.key, this.version, JSON.stringify(data), this.store.now())}; COMMIT`;
    const results = await this.end(sql);
    if (results[0]!.rowCount === 0) throw new TurnUnavailable('conflict', 1, 'VERSION_CONFLICT');
  }

  /** Deletes the conversation and commits. */
  async remove(): Promise<void> {
    await this.end(`DELETE FROM conversation_state WHERE key = ${this.client.escapeLiteral(this.key)}; COMMIT`);
  }

  /** Ends a turn that wrote nothing. */
  async commit(): Promise<void> {
    await this.end('COMMIT');
  }

  private async end(sql: string): Promise<QueryResult[]> {
    this.finished = true;
    return this.store.answered(asList(await this.client.query(sql)));
  }
}

export class PostgresConversationStorage implements Storage {
  readonly now: () => number;
  private readonly ttlMs: number;
  private master = '';
  private purgeTimer?: NodeJS.Timeout;

  /** Resolves once the database's secret is loaded (made by the first instance): await it before serving. */
  readonly ready: Promise<void>;

  constructor(private readonly pool: Pool, private readonly opts: PostgresConversationOptions) {
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.ttlHours * 3_600_000;
    this.ready = this.loadSecret();
    // Each instance tries at its own moment within the interval; the claim lets one of them do it.
    this.purgeTimer = setInterval(() => void this.purgeExpired().catch(() => undefined), PURGE_INTERVAL_MS + Math.floor(Math.random() * 10_000));
    this.purgeTimer.unref();
  }

  private async loadSecret(): Promise<void> {
    const { rows } = await this.query<{ value: string }>(
      `WITH made AS (INSERT INTO conversation_secret (id, value) VALUES (1, $1) ON CONFLICT (id) DO NOTHING RETURNING value)
       SELECT value FROM made UNION ALL SELECT value FROM conversation_secret WHERE id = 1`, [randomBytes(32).toString('base64url')]);
    // Two instances starting at once: the one whose insert waited saw neither row in its statement's snapshot.
    this.master = rows[0]?.value ?? (await this.query<{ value: string }>('SELECT value FROM conversation_secret WHERE id = 1', [])).rows[0]!.value;
  }

  /**
   * Runs `fn` holding the conversation `key` on every instance. Refused with TurnUnavailable when the database does
   * not answer or the other instance's turn lasts longer than the wait; `fn` then has not run.
   */
  async turn<T>(key: string, fn: (turn: ConversationTurn) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.refusal(err);
    }
    // A connection dropping while checked out (a database restart mid-turn) fails the query in hand; the client's
    // error event must not also crash the process (the pool listens only while the client is idle).
    const ignore = () => undefined;
    client.on('error', ignore);
    let broken = false;
    let turn: ConversationTurn | undefined;
    try {
      const literal = client.escapeLiteral(key);
      let read: QueryResult<Row>;
      try {
        const results = asList(await client.query(`BEGIN; SET LOCAL lock_timeout = ${this.opts.turnLockWaitMs};
          SET LOCAL idle_in_transaction_session_timeout = ${IDLE_IN_TURN_MS};
          SELECT pg_advisory_xact_lock(hashtextextended(${literal}, 0));
          SELECT version, data, updated FROM conversation_state WHERE key = ${literal}`));
        read = this.answered(results)[4] as QueryResult<Row>;
      } catch (err) {
        throw this.refusal(err);
      }
      const row = read.rows[0];
      const fresh = row && Number(row.updated) > this.now() - this.ttlMs;
      turn = new ConversationTurn(this, client, key, row ? Number(row.version) : 0, fresh ? row.data : undefined);
      const result = await fn(turn);
      if (!turn.finished) await turn.commit();
      return result;
    } catch (err) {
      if (turn?.finished !== true || !(err instanceof TurnUnavailable)) {
        broken = await client.query('ROLLBACK').then(() => false, () => true);
      }
      throw err instanceof TurnUnavailable ? err : this.refusal(err, false);
    } finally {
      client.removeListener('error', ignore);
      client.release(broken);
    }
  }

  async read(keys: string[]): Promise<StoreItems> {
    const { rows } = await this.query<Row & { key: string }>('SELECT key, version, data, updated FROM conversation_state WHERE key = ANY($1)', [keys]);
    const cutoff = this.now() - this.ttlMs;
    const items: StoreItems = {};
    for (const row of rows) if (Number(row.updated) > cutoff) items[row.key] = { ...JSON.parse(row.data), eTag: row.version };
    return items;
  }

  /** Outside a turn: eTag '*' (or none) writes whatever is there; another eTag must be the stored version. */
  async write(changes: StoreItems): Promise<void> {
    for (const [key, item] of Object.entries(changes)) {
      const { eTag, ...data } = (item ?? {}) as { eTag?: string };
      const version = !eTag || eTag === '*' ? undefined : Number(eTag);
      const { rowCount } = await this.query(version === undefined
        ? `INSERT INTO conversation_state (key, version, data, updated) VALUES ($1, 1, $2, $3)
           ON CONFLICT (key) DO UPDATE SET version = conversation_state.version + 1, data = excluded.data, updated = excluded.updated`
        : `INSERT INTO conversation_state (key, version, data, updated) VALUES ($1, $4::bigint + 1, $2, $3)
           ON CONFLICT (key) DO UPDATE SET version = excluded.version, data = excluded.data, updated = excluded.updated
           WHERE conversation_state.version = $4`,
      version === undefined ? [key, JSON.stringify(data), this.now()] : [key, JSON.stringify(data), this.now(), version]);
      if (rowCount === 0) throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
    }
  }

  async delete(keys: string[]): Promise<void> {
    await this.query('DELETE FROM conversation_state WHERE key = ANY($1)', [keys]);
  }

  /** A named secret, the same on every instance (derived from the database's one random secret). */
  secret(name: string): string {
    if (!this.master) throw new Error('the conversation store is not ready: await its `ready` before serving');
    return createHmac('sha256', this.master).update(name).digest('base64url');
  }

  /**
   * Removes conversations idle for longer than the TTL, unless another instance did within the interval; returns
   * how many. The claim is one row: instances that try at once queue on it, and only the first moves it forward.
   */
  async purgeExpired(force = false): Promise<number> {
    const now = this.now();
    const { rowCount } = await this.query(
      `WITH claim AS (UPDATE conversation_purge SET last_run = $1 WHERE id = 1 AND last_run <= $2 RETURNING 1)
       DELETE FROM conversation_state WHERE updated <= $3 AND EXISTS (SELECT 1 FROM claim)`,
      [now, force ? now : now - PURGE_INTERVAL_MS, now - this.ttlMs]);
    return rowCount ?? 0;
  }

  /** Stops the purge timer (the pool belongs to the process and is ended there). */
  close(): void {
    clearInterval(this.purgeTimer);
  }

  /** Records that the database answered; returns what it was given. */
  answered<T>(value: T): T {
    this.opts.onAnswered?.();
    return value;
  }

  private async query<R extends object>(sql: string, params: unknown[]): Promise<QueryResult<R>> {
    try {
      return this.answered(await this.pool.query<R>(sql, params));
    } catch (err) {
      if (isUnavailable(err)) this.opts.onUnavailable?.(err as Error);
      throw err;
    }
  }

  /** A database that did not answer, or a lock wait that ran out, becomes a refusal the channel retries. */
  private refusal(err: unknown, lockPhase = true): Error {
    const code = (err as { code?: string }).code ?? (err as Error).name;
    if (lockPhase && (code === '55P03' || code === '57014')) return new TurnUnavailable('busy', 1, code);
    // A connection lost, a server shutting down (57P0x) or a statement cancelled at the commit: nothing of the turn
    // is known to be kept, so the channel sends it again.
    if (isUnavailable(err) || (!lockPhase && /^57/.test(code))) {
      this.opts.onUnavailable?.(err as Error);
      return new TurnUnavailable('database', 5, code);
    }
    return err as Error;
  }
}

/** The turn's write: insert when absent, or update only at the version read. */
function upsertSql(client: PoolClient, key: string, version: number, data: string, now: number): string {
  return `INSERT INTO conversation_state (key, version, data, updated)
    VALUES (${client.escapeLiteral(key)}, ${version + 1}, ${client.escapeLiteral(data)}, ${Math.floor(now)})
    ON CONFLICT (key) DO UPDATE SET version = excluded.version, data = excluded.data, updated = excluded.updated
    WHERE conversation_state.version = ${version}`;
}

/** A multi-statement query answers with a list of results; a single one with one result. */
function asList(result: QueryResult | QueryResult[]): QueryResult[] {
  return Array.isArray(result) ? result : [result];
}
