// Intake records and their alert outbox in PostgreSQL, shared by every instance. A withdrawn or deleted record's
// content is overwritten with NULL or its row deleted in the action's transaction; PostgreSQL keeps the old row
// version until VACUUM and in its WAL and backups (README "Intake centres" says what an operator does about that).
//
// The outbox is worked by whichever instance is free: a claim takes due alerts with FOR UPDATE SKIP LOCKED (two
// instances never take the same one) and holds them for a lease; delivery happens outside any transaction, then the
// outcome is written. An instance that dies mid-delivery leaves its claim to run out, and another instance takes the
// alert after the lease. Success is written whoever holds the claim (the alert was delivered); a failure only by the
// claim's holder, so a late instance cannot undo a newer attempt's state.
import { randomUUID } from 'node:crypto';
import { inTransaction, type Pool, type PoolClient } from '../../storage/postgres/pool.js';
import type { AuditInput } from '../audit.js';
import {
  alertStateOfRow, iso, levelRank, recordContent, recordOfRow, reviewed, summaryOfRow,
  type AlertState, type DueAlert, type ListQuery, type NewRecord, type OutboxRow, type RecordRow, type RecordsStore,
} from '../model.js';
import { newRef } from '../refs.js';
import { appendAudit } from './audit.js';
import { changed, one, rows } from './rows.js';

const WITHDRAW = `UPDATE intake_records SET status = 'withdrawn', level = NULL, level_rank = -1, content = NULL, reviews = '[]',
  client_reference = NULL, knowledge_version = NULL, consent = '{}', conversation = NULL, withdrawn = $2, updated = $2
  WHERE conversation = $1 AND status <> 'withdrawn' RETURNING ref, centre`;

/** The newest alert's status beside each record row (the queue shows it). */
const WITH_ALERT = `r.*, (SELECT o.status FROM alert_outbox o WHERE o.ref = r.ref ORDER BY o.created DESC, o.id DESC LIMIT 1) AS alert_status`;

type RowWithAlert = RecordRow & { alert_status: AlertState['status'] | null };

export interface PostgresStoreOptions { ttlMs: number; now: () => number; leaseMs: number }

export class PostgresRecordsStore implements RecordsStore {
  constructor(private readonly pool: Pool, private readonly o: PostgresStoreOptions) {}

  insert(r: NewRecord, audit: (ref: string) => AuditInput): Promise<string> {
    const t = this.o.now();
    return inTransaction(this.pool, async (c) => {
      let ref: string | undefined;
      while (!ref) {
        ref = (await one<{ ref: string }>(c, `INSERT INTO intake_records (ref, centre, created, updated, expires, status, level, level_rank, channel,
          source, conversation, client_reference, knowledge_version, consent, content, reviews)
          VALUES ($1, $2, $3, $3, $4, 'new', $5, $6, $7, $8, $9, $10, $11, $12, $13, '[]') ON CONFLICT (ref) DO NOTHING RETURNING ref`,
        [newRef(), r.centre, t, t + this.o.ttlMs, r.assessment.level, levelRank(r.assessment.level), r.channel, r.source,
          r.conversation ?? null, r.clientReference ?? null, r.assessment.knowledgeVersion, JSON.stringify(r.consent), recordContent(r)]))?.ref;
      }
      if (r.alert) {
        await c.query(`INSERT INTO alert_outbox (id, ref, centre, created, next, status, payload) VALUES ($1, $2, $3, $4, $4, 'pending', $5)`,
          [randomUUID(), ref, r.centre, t, JSON.stringify(r.alert(ref))]);
      }
      await appendAudit(c, audit(ref), t);
      return ref;
    });
  }

  async list(q: ListQuery) {
    const args: unknown[] = [q.centre];
    const where = ['centre = $1'];
    if (q.levels?.length) { args.push(q.levels); where.push(`level = ANY($${args.length})`); }
    if (q.statuses?.length) { args.push(q.statuses); where.push(`status = ANY($${args.length})`); }
    if (q.since !== undefined) { args.push(q.since); where.push(`created >= $${args.length}`); }
    args.push(Math.min(Math.max(q.limit ?? 200, 1), 1000));
    const found = await rows<RowWithAlert>(this.pool,
      `SELECT ${WITH_ALERT} FROM intake_records r WHERE ${where.join(' AND ')} ORDER BY level_rank DESC, created DESC LIMIT $${args.length}`, args);
    return found.map((r) => summaryOfRow(r, r.alert_status ?? undefined));
  }

  async get(centre: string, ref: string) {
    const row = await one<RecordRow>(this.pool, 'SELECT * FROM intake_records WHERE ref = $1 AND centre = $2', [ref, centre]);
    if (!row) return undefined;
    return recordOfRow(row, await this.alertsOf(ref));
  }

  review(centre: string, ref: string, by: string, note: string, audit: AuditInput) {
    return inTransaction(this.pool, async (c) => {
      // The row lock orders two reviews of one record from two instances: neither note is lost.
      const row = await one<RecordRow>(c, 'SELECT * FROM intake_records WHERE ref = $1 AND centre = $2 FOR UPDATE', [ref, centre]);
      if (!row) return undefined;
      if (row.status === 'withdrawn') return 'withdrawn' as const;
      const t = this.o.now();
      const updated = await one<RecordRow>(c, "UPDATE intake_records SET status = 'reviewed', reviews = $2, updated = $3 WHERE ref = $1 RETURNING *",
        [ref, reviewed(row.reviews, by, t, note), t]);
      await appendAudit(c, audit, t);
      return recordOfRow(updated!, await this.alertsOf(ref, c));
    });
  }

