// Database round trips of one instance, counted on every connection its pool opens: an ordinary turn may cost two,
// and the tests and the benchmark read this counter to hold it. A query is one round trip whatever it holds (several
// statements in one simple-protocol message, or one parameterised statement).
import type { Pool, PoolClient } from 'pg';

const counters = new WeakMap<Pool, { n: number }>();

export function countRoundTrips(pool: Pool): void {
  const counter = { n: 0 };
  counters.set(pool, counter);
  pool.on('connect', (client: PoolClient) => {
    const query = client.query;
    client.query = function countedQuery(this: PoolClient, ...args: unknown[]) {
      counter.n++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as PoolClient['query'];
  });
}

/** Queries sent through this pool since it was created. */
export function roundTrips(pool: Pool): number {
  return counters.get(pool)?.n ?? 0;
}
