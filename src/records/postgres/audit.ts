// The audit trail in PostgreSQL: the same hash chain as the SQLite file's. Instances append concurrently, so an
// append (the function intake_audit_append, migration 300) takes a transaction-scoped advisory lock first: the newest
// hash it reads is the one it links to, and no other instance can add an entry between the two. It hashes the text
// this process gives it (chainPayload), so verify() recomputes the same chain here. One round trip per entry; an
// action on a record appends inside the action's own transaction.
import { auditColumns, auditFilter, chainPayload, ChainCheck, entryOfRow, type AuditInput, type AuditQuery, type AuditRow, type AuditTrail, type AuditVerdict } from '../audit.js';
import type { Pool, PoolClient } from '../../storage/postgres/pool.js';
import { rows } from './rows.js';

/** Appends one entry (in the caller's transaction when given a client in one). */
export async function appendAudit(db: Pool | PoolClient, e: AuditInput, at: number): Promise<void> {
  const row = auditColumns(e, at);
  await db.query('SELECT intake_audit_append($1, $2, $3, $4, $5, $6, $7)',
    [row.at, row.centre, row.actor, row.action, row.ref, row.detail, chainPayload(row)]);
}

export class PostgresAuditTrail implements AuditTrail {
  constructor(private readonly pool: Pool, private readonly now: () => number) {}

  append(e: AuditInput): Promise<void> {
    return appendAudit(this.pool, e, this.now());
  }

  async list(q: AuditQuery) {
    const { where, args } = auditFilter(q, (i) => `$${i}`);
    const found = await rows<AuditRow>(this.pool, `SELECT * FROM intake_audit ${where} ORDER BY seq DESC LIMIT $${args.length + 1}`, [...args, Math.min(q.limit ?? 200, 1000)]);
    return found.map(entryOfRow);
  }

  /** Reads the chain in batches, so a long trail does not sit in memory at once. */
  async verify(): Promise<AuditVerdict> {
    const check = new ChainCheck();
    let after = 0;
    for (;;) {
      const batch = await rows<AuditRow>(this.pool, 'SELECT * FROM intake_audit WHERE seq > $1 ORDER BY seq LIMIT 1000', [after]);
      for (const r of batch) {
        const broken = check.check(r);
        if (broken !== undefined) return { ok: false, brokenAt: broken };
      }
      if (batch.length < 1000) return { ok: true, entries: check.entries };
      after = batch.at(-1)!.seq;
    }
  }
}
