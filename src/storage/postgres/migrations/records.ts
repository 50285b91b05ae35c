// Intake records, staff accounts with their tokens and sessions, the audit trail and the alert outbox (versions
// 300–399). The same columns as the SQLite records file (src/records/db.ts), so both stores read rows the same way;
// times are epoch milliseconds. Table names carry their purpose, since other stores share the database.
import type { Migration } from '../migrate.js';

export const RECORDS_MIGRATIONS: readonly Migration[] = [
  {
    version: 300,
    name: 'intake records, staff, audit trail, alert outbox',
    sql: `
CREATE TABLE intake_records (
  ref text PRIMARY KEY,
  centre text NOT NULL,
  created bigint NOT NULL,
  updated bigint NOT NULL,
  expires bigint NOT NULL,
  status text NOT NULL CHECK (status IN ('new', 'reviewed', 'withdrawn')),
  level text,
  level_rank integer NOT NULL,
  channel text NOT NULL,
  source text NOT NULL,
  conversation text,
  client_reference text,
  knowledge_version text,
  consent text NOT NULL,
  content text,
  reviews text NOT NULL DEFAULT '[]',
  withdrawn bigint
);
CREATE INDEX intake_records_queue ON intake_records (centre, level_rank DESC, created DESC);
CREATE INDEX intake_records_expiry ON intake_records (expires);
CREATE INDEX intake_records_conversation ON intake_records (conversation);

CREATE TABLE staff_accounts (
  name text PRIMARY KEY,
  centre text NOT NULL,
  admin boolean NOT NULL,
  hash text NOT NULL,
  created bigint NOT NULL,
  updated bigint NOT NULL
);
CREATE TABLE staff_tokens (
  hash text PRIMARY KEY,
  name text NOT NULL REFERENCES staff_accounts (name) ON DELETE CASCADE,
  label text NOT NULL,
  created bigint NOT NULL,
  last_used bigint
);
CREATE INDEX staff_tokens_name ON staff_tokens (name);
CREATE TABLE staff_sessions (
  hash text PRIMARY KEY,
  name text NOT NULL REFERENCES staff_accounts (name) ON DELETE CASCADE,
  created bigint NOT NULL,
  seen bigint NOT NULL,
  expires bigint NOT NULL
);
CREATE INDEX staff_sessions_name ON staff_sessions (name);

CREATE TABLE intake_audit (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at bigint NOT NULL,
  centre text,
  actor text NOT NULL,
  action text NOT NULL,
  ref text,
  detail text,
  prev text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX intake_audit_centre ON intake_audit (centre, seq);
CREATE INDEX intake_audit_ref ON intake_audit (ref);
CREATE FUNCTION intake_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit entries cannot be %', CASE TG_OP WHEN 'UPDATE' THEN 'changed' ELSE 'deleted' END;
END $$;
CREATE TRIGGER intake_audit_append_only BEFORE UPDATE OR DELETE ON intake_audit
  FOR EACH ROW EXECUTE FUNCTION intake_audit_append_only();
CREATE TRIGGER intake_audit_no_truncate BEFORE TRUNCATE ON intake_audit
  FOR EACH STATEMENT EXECUTE FUNCTION intake_audit_append_only();
-- Appends one entry linked to the newest: the advisory lock (held to the end of the transaction) orders appends from
-- every instance, and each statement below sees what committed before it. The hash is SHA-256 over the previous
-- hash, a newline and the entry's text as the application gives it (src/records/audit.ts chainPayload).
CREATE FUNCTION intake_audit_append(p_at bigint, p_centre text, p_actor text, p_action text, p_ref text, p_detail text,
  p_payload text) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(7205113300);
  SELECT hash INTO last_hash FROM intake_audit ORDER BY seq DESC LIMIT 1;
  last_hash := COALESCE(last_hash, repeat('0', 64));
  INSERT INTO intake_audit (at, centre, actor, action, ref, detail, prev, hash)
    VALUES (p_at, p_centre, p_actor, p_action, p_ref, p_detail, last_hash,
      encode(sha256(convert_to(last_hash || E'\n' || p_payload, 'UTF8')), 'hex'));
END $$;

CREATE TABLE alert_outbox (
  id text PRIMARY KEY,
  ref text NOT NULL,
  centre text NOT NULL,
  created bigint NOT NULL,
  next bigint NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  last_error text,
  delivered bigint,
  payload text,
  -- The instance delivering it now: its claim, held until lease_until; after that any instance may take it.
  claim text,
  lease_until bigint
);
CREATE INDEX alert_outbox_due ON alert_outbox (status, next);
CREATE INDEX alert_outbox_ref ON alert_outbox (ref);
`,
  },
];
