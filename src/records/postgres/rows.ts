// Queries of the records tables. Times and sequence numbers are bigint columns, which the driver returns as strings
// (they may exceed 2^53 in general); ours are epoch milliseconds and counters, well inside it, so they become numbers.
import type { Pool, PoolClient } from '../../storage/postgres/pool.js';

export type Queryable = Pool | PoolClient;

const NUMERIC = new Set(['created', 'updated', 'expires', 'withdrawn', 'next', 'delivered', 'seq', 'at', 'seen', 'last_used', 'lease_until', 'tokens']);

export async function rows<T>(db: Queryable, text: string, values: unknown[] = []): Promise<T[]> {
  const res = await db.query(text, values);
  for (const row of res.rows as Record<string, unknown>[]) {
    for (const k of Object.keys(row)) if (NUMERIC.has(k) && typeof row[k] === 'string') row[k] = Number(row[k]);
  }
  return res.rows as T[];
}

export async function one<T>(db: Queryable, text: string, values: unknown[] = []): Promise<T | undefined> {
  return (await rows<T>(db, text, values))[0];
}

export async function changed(db: Queryable, text: string, values: unknown[] = []): Promise<number> {
  return (await db.query(text, values)).rowCount ?? 0;
}
