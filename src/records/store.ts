// Intake records and their alert outbox rows in the SQLite records file (one server process per file). Withdrawal
// (the person's "delete my data") and deletion overwrite the content (secure_delete) and checkpoint the WAL; a
// withdrawn record keeps only its reference, centre and times, so staff see that it was withdrawn and nothing else.
import { randomUUID } from 'node:crypto';
import type { SqliteAuditTrail } from './audit.js';
import { checkpoint, type Db } from './db.js';
import {
  alertStateOfRow, iso, levelRank, recordContent, recordOfRow, reviewed, summaryOfRow,
  type AlertState, type DueAlert, type ListQuery, type OutboxRow, type RecordRow, type RecordsStore,
} from './model.js';
import { newRef } from './refs.js';

export class SqliteRecordsStore implements RecordsStore {
  constructor(private readonly db: Db, private readonly audit: SqliteAuditTrail, private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  async insert(...[r, audit]: Parameters<RecordsStore['insert']>): Promise<string> {
    const t = this.now();
    return this.db.transaction(() => {
      let ref = newRef();
      const exists = this.db.prepare<[string], { ref: string }>('SELECT ref FROM records WHERE ref = ?');
      while (exists.get(ref)) ref = newRef();
      this.db.prepare(`INSERT INTO records (ref, centre, created, updated, expires, status, level, level_rank, channel, source,
        conversation, client_reference, knowledge_version, consent, content, reviews) VALUES (?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]')`)
        .run(ref, r.centre, t, t, t + this.ttlMs, r.assessment.level, levelRank(r.assessment.level), r.channel, r.source,
          r.conversation ?? null, r.clientReference ?? null, r.assessment.knowledgeVersion, JSON.stringify(r.consent), recordContent(r));
      if (r.alert) {
        const payload = r.alert(ref);
        this.db.prepare(`INSERT INTO outbox (id, ref, centre, created, next, status, payload) VALUES (?, ?, ?, ?, ?, 'pending', ?)`)
          .run(randomUUID(), ref, r.centre, t, t, JSON.stringify(payload));
      }
      this.audit.appendNow(audit(ref));
      return ref;
    }).immediate();
  }

  async list(q: ListQuery) {
    const where = ['centre = ?'];
    const args: unknown[] = [q.centre];
    if (q.levels?.length) { where.push(`level IN (${q.levels.map(() => '?').join(',')})`); args.push(...q.levels); }
    if (q.statuses?.length) { where.push(`status IN (${q.statuses.map(() => '?').join(',')})`); args.push(...q.statuses); }
    if (q.since !== undefined) { where.push('created >= ?'); args.push(q.since); }
    const rows = this.db.prepare<unknown[], RecordRow>(`SELECT * FROM records WHERE ${where.join(' AND ')} ORDER BY level_rank DESC, created DESC LIMIT ?`)
      .all(...args, Math.min(Math.max(q.limit ?? 200, 1), 1000));
    const alerts = this.alertStatuses(rows.map((r) => r.ref));
    return rows.map((r) => summaryOfRow(r, alerts.get(r.ref)));
  }

  async get(centre: string, ref: string) {
    return this.getNow(centre, ref);
  }

  private getNow(centre: string, ref: string) {
    const row = this.db.prepare<[string, string], RecordRow>('SELECT * FROM records WHERE ref = ? AND centre = ?').get(ref, centre);
    if (!row) return undefined;
    const alerts = this.db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE ref = ? ORDER BY created').all(ref).map(alertStateOfRow);
    return recordOfRow(row, alerts);
  }

  async review(...[centre, ref, by, note, audit]: Parameters<RecordsStore['review']>) {
    return this.db.transaction(() => {
      const row = this.db.prepare<[string, string], RecordRow>('SELECT * FROM records WHERE ref = ? AND centre = ?').get(ref, centre);
      if (!row) return undefined;
      if (row.status === 'withdrawn') return 'withdrawn' as const;
      const t = this.now();
      this.db.prepare("UPDATE records SET status = 'reviewed', reviews = ?, updated = ? WHERE ref = ?").run(reviewed(row.reviews, by, t, note), t, ref);
      this.audit.appendNow(audit);
      return this.getNow(centre, ref);
    }).immediate();
  }

  async delete(...[centre, ref, audit]: Parameters<RecordsStore['delete']>) {
    const done = this.db.transaction(() => {
      const n = this.db.prepare('DELETE FROM records WHERE ref = ? AND centre = ?').run(ref, centre).changes;
      if (n) {
        this.db.prepare('DELETE FROM outbox WHERE ref = ?').run(ref);
        this.audit.appendNow(audit);
      }
      return n > 0;
    }).immediate();
    if (done) checkpoint(this.db);
    return done;
  }

  async withdrawConversation(...[conversation, audit]: Parameters<RecordsStore['withdrawConversation']>) {
    const out = this.db.transaction(() => {
      const rows = this.db.prepare<[string], { ref: string; centre: string }>("SELECT ref, centre FROM records WHERE conversation = ? AND status != 'withdrawn'").all(conversation);
      const t = this.now();
      for (const { ref, centre } of rows) {
        this.db.prepare(`UPDATE records SET status = 'withdrawn', level = NULL, level_rank = -1, content = NULL, reviews = '[]',
          client_reference = NULL, knowledge_version = NULL, consent = '{}', conversation = NULL, withdrawn = ?, updated = ? WHERE ref = ?`).run(t, t, ref);
        this.db.prepare('DELETE FROM outbox WHERE ref = ?').run(ref);
        this.audit.appendNow(audit(ref, centre));
      }
      return rows;
    }).immediate();
    if (out.length) checkpoint(this.db);
    return out;
  }

  async purgeExpired(...[audit]: Parameters<RecordsStore['purgeExpired']>) {
    const rows = this.db.transaction(() => {
      const t = this.now();
      const expired = this.db.prepare<[number], { ref: string; centre: string }>('SELECT ref, centre FROM records WHERE expires <= ?').all(t);
      for (const { ref, centre } of expired) {
        this.db.prepare('DELETE FROM records WHERE ref = ?').run(ref);
        this.db.prepare('DELETE FROM outbox WHERE ref = ?').run(ref);
        this.audit.appendNow(audit(ref, centre));
      }
      return expired;
    }).immediate();
    if (rows.length) checkpoint(this.db);
    return rows;
  }

  async summaryOf(ref: string) {
    const row = this.db.prepare<[string], RecordRow>('SELECT * FROM records WHERE ref = ?').get(ref);
    return row && summaryOfRow(row, this.alertStatuses([ref]).get(ref));
  }

  // ---- alert outbox: one process owns the file, so a due alert needs no claim beyond the worker's own bookkeeping --

  async claimDueAlerts(at: number, limit: number, skip: readonly string[]): Promise<DueAlert[]> {
    const n = limit + skip.length;
    const rows = Number.isFinite(at)
      ? this.db.prepare<[number, number], OutboxRow>("SELECT * FROM outbox WHERE status = 'pending' AND next <= ? ORDER BY next LIMIT ?").all(at, n)
      : this.db.prepare<[number], OutboxRow>("SELECT * FROM outbox WHERE status = 'pending' ORDER BY next LIMIT ?").all(n);
    return rows.filter((r) => !skip.includes(r.id)).slice(0, limit).map((r) => ({ id: r.id, ref: r.ref, centre: r.centre, created: r.created, attempts: r.attempts, payload: JSON.parse(r.payload ?? 'null') }));
  }

  async nextAlertAt() {
    return this.db.prepare<[], { next: number | null }>("SELECT MIN(next) AS next FROM outbox WHERE status = 'pending'").get()?.next ?? undefined;
  }

  async alertDelivered(a: DueAlert) {
    return this.db.prepare("UPDATE outbox SET status = 'delivered', delivered = ?, attempts = attempts + 1, last_error = NULL, payload = NULL WHERE id = ?")
      .run(this.now(), a.id).changes > 0;
  }

  async alertRetry(a: DueAlert, next: number, error: string) {
    return this.db.prepare('UPDATE outbox SET attempts = attempts + 1, next = ?, last_error = ? WHERE id = ?').run(next, error, a.id).changes > 0;
  }

  async alertFailed(a: DueAlert, error: string) {
    return this.db.prepare("UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, payload = NULL WHERE id = ?").run(error, a.id).changes > 0;
  }

  async alertProblems(centre: string) {
    return this.db.prepare<[string], OutboxRow>(
      "SELECT * FROM outbox WHERE centre = ? AND (status = 'failed' OR (status = 'pending' AND attempts > 0)) ORDER BY created DESC LIMIT 50",
    ).all(centre).map((r) => ({ ...alertStateOfRow(r), ref: r.ref, createdAt: iso(r.created) }));
  }

  private alertStatuses(refs: string[]): Map<string, AlertState['status']> {
    const m = new Map<string, AlertState['status']>();
    if (!refs.length) return m;
    const rows = this.db.prepare<string[], { ref: string; status: AlertState['status'] }>(
      `SELECT ref, status FROM outbox WHERE ref IN (${refs.map(() => '?').join(',')}) ORDER BY created`,
    ).all(...refs);
    for (const r of rows) m.set(r.ref, r.status);
    return m;
  }
}
