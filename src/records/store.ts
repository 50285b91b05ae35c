// Intake records and their alert outbox rows in the records file. A record holds the answers, the assessment, the
// knowledge version, the channel, times, consent, status (new, reviewed, withdrawn) and review notes. Withdrawal
// (the person's "delete my data") and deletion overwrite the content (secure_delete) and checkpoint the WAL; a
// withdrawn record keeps only its reference, centre and times, so staff see that it was withdrawn and nothing else.
import { createHash, randomUUID } from 'node:crypto';
import { LEVELS, type Assessment, type Level } from '../triage/types.js';
import { checkpoint, type Db } from './db.js';
import { newRef } from './refs.js';

export const STATUSES = ['new', 'reviewed', 'withdrawn'] as const;
export type Status = (typeof STATUSES)[number];

export interface RecordAnswers {
  medications: string;
  doseChanges: string;
  symptoms: string;
  followUps: Record<string, string>;
  now?: string;
  locale?: string;
}

export interface Consent {
  given: true;
  at: string;
  /** Who gave it: the person in the conversation, or the integration that posted with "record": true. */
  by: 'person' | 'integration';
  /** What the person was told before agreeing (conversation only). */
  statement?: string;
}

export interface Review { by: string; at: string; note: string }

export interface AlertState { id: string; status: 'pending' | 'delivered' | 'failed'; attempts: number; lastError?: string; deliveredAt?: string; nextAttemptAt?: string }

export interface RecordSummary {
  ref: string;
  centre: string;
  status: Status;
  createdAt: string;
  updatedAt: string;
  channel: string;
  level?: Level;
  headline?: string;
  patterns?: { id: string; status: string }[];
  redFlags?: string[];
  clientReference?: string;
  lastReview?: { by: string; at: string };
  withdrawnAt?: string;
  /** What staff read for a withdrawn record: no content at all. */
  note?: string;
  alert?: AlertState['status'];
}

export interface IntakeRecord extends RecordSummary {
  source: 'conversation' | 'api';
  expiresAt: string;
  knowledgeVersion?: string;
  consent?: Consent;
  answers?: RecordAnswers;
  assessment?: Assessment;
  reviews: Review[];
  alerts: AlertState[];
}

export const WITHDRAWN_NOTE = 'withdrawn by the person';

interface Row {
  ref: string; centre: string; created: number; updated: number; expires: number; status: Status; level: Level | null;
  channel: string; source: 'conversation' | 'api'; client_reference: string | null; knowledge_version: string | null;
  consent: string; content: string | null; reviews: string; withdrawn: number | null;
}

interface OutboxRow { id: string; ref: string; centre: string; created: number; next: number; attempts: number; status: AlertState['status']; last_error: string | null; delivered: number | null; payload: string | null }

const iso = (t: number) => new Date(t).toISOString();
const rank = (l: Level) => LEVELS.indexOf(l);
/** Conversation ids are kept only as digests: enough to find a conversation's records when it withdraws them. */
export const conversationKey = (channelId: string, conversationId: string) => createHash('sha256').update(`${channelId}\n${conversationId}`).digest('hex');

export interface NewRecord {
  centre: string;
  channel: string;
  source: 'conversation' | 'api';
  conversation?: string;
  clientReference?: string;
  consent: Consent;
  answers: RecordAnswers;
  assessment: Assessment;
  /** Queue an alert for this record (its level is in ALERT_LEVELS and a webhook is set). */
  alert?: (ref: string) => unknown;
}

export interface ListQuery { centre: string; levels?: Level[]; statuses?: Status[]; since?: number; limit?: number }

