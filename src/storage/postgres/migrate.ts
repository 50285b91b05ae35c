// Versioned schema migrations: applied at start (every instance may try; one does the work) or by `npm run migrate`.
// Each runs in its own transaction with its version recorded in the same transaction, so a failed migration leaves
// nothing half-applied, and an instance that starts during another's migration waits for it on an advisory lock.
import type { Pool } from './pool.js';
import { MIGRATIONS } from './migrations/index.js';

export interface Migration {
  version: number;
  /** What it does, in a few words (kept in schema_migrations for operators). */
  name: string;
  /** SQL statements, run in one transaction. */
  sql: string;
}

/** Key of the advisory lock that serialises migrations across instances (any fixed number unique to this purpose). */
const MIGRATION_LOCK = 7_205_113_001;

export interface MigrationResult { applied: number[]; current: number }

export async function migrate(pool: Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  checkOrder(migrations);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      const knownVersions = new Set(migrations.map((m) => m.version));
      const unknown = [...done].filter((v) => !knownVersions.has(v)).sort((a, b) => a - b);
      if (unknown.length) {
        throw new Error(`the database's schema has migrations this release does not know (${unknown.join(', ')}): it is newer than this release; run the newer release`);
      }
      const newest = Math.max(0, ...done);
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}`);
        }
        applied.push(m.version);
      }
      return { applied, current: Math.max(newest, ...applied) };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** Versions only grow down the list (gaps are allowed: each store was given its own range of numbers). */
function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const before = migrations[i - 1];
    if (before && m.version <= before.version) throw new Error(`migration list out of order: version ${m.version} after ${before.version}`);
  });
}
