// The records file: intake records, staff accounts and their tokens and sessions, the audit trail and the alert
// outbox, in one SQLite file beside the conversation store. Same privacy rules as conversation state: the folder is
// made 0700 and the files are 0600; deleted rows are overwritten (secure_delete) and every deletion is checkpointed out
// of the write-ahead log at once, so nothing deleted stays readable in either file.
// Not opened in exclusive mode: `npm run staff` adds accounts while the server runs (busy_timeout covers the overlap).
import { preparePrivateFile } from '../storage/privateFile.js';
import Database from 'better-sqlite3';

export type Db = Database.Database;

export class RecordsStorageError extends Error {
  override name = 'RecordsStorageError';
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  ref TEXT PRIMARY KEY,
  centre TEXT NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('new', 'reviewed', 'withdrawn')),
  level TEXT,
  level_rank INTEGER NOT NULL,
  channel TEXT NOT NULL,
  source TEXT NOT NULL,
  conversation TEXT,
  client_reference TEXT,
  knowledge_version TEXT,
  consent TEXT NOT NULL,
  content TEXT,
  reviews TEXT NOT NULL DEFAULT '[]',
  withdrawn INTEGER
);
CREATE INDEX IF NOT EXISTS records_queue ON records (centre, level_rank DESC, created DESC);
CREATE INDEX IF NOT EXISTS records_expiry ON records (expires);
CREATE INDEX IF NOT EXISTS records_conversation ON records (conversation);

CREATE TABLE IF NOT EXISTS staff (
  name TEXT PRIMARY KEY,
  centre TEXT NOT NULL,
  admin INTEGER NOT NULL,
  hash TEXT NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
  hash TEXT PRIMARY KEY,
  name TEXT NOT NULL REFERENCES staff (name) ON DELETE CASCADE,
  label TEXT NOT NULL,
  created INTEGER NOT NULL,
  last_used INTEGER
);
CREATE TABLE IF NOT EXISTS sessions (
  hash TEXT PRIMARY KEY,
  name TEXT NOT NULL REFERENCES staff (name) ON DELETE CASCADE,
  created INTEGER NOT NULL,
  seen INTEGER NOT NULL,
  expires INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  centre TEXT,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  ref TEXT,
  detail TEXT,
  prev TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_centre ON audit (centre, seq);
CREATE TRIGGER IF NOT EXISTS audit_append_only_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END;
CREATE TRIGGER IF NOT EXISTS audit_append_only_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END;

CREATE TABLE IF NOT EXISTS outbox (
  id TEXT PRIMARY KEY,
  ref TEXT NOT NULL,
  centre TEXT NOT NULL,
  created INTEGER NOT NULL,
  next INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  last_error TEXT,
  delivered INTEGER,
  payload TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next);
CREATE INDEX IF NOT EXISTS outbox_ref ON outbox (ref);
`;

/** Opens (creating if needed) the records file, private to this user, with the schema in place. */
export function openRecordsDb(file: string): Db {
  let db: Db | undefined;
  try {
    preparePrivateFile(file);
    db = new Database(file, { timeout: 5_000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('secure_delete = ON');
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    db?.close();
    const e = err as NodeJS.ErrnoException;
    throw new RecordsStorageError(`records file "${file}" (beside SQLITE_PATH) cannot be opened: ${e.code ?? e.name}: ${e.message.split('\n')[0]}`);
  }
}

/** After a deletion: copy the (overwritten) pages back and empty the WAL, where older versions of them still were. */
export function checkpoint(db: Db): void {
  if (db.open && !db.memory) db.pragma('wal_checkpoint(TRUNCATE)');
}

