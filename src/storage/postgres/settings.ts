// Settings of the shared PostgreSQL store (STORAGE=postgres). Each has a default that serves a clinic's traffic;
// DATABASE_URL is the only one required. TLS is the connection string's own business (sslmode, sslrootcert, sslcert,
// sslkey), passed through to the driver unchanged, so an operator sets it the way every PostgreSQL client does.
import { z } from 'zod';

const millis = (min: number, max: number) => z.coerce.number({ error: 'must be a number' }).int('must be a whole number')
  .min(min, `must be ${min}–${max}`).max(max, `must be ${min}–${max}`);

export const postgresSchema = {
  DATABASE_URL: z.string().optional(),
  PG_POOL_SIZE: millis(1, 1000).default(10),
  PG_STATEMENT_TIMEOUT_MS: millis(100, 600_000).default(5_000),
  PG_CONNECT_TIMEOUT_MS: millis(100, 600_000).default(5_000),
  PG_TURN_LOCK_WAIT_MS: millis(100, 600_000).default(5_000),
};

export interface PostgresConfig {
  /** postgres://user:password@host:port/db?sslmode=... (a secret: never logged). */
  url: string;
  /** Connections this instance holds at most. */
  poolSize: number;
  /** A statement running longer is cancelled by the server. */
  statementTimeoutMs: number;
  /** Giving up on a new connection after this long (the database is then reported unreachable). */
  connectTimeoutMs: number;
  /** How long a turn waits for another instance's turn of the same conversation before answering 503. */
  turnLockWaitMs: number;
}

type Parsed = z.output<z.ZodObject<typeof postgresSchema>>;

/** The PostgreSQL settings, or a message naming what is wrong. */
export function postgresConfig(e: Parsed): PostgresConfig | string {
  if (!e.DATABASE_URL) return 'DATABASE_URL is required when STORAGE=postgres (postgres://user:password@host:5432/database)';
  let url: URL;
  try {
    url = new URL(e.DATABASE_URL);
  } catch {
    return 'DATABASE_URL must be a postgres:// URL';
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return 'DATABASE_URL must be a postgres:// URL';
  return {
    url: e.DATABASE_URL,
    poolSize: e.PG_POOL_SIZE,
    statementTimeoutMs: e.PG_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: e.PG_CONNECT_TIMEOUT_MS,
    turnLockWaitMs: e.PG_TURN_LOCK_WAIT_MS,
  };
}
