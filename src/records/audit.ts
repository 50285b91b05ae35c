// The audit trail: who did what to which record, when. Append-only: the table refuses UPDATE and DELETE (triggers),
// the API has no way to change it, and each entry carries a hash over the one before, so a change made to the database
// by other means shows as a broken chain. Entries hold no health information (ids, actions, counts, filters).
// The chain is the same in both stores; this file has it and the SQLite trail (PostgreSQL's is in postgres/audit.ts).
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

/** One entry to append. */
export interface AuditInput { centre?: string | null; actor: string; action: AuditAction; ref?: string | null; detail?: Record<string, unknown> }

export interface AuditQuery { centre?: string; since?: number; ref?: string; limit?: number; before?: number }

export type AuditVerdict = { ok: true; entries: number } | { ok: false; brokenAt: number };

export interface AuditTrail {
  /** Appends one entry on its own (an action with a record appends through the records store, in its transaction). */
  append(e: AuditInput): Promise<void>;
  /** Newest first; a centre's entries plus those of no centre (logins of unknown names) when `centre` is given. */
  list(q: AuditQuery): Promise<AuditEntry[]>;
  /** Recomputes the whole chain: the first entry whose hash or link does not match, or ok when all do. */
  verify(): Promise<AuditVerdict>;
}

export interface AuditRow { seq: number; at: number; centre: string | null; actor: string; action: string; ref: string | null; detail: string | null; prev: string; hash: string }

export const GENESIS = '0'.repeat(64);

/** The columns of a new entry, before it is linked to the chain. */
export function auditColumns(e: AuditInput, at: number): Pick<AuditRow, 'at' | 'centre' | 'actor' | 'action' | 'ref' | 'detail'> {
  return { at, centre: e.centre ?? null, actor: e.actor, action: e.action, ref: e.ref ?? null, detail: e.detail ? JSON.stringify(e.detail) : null };
}

/** What an entry's hash covers besides the link: PostgreSQL hashes the same text (intake_audit_append). */
export function chainPayload(r: Pick<AuditRow, 'at' | 'centre' | 'actor' | 'action' | 'ref' | 'detail'>): string {
  return JSON.stringify([r.at, r.centre, r.actor, r.action, r.ref, r.detail]);
}

export function chain(prev: string, r: Pick<AuditRow, 'at' | 'centre' | 'actor' | 'action' | 'ref' | 'detail'>): string {
  return createHash('sha256').update(prev).update('\n').update(chainPayload(r)).digest('hex');
}

export function entryOfRow(r: AuditRow): AuditEntry {
  return {
    seq: r.seq, at: new Date(r.at).toISOString(), centre: r.centre, actor: r.actor, action: r.action as AuditAction,
    ref: r.ref, detail: r.detail ? JSON.parse(r.detail) : null, hash: r.hash,
  };
}

/** Checks rows in seq order, carrying the link from one batch to the next. */
export class ChainCheck {
  private prev = GENESIS;
  entries = 0;

  /** The seq of the first broken entry, or undefined while all hold. */
  check(r: AuditRow): number | undefined {
    if (r.prev !== this.prev || r.hash !== chain(this.prev, r)) return r.seq;
    this.prev = r.hash;
    this.entries++;
    return undefined;
  }
}

/** Shared by both stores' list(): the filters as SQL conditions with `param(i)` placeholders. */
export function auditFilter(q: AuditQuery, param: (i: number) => string): { where: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: (p: string) => string, v: unknown) => { args.push(v); where.push(sql(param(args.length))); };
  if (q.centre) add((p) => `(centre = ${p} OR centre IS NULL)`, q.centre);
  if (q.since !== undefined) add((p) => `at >= ${p}`, q.since);
  if (q.ref) add((p) => `ref = ${p}`, q.ref);
  if (q.before !== undefined) add((p) => `seq < ${p}`, q.before);
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

export class SqliteAuditTrail implements AuditTrail {
  private readonly last;
  private readonly insert;

  constructor(private readonly db: Db, private readonly now: () => number) {
    this.last = db.prepare<[], { hash: string }>('SELECT hash FROM audit ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare('INSERT INTO audit (at, centre, actor, action, ref, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  }

  /** Appends one entry inside the caller's transaction when there is one (the records store's actions). */
  appendNow(e: AuditInput): void {
    const row = auditColumns(e, this.now());
    this.db.transaction(() => {
      const prev = this.last.get()?.hash ?? GENESIS;
      this.insert.run(row.at, row.centre, row.actor, row.action, row.ref, row.detail, prev, chain(prev, row));
    }).immediate();
  }

  async append(e: AuditInput): Promise<void> {
    this.appendNow(e);
  }

  async list(q: AuditQuery): Promise<AuditEntry[]> {
    const { where, args } = auditFilter(q, () => '?');
    const rows = this.db.prepare<unknown[], AuditRow>(`SELECT * FROM audit ${where} ORDER BY seq DESC LIMIT ?`).all(...args, Math.min(q.limit ?? 200, 1000));
    return rows.map(entryOfRow);
  }

  async verify(): Promise<AuditVerdict> {
    const check = new ChainCheck();
    for (const r of this.db.prepare<[], AuditRow>('SELECT * FROM audit ORDER BY seq').iterate()) {
      const broken = check.check(r);
      if (broken !== undefined) return { ok: false, brokenAt: broken };
    }
    return { ok: true, entries: check.entries };
  }
}
