// The audit trail in PostgreSQL: the same hash chain as the SQLite file's. Instances append concurrently, so an
// append takes a transaction-scoped advisory lock first: the newest hash it reads is the one it links to, and no other
// instance can add an entry between the two. An action on a record appends inside the action's own transaction.
import { auditColumns, auditFilter, chain, ChainCheck, entryOfRow, GENESIS, type AuditInput, type AuditQuery, type AuditRow, type AuditTrail, type AuditVerdict } from '../audit.js';
import { inTransaction, type Pool, type PoolClient } from '../../storage/postgres/pool.js';
import { rows } from './rows.js';

/** Key of the advisory lock that orders appends to the chain (a fixed number unique to this purpose). */
const AUDIT_LOCK = 7_205_113_300;

/** Appends one entry in the caller's transaction. */
export async function appendAudit(client: PoolClient, e: AuditInput, at: number): Promise<void> {
  const row = auditColumns(e, at);
  await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
  const last = await client.query<{ hash: string }>('SELECT hash FROM intake_audit ORDER BY seq DESC LIMIT 1');
  const prev = last.rows[0]?.hash ?? GENESIS;
  await client.query('INSERT INTO intake_audit (at, centre, actor, action, ref, detail, prev, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [row.at, row.centre, row.actor, row.action, row.ref, row.detail, prev, chain(prev, row)]);
}

export class PostgresAuditTrail implements AuditTrail {
  constructor(private readonly pool: Pool, private readonly now: () => number) {}

  append(e: AuditInput): Promise<void> {
    return inTransaction(this.pool, (c) => appendAudit(c, e, this.now()));
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
