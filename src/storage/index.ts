// The configured conversation store: SQLite (durable, the default), memory (tests, throw-away runs) or PostgreSQL
// (STORAGE=postgres: shared by any number of instances).
import type { Storage } from 'botbuilder';
import type { Config } from '../config.js';
import { SqliteStorage, type SqliteStorageOptions } from './sqliteStorage.js';
// The PostgreSQL store needs only the driver's types: the driver itself is loaded by the pool (STORAGE=postgres only).
import { PostgresConversationStorage, type PostgresConversationOptions } from './postgres/conversationStorage.js';
import type { Pool } from './postgres/pool.js';

export { SqliteStorage, StorageError } from './sqliteStorage.js';
export { TurnUnavailable } from './turnUnavailable.js';
export type { ConversationTurn } from './postgres/conversationStorage.js';
import type { ConversationTurn } from './postgres/conversationStorage.js';

export type ConversationStorage = Storage & {
  close?: () => void;
  /** A random secret that lasts as long as the stored conversations do (kept in the file for SQLite). */
  secret?: (name: string) => string;
  /** The last failed commit's error code, until a commit succeeds. */
  writeFailure?: () => { code: string; at: number } | undefined;
  /** Shared stores: runs a turn holding its conversation on every instance (its state read and written through it). */
  turn?: <T>(key: string, fn: (turn: ConversationTurn) => Promise<T>) => Promise<T>;
  /** Shared stores: resolves once the store can serve. */
  ready?: Promise<void>;
};

/** STORAGE=postgres: the instance's pool, and who hears that the database went silent or answered. */
export type SharedStoreOptions = { pool: Pool } & Pick<PostgresConversationOptions, 'onUnavailable' | 'onAnswered'>;

export function createStorage(
  config: Pick<Config, 'storage' | 'sqlitePath' | 'conversationTtlHours' | 'postgres'>,
  onWriteError?: SqliteStorageOptions['onWriteError'],
  shared?: SharedStoreOptions,
): ConversationStorage {
  if (config.storage === 'memory') {
    // The SDK's in-memory store, loaded only for it: the SQLite store needs nothing of the SDK at start-up.
    const { MemoryStorage } = require('botbuilder') as typeof import('botbuilder');
    return new MemoryStorage();
  }
  if (config.storage === 'postgres') {
    if (!shared || !config.postgres) throw new Error('STORAGE=postgres needs the instance\'s pool (created in main.ts)');
    return new PostgresConversationStorage(shared.pool, {
      ttlHours: config.conversationTtlHours, turnLockWaitMs: config.postgres.turnLockWaitMs,
      onUnavailable: shared.onUnavailable, onAnswered: shared.onAnswered,
    });
  }
  return new SqliteStorage({ path: config.sqlitePath, ttlHours: config.conversationTtlHours, onWriteError });
}
