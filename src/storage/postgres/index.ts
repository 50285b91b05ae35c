// The shared PostgreSQL store's building blocks: settings, pool, migrations.
export { createPool, inTransaction, isUnavailable, type Pool, type PoolClient } from './pool.js';
export { migrate, type Migration, type MigrationResult } from './migrate.js';
export { postgresConfig, postgresSchema, type PostgresConfig } from './settings.js';
export { roundTrips } from './roundTrips.js';
