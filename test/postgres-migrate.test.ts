// Schema migrations on a real PostgreSQL server: applied once, safe when instances start together, refused when the
// database is newer than the release, and available to operators as `npm run migrate`.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createPool, migrate, type Migration, type Pool } from '../src/storage/postgres/index.js';
import { startTestDatabase, type TestDatabase } from './postgres-cluster.js';

const run = promisify(execFile);
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await startTestDatabase();
  pool = createPool({ url: db.url, poolSize: 4, statementTimeoutMs: 5000, connectTimeoutMs: 5000, turnLockWaitMs: 5000 });
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await db?.remove();
});

const notes: Migration[] = [
  { version: 1, name: 'notes', sql: 'CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)' },
  { version: 2, name: 'notes author', sql: 'ALTER TABLE notes ADD COLUMN author text' },
];

describe('PostgreSQL migrations', () => {
  it('applies what the database lacks, once, even when several instances start at the same moment', async () => {
    const results = await Promise.all([migrate(pool, notes), migrate(pool, notes), migrate(pool, notes)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual([1, 2]);
    expect(results.every((r) => r.current === 2)).toBe(true);
    const { rows } = await pool.query('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(rows).toEqual([{ version: 1, name: 'notes' }, { version: 2, name: 'notes author' }]);
    await pool.query("INSERT INTO notes (body, author) VALUES ('x', 'y')");
    expect((await migrate(pool, notes)).applied).toEqual([]);
  });

  it('leaves nothing half-applied when a migration fails, and names it', async () => {
    const broken = [...notes, { version: 3, name: 'bad', sql: 'CREATE TABLE half (id int); SELECT no_such_function()' }];
    await expect(migrate(pool, broken)).rejects.toThrow(/migration 3 \(bad\) failed/);
    const { rows } = await pool.query("SELECT to_regclass('half') AS t, (SELECT max(version) FROM schema_migrations) AS v");
    expect(rows[0]).toEqual({ t: null, v: 2 });
  });

  it('refuses a database whose schema is newer than this release', async () => {
    await expect(migrate(pool, notes.slice(0, 1))).rejects.toThrow(/newer than this release/);
  });

  it('npm run migrate brings the database to the release schema and says so', async () => {
    const env = { ...process.env, STORAGE: 'postgres', DATABASE_URL: db.url };
    const script = path.join(__dirname, '..', 'scripts', 'migrate.ts');
    const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
    // A database of its own: the one above carries this file's test-only versions.
    const fresh = await startTestDatabase();
    try {
      const { stdout } = await run(tsx, [script], { env: { ...env, DATABASE_URL: fresh.url } });
      expect(stdout).toMatch(/applied migrations|schema is current/);
      const again = await run(tsx, [script], { env: { ...env, DATABASE_URL: fresh.url } });
      expect(again.stdout).toMatch(/schema is current \(version \d+\)/);
    } finally {
      await fresh.remove();
    }
  }, 120_000);

  it('STORAGE=postgres needs a postgres:// DATABASE_URL; settings have bounds', () => {
    expect(() => loadConfig({ STORAGE: 'postgres' })).toThrow(/DATABASE_URL is required when STORAGE=postgres/);
    expect(() => loadConfig({ STORAGE: 'postgres', DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL must be a postgres:\/\/ URL/);
    expect(() => loadConfig({ STORAGE: 'postgres', DATABASE_URL: 'postgres://h/db', PG_POOL_SIZE: '0' })).toThrow(/PG_POOL_SIZE must be 1–1000/);
    const config = loadConfig({ STORAGE: 'postgres', DATABASE_URL: 'postgres://u:p@h:5432/db?sslmode=verify-full', PG_POOL_SIZE: '20' });
    expect(config.postgres).toMatchObject({ url: 'postgres://u:p@h:5432/db?sslmode=verify-full', poolSize: 20, statementTimeoutMs: 5000 });
    expect(loadConfig({}).postgres).toBeUndefined();
  });
});
