// The local Direct Line shared by every instance (versions 200–299): conversations with their per-conversation
// activity counter, tokens (only their SHA-256: a stolen backup grants nothing), and each conversation's activities.
import type { Migration } from '../migrate.js';

export const DIRECTLINE_MIGRATIONS: readonly Migration[] = [
  {
    version: 200,
    name: 'local Direct Line conversations, tokens, activities',
    sql: `
      CREATE TABLE directline_conversations (
        id text PRIMARY KEY,
        user_id text NOT NULL,
        started boolean NOT NULL DEFAULT false,
        -- The next activity's sequence number: watermarks count every activity ever appended, erased ones included.
        next_seq integer NOT NULL DEFAULT 0,
        -- Activities and bytes still kept (what the per-conversation caps count).
        activity_count integer NOT NULL DEFAULT 0,
        bytes integer NOT NULL DEFAULT 0,
        last_used timestamptz NOT NULL DEFAULT now(),
        -- Set by "delete my data": the conversation takes no more messages and goes once the bot's confirmation is read.
        closing_since timestamptz,
        closing_replied boolean NOT NULL DEFAULT false
      );
      CREATE INDEX directline_conversations_last_used ON directline_conversations (last_used);
      CREATE TABLE directline_tokens (
        hash bytea PRIMARY KEY,
        conversation_id text NOT NULL REFERENCES directline_conversations (id) ON DELETE CASCADE,
        issued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX directline_tokens_conversation ON directline_tokens (conversation_id, issued_at);
      CREATE INDEX directline_tokens_expires ON directline_tokens (expires_at);
      CREATE TABLE directline_activities (
        conversation_id text NOT NULL REFERENCES directline_conversations (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        at timestamptz NOT NULL,
        -- The activity as JSON text, without its id, timestamp and conversation (made from the columns when read).
        body text NOT NULL,
        PRIMARY KEY (conversation_id, seq)
      );
      -- Secrets every instance must share (the web chat's delete key), made once by whichever instance asks first.
      CREATE TABLE directline_secrets (
        name text PRIMARY KEY,
        value text NOT NULL
      );
    `,
  },
];
