// STORAGE=postgres at start: the instance's one pool, and the schema migrated before it listens. A database that is not
// up yet (started with the instances, restarting) is waited for, then the start fails with one line.
import { createPool, isUnavailable, migrate, type Pool } from '../storage/postgres/index.js';
import type { PostgresConfig } from '../storage/postgres/settings.js';

/** How long a start waits for the database before giving up (an orchestrator then restarts the instance). */
export const START_WAIT_MS = 30_000;
const RETRY_EVERY_MS = 1_000;

export class DatabaseStartError extends Error {
  override name = 'DatabaseStartError';
}

export async function openDatabase(config: PostgresConfig, waitMs = START_WAIT_MS, onWait?: (code: string) => void): Promise<Pool> {
  const pool = createPool(config);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await migrate(pool);
      return pool;
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).name;
      if (!isUnavailable(err) || Date.now() + RETRY_EVERY_MS > deadline) {
        await pool.end().catch(() => undefined);
        // The URL is a secret (password): never in the message.
        throw new DatabaseStartError(isUnavailable(err)
          ? `DATABASE_URL: the database did not answer within ${Math.round(waitMs / 1000)} s (${code}); check that it is running and reachable`
          : `DATABASE_URL: ${(err as Error).message.split('\n')[0]} (${code})`);
      }
      onWait?.(code);
      await new Promise((r) => setTimeout(r, RETRY_EVERY_MS));
    }
  }
}
