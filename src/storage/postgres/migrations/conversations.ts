// Conversation state (range 100–199): one row per conversation, its version checked on every update (optimistic
// concurrency), `updated` in the application's milliseconds so idle expiry follows the same clock as SQLite's.
import type { Migration } from '../migrate.js';

export const CONVERSATION_MIGRATIONS: readonly Migration[] = [
  {
    version: 100,
    name: 'conversation state, shared secret, purge claim',
    sql: `
      CREATE TABLE conversation_state (
        key text PRIMARY KEY,
        version bigint NOT NULL,
        data text NOT NULL,
        updated bigint NOT NULL
      );
      -- The TTL purge deletes by age: an index, so it reads only the expired rows.
      CREATE INDEX conversation_state_updated ON conversation_state (updated);
      -- One random secret per database; every named secret is derived from it, so all instances agree.
      CREATE TABLE conversation_secret (id smallint PRIMARY KEY CHECK (id = 1), value text NOT NULL);
      -- Which instance purges next: the one whose claim moves last_run forward.
      CREATE TABLE conversation_purge (id smallint PRIMARY KEY CHECK (id = 1), last_run bigint NOT NULL);
      INSERT INTO conversation_purge (id, last_run) VALUES (1, 0);
    `,
  },
];
