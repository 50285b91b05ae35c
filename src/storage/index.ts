// The configured conversation store: SQLite (durable, the default) or memory (tests, throw-away runs).
import type { Storage } from 'botbuilder';
import type { Config } from '../config.js';
import { SqliteStorage, type SqliteStorageOptions } from './sqliteStorage.js';

export { SqliteStorage, StorageError } from './sqliteStorage.js';

export type ConversationStorage = Storage & {
  close?: () => void;
  /** A random secret that lasts as long as the stored conversations do (kept in the file for SQLite). */
  secret?: (name: string) => string;
  /** The last failed commit's error code, until a commit succeeds. */
  writeFailure?: () => { code: string; at: number } | undefined;
};

export function createStorage(
  config: Pick<Config, 'storage' | 'sqlitePath' | 'conversationTtlHours'>,
  onWriteError?: SqliteStorageOptions['onWriteError'],
): ConversationStorage {
  if (config.storage === 'memory') {
    // The SDK's in-memory store, loaded only for it: the SQLite store needs nothing of the SDK at start-up.
    const { MemoryStorage } = require('botbuilder') as typeof import('botbuilder');
    return new MemoryStorage();
  }
  return new SqliteStorage({ path: config.sqlitePath, ttlHours: config.conversationTtlHours, onWriteError });
}