  delete(centre: string, ref: string, audit: AuditInput) {
    return inTransaction(this.pool, async (c) => {
      if (!(await changed(c, 'DELETE FROM intake_records WHERE ref = $1 AND centre = $2', [ref, centre]))) return false;
      await c.query('DELETE FROM alert_outbox WHERE ref = $1', [ref]);
      await appendAudit(c, audit, this.o.now());
      return true;
    });
  }

  withdrawConversation(conversation: string, audit: (ref: string, centre: string) => AuditInput) {
    return inTransaction(this.pool, async (c) => {
      const t = this.o.now();
      const done = await rows<{ ref: string; centre: string }>(c, WITHDRAW, [conversation, t]);
      if (done.length) await c.query('DELETE FROM alert_outbox WHERE ref = ANY($1)', [done.map((d) => d.ref)]);
      for (const d of done) await appendAudit(c, audit(d.ref, d.centre), t);
      return done;
    });
  }

  /** Instances purge on their own timers; SKIP LOCKED lets two purges at once split the work instead of doubling it. */
  purgeExpired(audit: (ref: string, centre: string) => AuditInput) {
    return inTransaction(this.pool, async (c) => {
      const t = this.o.now();
      const gone = await rows<{ ref: string; centre: string }>(c,
        'DELETE FROM intake_records WHERE ref IN (SELECT ref FROM intake_records WHERE expires <= $1 FOR UPDATE SKIP LOCKED) RETURNING ref, centre', [t]);
      if (gone.length) await c.query('DELETE FROM alert_outbox WHERE ref = ANY($1)', [gone.map((d) => d.ref)]);
      for (const d of gone) await appendAudit(c, audit(d.ref, d.centre), t);
      return gone;
    });
  }

  async summaryOf(ref: string) {
    const row = await one<RowWithAlert>(this.pool, `SELECT ${WITH_ALERT} FROM intake_records r WHERE ref = $1`, [ref]);
    return row && summaryOfRow(row, row.alert_status ?? undefined);
  }

  // ---- alert outbox -------------------------------------------------------------------------------------------

  async claimDueAlerts(at: number, limit: number, skip: readonly string[]): Promise<DueAlert[]> {
    const t = this.o.now();
    const claim = randomUUID();
    const found = await rows<OutboxRow & { claim: string }>(this.pool, `UPDATE alert_outbox SET claim = $1, lease_until = $2
      WHERE id IN (SELECT id FROM alert_outbox WHERE status = 'pending' AND ($5::bigint IS NULL OR next <= $5) AND (lease_until IS NULL OR lease_until <= $3)
        AND NOT (id = ANY($4)) ORDER BY next LIMIT $6 FOR UPDATE SKIP LOCKED)
      RETURNING *`, [claim, t + this.o.leaseMs, t, [...skip], Number.isFinite(at) ? at : null, limit]);
    return found.sort((a, b) => a.next - b.next)
      .map((r) => ({ id: r.id, ref: r.ref, centre: r.centre, created: r.created, attempts: r.attempts, payload: JSON.parse(r.payload ?? 'null'), claim }));
  }

  async nextAlertAt() {
    const row = await one<{ next: number | null }>(this.pool,
      "SELECT MIN(GREATEST(next, COALESCE(lease_until, 0))) AS next FROM alert_outbox WHERE status = 'pending'");
    return row?.next ?? undefined;
  }

  async alertDelivered(a: DueAlert) {
    return (await changed(this.pool, `UPDATE alert_outbox SET status = 'delivered', delivered = $2, attempts = attempts + 1, last_error = NULL,
      payload = NULL, claim = NULL, lease_until = NULL WHERE id = $1 AND status = 'pending'`, [a.id, this.o.now()])) > 0;
  }

  async alertRetry(a: DueAlert, next: number, error: string) {
    return (await changed(this.pool, `UPDATE alert_outbox SET attempts = attempts + 1, next = $2, last_error = $3, claim = NULL, lease_until = NULL
      WHERE id = $1 AND claim = $4 AND status = 'pending'`, [a.id, Math.round(next), error, a.claim])) > 0;
  }

  async alertFailed(a: DueAlert, error: string) {
    return (await changed(this.pool, `UPDATE alert_outbox SET status = 'failed', attempts = attempts + 1, last_error = $2, payload = NULL,
      claim = NULL, lease_until = NULL WHERE id = $1 AND claim = $3 AND status = 'pending'`, [a.id, error, a.claim])) > 0;
  }

  async alertProblems(centre: string) {
    const found = await rows<OutboxRow>(this.pool,
      "SELECT * FROM alert_outbox WHERE centre = $1 AND (status = 'failed' OR (status = 'pending' AND attempts > 0)) ORDER BY created DESC LIMIT 50", [centre]);
    return found.map((r) => ({ ...alertStateOfRow(r), ref: r.ref, createdAt: iso(r.created) }));
  }

  private async alertsOf(ref: string, db: Pool | PoolClient = this.pool) {
    return (await rows<OutboxRow>(db, 'SELECT * FROM alert_outbox WHERE ref = $1 ORDER BY created, id', [ref])).map(alertStateOfRow);
  }
}
