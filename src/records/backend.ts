// What the intake records service needs from where they are kept. SQLite (sqlite.ts) serves one process; PostgreSQL
// (postgres/backend.ts) serves any number of instances on one database, so it also carries their changes between them.
import type { AuditTrail } from './audit.js';
import type { RecordsStore } from './model.js';
import type { StaffRows } from './staff.js';

export interface RecordChange { ref: string; centre: string; kind: 'created' | 'reviewed' | 'withdrawn' | 'deleted' | 'alert' | 'expired' }

export interface RecordsBackend {
  store: RecordsStore;
  staff: StaffRows;
  audit: AuditTrail;
  /** Other instances share these rows: alerts may be queued elsewhere, so the alert worker also looks on its own. */
  shared: boolean;
  /** Tells the other instances of a change made here (their staff pages' live feeds). */
  publish?(c: RecordChange): void;
  /** Hears the other instances' changes. */
  subscribe?(listener: (c: RecordChange) => void): void;
  close(): Promise<void>;
}
