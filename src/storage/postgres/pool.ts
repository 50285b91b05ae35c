// One connection pool per instance, shared by every store that lives in PostgreSQL (conversation state, the local
// Direct Line, intake records, alerts, audit). The driver is loaded here only, so a SQLite deployment never pays for it.
import type { Pool, PoolClient } from 'pg';
import type { PostgresConfig } from './settings.js';
import { countRoundTrips } from './roundTrips.js';

export type { Pool, PoolClient };

export function createPool(config: PostgresConfig): Pool {
  const { Pool: PgPool } = require('pg') as typeof import('pg');
  const pool = new PgPool({
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: config.connectTimeoutMs,
    // Enforced by the server, so a stuck statement ends even if this process is busy.
    statement_timeout: config.statementTimeoutMs,
    // Idle connections are closed after a while and re-opened on demand.
    idleTimeoutMillis: 30_000,
    application_name: 'triage-bot',
  });
  // An idle client's connection dropping (database restart, network) must not crash the process: the pool discards
  // the client and the next query opens a new connection.
  pool.on('error', () => undefined);
  // The same for a client in use (checked out for a transaction) when its connection drops: the driver fails its
  // queries, which is how the caller learns of it; without a listener the 'error' event would end the process.
  pool.on('connect', (client) => { client.on('error', () => undefined); });
  countRoundTrips(pool);
  return pool;
}

/** Runs `fn` in a transaction on one pooled connection: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    broken = await client.query('ROLLBACK').then(() => false, () => true);
    throw err;
  } finally {
    // A connection whose rollback failed is in an unknown state: destroy it rather than hand it to the next caller.
    client.release(broken);
  }
}

/** Error codes that mean "the database is not reachable now" (retry later), not "this request is wrong". */
export function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code ?? '';
  const message = (err as Error | undefined)?.message ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '53300'].includes(code)
    || /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}