export class RecordsStore {
  constructor(private readonly db: Db, private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  /** Saves a record (and its alert, in the same transaction); `audit` runs inside it too. Returns the reference. */
  insert(r: NewRecord, audit: (ref: string) => void): string {
    const t = this.now();
    const content = JSON.stringify({ answers: r.answers, assessment: r.assessment });
    return this.db.transaction(() => {
      let ref = newRef();
      const exists = this.db.prepare<[string], { ref: string }>('SELECT ref FROM records WHERE ref = ?');
      while (exists.get(ref)) ref = newRef();
      this.db.prepare(`INSERT INTO records (ref, centre, created, updated, expires, status, level, level_rank, channel, source,
        conversation, client_reference, knowledge_version, consent, content, reviews) VALUES (?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]')`)
        .run(ref, r.centre, t, t, t + this.ttlMs, r.assessment.level, rank(r.assessment.level), r.channel, r.source,
          r.conversation ?? null, r.clientReference ?? null, r.assessment.knowledgeVersion, JSON.stringify(r.consent), content);
      if (r.alert) {
        const payload = r.alert(ref);
        this.db.prepare(`INSERT INTO outbox (id, ref, centre, created, next, status, payload) VALUES (?, ?, ?, ?, ?, 'pending', ?)`)
          .run(randomUUID(), ref, r.centre, t, t, JSON.stringify(payload));
      }
      audit(ref);
      return ref;
    }).immediate();
  }

  /** Emergencies first, then urgent and so on; newest first within a level; withdrawn ones last. */
  list(q: ListQuery): RecordSummary[] {
    const where = ['centre = ?'];
    const args: unknown[] = [q.centre];
    if (q.levels?.length) { where.push(`level IN (${q.levels.map(() => '?').join(',')})`); args.push(...q.levels); }
    if (q.statuses?.length) { where.push(`status IN (${q.statuses.map(() => '?').join(',')})`); args.push(...q.statuses); }
    if (q.since !== undefined) { where.push('created >= ?'); args.push(q.since); }
    const rows = this.db.prepare<unknown[], Row>(`SELECT * FROM records WHERE ${where.join(' AND ')} ORDER BY level_rank DESC, created DESC LIMIT ?`)
      .all(...args, Math.min(Math.max(q.limit ?? 200, 1), 1000));
    const alerts = this.alertStatuses(rows.map((r) => r.ref));
    return rows.map((r) => this.summary(r, alerts.get(r.ref)));
  }

  get(centre: string, ref: string): IntakeRecord | undefined {
    const row = this.db.prepare<[string, string], Row>('SELECT * FROM records WHERE ref = ? AND centre = ?').get(ref, centre);
    if (!row) return undefined;
    const alerts = this.db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE ref = ? ORDER BY created').all(ref).map(alertState);
    const content = row.content ? (JSON.parse(row.content) as { answers: RecordAnswers; assessment: Assessment }) : undefined;
    return {
      ...this.summary(row, alerts.at(-1)?.status),
      source: row.source,
      expiresAt: iso(row.expires),
      ...(row.knowledge_version ? { knowledgeVersion: row.knowledge_version } : {}),
      ...(row.status !== 'withdrawn' ? { consent: JSON.parse(row.consent) as Consent } : {}),
      ...(content ?? {}),
      reviews: JSON.parse(row.reviews) as Review[],
      alerts,
    };
  }

  /** Marks reviewed with a note; undefined when there is no such record, 'withdrawn' when there is nothing to review. */
  review(centre: string, ref: string, by: string, note: string, audit: () => void): IntakeRecord | 'withdrawn' | undefined {
    return this.db.transaction(() => {
      const row = this.db.prepare<[string, string], Row>('SELECT * FROM records WHERE ref = ? AND centre = ?').get(ref, centre);
      if (!row) return undefined;
      if (row.status === 'withdrawn') return 'withdrawn' as const;
      const t = this.now();
      const reviews = [...(JSON.parse(row.reviews) as Review[]), { by, at: iso(t), note }];
      this.db.prepare("UPDATE records SET status = 'reviewed', reviews = ?, updated = ? WHERE ref = ?").run(JSON.stringify(reviews), t, ref);
      audit();
      return this.get(centre, ref);
    }).immediate();
  }

  /** Removes a record and its alerts for good (an admin's deletion). */
  delete(centre: string, ref: string, audit: () => void): boolean {
    const done = this.db.transaction(() => {
      const n = this.db.prepare('DELETE FROM records WHERE ref = ? AND centre = ?').run(ref, centre).changes;
      if (n) {
        this.db.prepare('DELETE FROM outbox WHERE ref = ?').run(ref);
        audit();
      }
      return n > 0;
    }).immediate();
    if (done) checkpoint(this.db);
    return done;
  }

  /** The person withdrew: every record of that conversation loses its content and pending alerts. */
  withdrawConversation(conversation: string, audit: (ref: string, centre: string) => void): { ref: string; centre: string }[] {
    const out = this.db.transaction(() => {
      const rows = this.db.prepare<[string], { ref: string; centre: string }>("SELECT ref, centre FROM records WHERE conversation = ? AND status != 'withdrawn'").all(conversation);
      const t = this.now();
      for (const { ref, centre } of rows) {
        this.db.prepare(`UPDATE records SET status = 'withdrawn', level = NULL, level_rank = -1, content = NULL, reviews = '[]',
          client_reference = NULL, knowledge_version = NULL, consent = '{}', conversation = NULL, withdrawn = ?, updated = ? WHERE ref = ?`).run(t, t, ref);
        this.db.prepare('DELETE FROM outbox WHERE ref = ?').run(ref);
        audit(ref, centre);
      }
      return rows;
    }).immediate();
    if (out.length) checkpoint(this.db);
    return out;
  }

  /** Records past RECORDS_TTL_DAYS go, with their alerts. */
  purgeExpired(audit: (ref: string, centre: string) => void): number {
    const rows = this.db.transaction(() => {
      const t = this.now();
      const expired = this.db.prepare<[number], { ref: string; centre: string }>('SELECT ref, centre FROM records WHERE expires <= ?').all(t);
      for (const { ref, centre } of expired) {
        this.db.prepare('DELETE FROM records WHERE ref = ?').run(ref);
        this.db.prepare('DELETE FROM outbox WHERE ref = ?').run(ref);
        audit(ref, centre);
      }
      return expired;
    }).immediate();
    if (rows.length) checkpoint(this.db);
    return rows.length;
  }

  // ---- alert outbox ---------------------------------------------------------------------------------------------

  /** Pending alerts due by `at` (all pending ones when `at` is Infinity), oldest first. */
  dueAlerts(at: number, limit = 20): { id: string; ref: string; centre: string; created: number; attempts: number; payload: unknown }[] {
    const rows = Number.isFinite(at)
      ? this.db.prepare<[number, number], OutboxRow>("SELECT * FROM outbox WHERE status = 'pending' AND next <= ? ORDER BY next LIMIT ?").all(at, limit)
      : this.db.prepare<[number], OutboxRow>("SELECT * FROM outbox WHERE status = 'pending' ORDER BY next LIMIT ?").all(limit);
    return rows.map((r) => ({ id: r.id, ref: r.ref, centre: r.centre, created: r.created, attempts: r.attempts, payload: JSON.parse(r.payload ?? 'null') }));
  }

  nextAlertAt(): number | undefined {
    return this.db.prepare<[], { next: number | null }>("SELECT MIN(next) AS next FROM outbox WHERE status = 'pending'").get()?.next ?? undefined;
  }

  /** Delivered: the payload (headline, patterns) is no longer needed and is overwritten. */
  alertDelivered(id: string): void {
    this.db.prepare("UPDATE outbox SET status = 'delivered', delivered = ?, attempts = attempts + 1, last_error = NULL, payload = NULL WHERE id = ?").run(this.now(), id);
  }

  alertRetry(id: string, next: number, error: string): void {
    this.db.prepare('UPDATE outbox SET attempts = attempts + 1, next = ?, last_error = ? WHERE id = ?').run(next, error, id);
  }

  alertFailed(id: string, error: string): void {
    this.db.prepare("UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, payload = NULL WHERE id = ?").run(error, id);
  }

  /** Alerts of a centre that are failing or gave up: the staff page shows them. */
  alertProblems(centre: string): (AlertState & { ref: string; createdAt: string })[] {
    return this.db.prepare<[string], OutboxRow>(
      "SELECT * FROM outbox WHERE centre = ? AND (status = 'failed' OR (status = 'pending' AND attempts > 0)) ORDER BY created DESC LIMIT 50",
    ).all(centre).map((r) => ({ ...alertState(r), ref: r.ref, createdAt: iso(r.created) }));
  }

  refOf(id: string): { ref: string; centre: string } | undefined {
    return this.db.prepare<[string], { ref: string; centre: string }>('SELECT ref, centre FROM outbox WHERE id = ?').get(id);
  }

  summaryOf(ref: string): RecordSummary | undefined {
    const row = this.db.prepare<[string], Row>('SELECT * FROM records WHERE ref = ?').get(ref);
    return row && this.summary(row, this.alertStatuses([ref]).get(ref));
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

  private summary(r: Row, alert?: AlertState['status']): RecordSummary {
    const base = { ref: r.ref, centre: r.centre, status: r.status, createdAt: iso(r.created), updatedAt: iso(r.updated), channel: r.channel };
    if (r.status === 'withdrawn' || !r.content) return { ...base, withdrawnAt: r.withdrawn ? iso(r.withdrawn) : undefined, note: WITHDRAWN_NOTE };
    const { assessment: a } = JSON.parse(r.content) as { assessment: Assessment };
    const reviews = JSON.parse(r.reviews) as Review[];
    const last = reviews.at(-1);
    return {
      ...base,
      level: a.level,
      headline: a.headline,
      patterns: a.patterns.filter((p) => p.status !== 'absent').map((p) => ({ id: p.id, status: p.status })),
      redFlags: a.redFlags.map((f) => f.id),
      ...(r.client_reference ? { clientReference: r.client_reference } : {}),
      ...(last ? { lastReview: { by: last.by, at: last.at } } : {}),
      ...(alert ? { alert } : {}),
    };
  }
}

function alertState(r: OutboxRow): AlertState {
  return {
    id: r.id, status: r.status, attempts: r.attempts,
    ...(r.last_error ? { lastError: r.last_error } : {}),
    ...(r.delivered ? { deliveredAt: iso(r.delivered) } : {}),
    ...(r.status === 'pending' ? { nextAttemptAt: iso(r.next) } : {}),
  };
}
