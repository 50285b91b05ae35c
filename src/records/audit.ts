// The audit trail: who did what to which record, when. Append-only: the table refuses UPDATE and DELETE (triggers),
// the API has no way to change it, and each entry carries a hash over the one before, so a change made to the file
// by other means shows as a broken chain. Entries hold no health information (ids, actions, counts, filters).
import { createHash } from 'node:crypto';
import type { Db } from './db.js';

export const AUDIT_ACTIONS = [
  'consent', 'withdraw', 'list', 'read', 'review', 'export', 'delete', 'expire', 'login', 'login-failed', 'logout',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  seq: number;
  at: string;
  centre: string | null;
  actor: string;
  action: AuditAction;
  ref: string | null;
  detail: Record<string, unknown> | null;
  hash: string;
}

interface Row { seq: number; at: number; centre: string | null; actor: string; action: string; ref: string | null; detail: string | null; prev: string; hash: string }

const GENESIS = '0'.repeat(64);

function chain(prev: string, r: Pick<Row, 'at' | 'centre' | 'actor' | 'action' | 'ref' | 'detail'>): string {
  return createHash('sha256').update(prev).update('\n').update(JSON.stringify([r.at, r.centre, r.actor, r.action, r.ref, r.detail])).digest('hex');
}

export class AuditTrail {
  private readonly last;
  private readonly insert;

  constructor(private readonly db: Db, private readonly now: () => number) {
    this.last = db.prepare<[], { hash: string }>('SELECT hash FROM audit ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare('INSERT INTO audit (at, centre, actor, action, ref, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  }

  /** Appends one entry (inside the caller's transaction when there is one). */
  append(e: { centre?: string | null; actor: string; action: AuditAction; ref?: string | null; detail?: Record<string, unknown> }): void {
    const row = {
      at: this.now(), centre: e.centre ?? null, actor: e.actor, action: e.action, ref: e.ref ?? null,
      detail: e.detail ? JSON.stringify(e.detail) : null,
    };
    this.db.transaction(() => {
      const prev = this.last.get()?.hash ?? GENESIS;
      this.insert.run(row.at, row.centre, row.actor, row.action, row.ref, row.detail, prev, chain(prev, row));
    }).immediate();
  }

  /** Newest first; a centre's entries plus those of no centre (logins of unknown names) when `centre` is given. */
  list(q: { centre?: string; since?: number; ref?: string; limit?: number; before?: number }): AuditEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.centre) { where.push('(centre = ? OR centre IS NULL)'); args.push(q.centre); }
    if (q.since !== undefined) { where.push('at >= ?'); args.push(q.since); }
    if (q.ref) { where.push('ref = ?'); args.push(q.ref); }
    if (q.before !== undefined) { where.push('seq < ?'); args.push(q.before); }
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    const rows = this.db.prepare<unknown[], Row>(sql).all(...args, Math.min(q.limit ?? 200, 1000));
    return rows.map((r) => ({
      seq: r.seq, at: new Date(r.at).toISOString(), centre: r.centre, actor: r.actor, action: r.action as AuditAction,
      ref: r.ref, detail: r.detail ? JSON.parse(r.detail) : null, hash: r.hash,
    }));
  }

  /** Recomputes the whole chain: the first entry whose hash or link does not match, or undefined when all do. */
  verify(): { ok: true; entries: number } | { ok: false; brokenAt: number } {
    let prev = GENESIS;
    let n = 0;
    for (const r of this.db.prepare<[], Row>('SELECT * FROM audit ORDER BY seq').iterate()) {
      if (r.prev !== prev || r.hash !== chain(prev, r)) return { ok: false, brokenAt: r.seq };
      prev = r.hash;
      n++;
    }
    return { ok: true, entries: n };
  }
}
