// A migrated PostgreSQL database (its own throw-away cluster, see postgres-cluster.ts) and a pool on it, for the
// local Direct Line's tests on the shared store.
import { createPool, migrate, type Pool } from '../src/storage/postgres/index.js';
import { startTestDatabase, type TestDatabase } from './postgres-cluster.js';

export interface DirectLineDatabase {
  db: TestDatabase;
  /** A pool as one instance holds it; `newPool()` gives another instance its own. */
  pool: Pool;
  newPool(): Pool;
  close(): Promise<void>;
}

export async function startDirectLineDatabase(): Promise<DirectLineDatabase> {
  const db = await startTestDatabase();
  const pools: Pool[] = [];
  // Short connect timeout: the tests that stop the server expect 503s promptly.
  const newPool = () => {
    const p = createPool({ url: db.url, poolSize: 4, statementTimeoutMs: 5_000, connectTimeoutMs: 1_000, turnLockWaitMs: 5_000 });
    pools.push(p);
    return p;
  };
  const pool = newPool();
  await migrate(pool);
  return {
    db, pool, newPool,
    close: async () => {
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      await db.remove();
    },
  };
}
