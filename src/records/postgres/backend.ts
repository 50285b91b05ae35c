// The intake records in PostgreSQL (STORAGE=postgres), for any number of instances on one database. Changes reach the
// other instances' staff pages by LISTEN/NOTIFY: each change is announced on a channel (reference, centre and kind
// only, never content) and every instance listens on a connection of its own, re-opened when it drops. A change
// announced while an instance's listening connection is down is not replayed; a reload of the staff page shows it.
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import type { Pool } from '../../storage/postgres/pool.js';
import type { RecordChange, RecordsBackend } from '../backend.js';
import { PostgresAuditTrail } from './audit.js';
import { PostgresStaffRows } from './staff.js';
import { PostgresRecordsStore } from './store.js';

const CHANNEL = 'intake_record_changes';
const KINDS = new Set<RecordChange['kind']>(['created', 'reviewed', 'withdrawn', 'deleted', 'alert', 'expired']);

export interface PostgresBackendOptions {
  ttlMs: number;
  now: () => number;
  /** How long a claimed alert stays with the instance delivering it. */
  leaseMs: number;
  /** The listening connection failed (it is re-opened); `code` names the error. */
  onError?: (code: string) => void;
}

export function postgresBackend(pool: Pool, o: PostgresBackendOptions): RecordsBackend {
  const origin = randomUUID();
  const listeners: ((c: RecordChange) => void)[] = [];
  let client: Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let backoff = 500;

  const hear = (payload: string | undefined) => {
    try {
      const c = JSON.parse(payload ?? '') as RecordChange & { origin?: string };
      if (c.origin === origin || !KINDS.has(c.kind) || typeof c.ref !== 'string' || typeof c.centre !== 'string') return;
      for (const l of listeners) l({ ref: c.ref, centre: c.centre, kind: c.kind });
    } catch { /* not one of ours */ }
  };

  const reopen = (err?: Error & { code?: string }) => {
    if (err) o.onError?.(err.code ?? err.name);
    const old = client;
    client = undefined;
    old?.removeAllListeners();
    old?.on('error', () => undefined);
    void old?.end().catch(() => undefined);
    if (closed || retry) return;
    retry = setTimeout(() => { retry = undefined; void listen(); }, backoff);
    retry.unref();
    backoff = Math.min(backoff * 2, 30_000);
  };

  async function listen(): Promise<void> {
    if (closed || client) return;
    const { Client: PgClient } = require('pg') as typeof import('pg');
    // The pool's own connection settings (URL, TLS, timeouts), on a connection that stays out of the pool.
    const c = new PgClient(pool.options);
    client = c;
    c.on('error', reopen);
    c.on('end', () => { if (client === c) reopen(); });
    c.on('notification', (n) => { if (n.channel === CHANNEL) hear(n.payload); });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
      backoff = 500;
      if (closed) await c.end();
    } catch (err) {
      if (client === c) reopen(err as Error);
    }
  }

  return {
    store: new PostgresRecordsStore(pool, o),
    staff: new PostgresStaffRows(pool),
    audit: new PostgresAuditTrail(pool, o.now),
    shared: true,
    publish(c) {
      // Best effort: a feed that misses one change is corrected by the next reload; the change itself is committed.
      pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ ref: c.ref, centre: c.centre, kind: c.kind, origin })]).catch(() => undefined);
    },
    subscribe(listener) {
      listeners.push(listener);
      void listen();
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      c?.removeAllListeners();
      c?.on('error', () => undefined);
      await c?.end().catch(() => undefined);
    },
  };
}
