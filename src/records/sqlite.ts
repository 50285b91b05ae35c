// The SQLite records file as a records backend: one server process per file (npm run staff may add accounts beside it).
import { SqliteAuditTrail } from './audit.js';
import { openRecordsDb, type Db } from './db.js';
import type { RecordsBackend } from './backend.js';
import { SqliteStaffRows } from './staff.js';
import { SqliteRecordsStore } from './store.js';

export function sqliteBackend(file: string, ttlMs: number, now: () => number): RecordsBackend & { db: Db } {
  const db = openRecordsDb(file);
  const audit = new SqliteAuditTrail(db, now);
  return {
    db,
    store: new SqliteRecordsStore(db, audit, ttlMs, now),
    staff: new SqliteStaffRows(db),
    audit,
    shared: false,
    close: async () => { if (db.open) db.close(); },
  };
}
