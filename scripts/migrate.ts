// npm run migrate: applies the PostgreSQL schema migrations that DATABASE_URL's database lacks, then exits.
// Instances also migrate at start; this is for operators who migrate before rolling out a release.
import { loadConfigOrExit } from '../src/config.js';
import { createPool, migrate } from '../src/storage/postgres/index.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.postgres) fail('npm run migrate works on PostgreSQL: set STORAGE=postgres and DATABASE_URL');
  const pool = createPool(config.postgres);
  try {
    const { applied, current } = await migrate(pool);
    process.stdout.write(applied.length
      ? `applied migrations ${applied.join(', ')}; schema version ${current}\n`
      : `schema is current (version ${current})\n`);
  } catch (err) {
    fail(`migration failed: ${(err as Error).message}`);
  } finally {
    await pool.end();
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

void main();
