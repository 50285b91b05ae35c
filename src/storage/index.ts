// The configured conversation store: SQLite (durable, the default) or memory (tests, throw-away runs).
import { MemoryStorage, type Storage } from 'botbuilder';
import type { Config } from '../config.js';
import { SqliteStorage } from './sqliteStorage.js';

export { SqliteStorage } from './sqliteStorage.js';

export function createStorage(config: Pick<Config, 'storage' | 'sqlitePath' | 'conversationTtlHours'>): Storage & { close?: () => void } {
  if (config.storage === 'memory') return new MemoryStorage();
  return new SqliteStorage({ path: config.sqlitePath, ttlHours: config.conversationTtlHours });
}
