// What an intake record is, and the one asynchronous interface its stores give (SQLite beside SQLITE_PATH for one
// server; PostgreSQL for many instances on one database). A record holds the answers, the assessment, the knowledge
// version, the channel, times, consent, status (new, reviewed, withdrawn) and review notes. Both stores keep the same
// columns, so turning a row into what staff read happens here, once.
import { createHash } from 'node:crypto';
import { LEVELS, type Assessment, type Level } from '../triage/types.js';
import type { AuditInput } from './audit.js';

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

/** An alert taken from the outbox for one delivery attempt. */
export interface DueAlert {
  id: string;
  ref: string;
  centre: string;
  created: number;
  attempts: number;
  payload: unknown;
  /** The claim this attempt holds (PostgreSQL): outcomes of a claim that another instance has since taken are ignored. */
  claim?: string;
}

/** Where intake records and their alert outbox rows live. Every audit entry is written in the action's transaction. */
export interface RecordsStore {
  /** Saves a record (and its alert, in the same transaction) with its audit entry. Returns the reference. */
  insert(r: NewRecord, audit: (ref: string) => AuditInput): Promise<string>;
  /** Emergencies first, then urgent and so on; newest first within a level; withdrawn ones last. */
  list(q: ListQuery): Promise<RecordSummary[]>;
  get(centre: string, ref: string): Promise<IntakeRecord | undefined>;
  /** Marks reviewed with a note; undefined when there is no such record, 'withdrawn' when there is nothing to review. */
  review(centre: string, ref: string, by: string, note: string, audit: AuditInput): Promise<IntakeRecord | 'withdrawn' | undefined>;
  /** Removes a record and its alerts for good (an admin's deletion). */
  delete(centre: string, ref: string, audit: AuditInput): Promise<boolean>;
  /** The person withdrew: every record of that conversation loses its content and pending alerts. */
  withdrawConversation(conversation: string, audit: (ref: string, centre: string) => AuditInput): Promise<{ ref: string; centre: string }[]>;
  /** Records past RECORDS_TTL_DAYS go, with their alerts. */
  purgeExpired(audit: (ref: string, centre: string) => AuditInput): Promise<{ ref: string; centre: string }[]>;
  summaryOf(ref: string): Promise<RecordSummary | undefined>;

  /** Takes pending alerts due by `at` (all pending ones when `at` is Infinity), oldest first, for one attempt each; not those in `skip`. */
  claimDueAlerts(at: number, limit: number, skip: readonly string[]): Promise<DueAlert[]>;
  /** When the next pending alert is due (or its claim runs out); undefined when none is pending. */
  nextAlertAt(): Promise<number | undefined>;
  /** Delivered: the payload (headline, patterns) is no longer needed and is overwritten. False when the alert is gone. */
  alertDelivered(a: DueAlert): Promise<boolean>;
  /** Failed, to be tried again at `next`; false when the alert is gone (withdrawn, deleted) or claimed again since. */
  alertRetry(a: DueAlert, next: number, error: string): Promise<boolean>;
  /** Failed for the last time: given up, the payload overwritten. False as for alertRetry. */
  alertFailed(a: DueAlert, error: string): Promise<boolean>;
  /** Alerts of a centre that are failing or gave up: the staff page shows them. */
  alertProblems(centre: string): Promise<(AlertState & { ref: string; createdAt: string })[]>;
}

// ---- rows: both stores keep these columns ------------------------------------------------------------------------

export interface RecordRow {
  ref: string; centre: string; created: number; updated: number; expires: number; status: Status; level: Level | null;
  channel: string; source: 'conversation' | 'api'; client_reference: string | null; knowledge_version: string | null;
  consent: string; content: string | null; reviews: string; withdrawn: number | null;
}

export interface OutboxRow { id: string; ref: string; centre: string; created: number; next: number; attempts: number; status: AlertState['status']; last_error: string | null; delivered: number | null; payload: string | null }

export const iso = (t: number) => new Date(t).toISOString();
export const levelRank = (l: Level) => LEVELS.indexOf(l);
/** Conversation ids are kept only as digests: enough to find a conversation's records when it withdraws them. */
export const conversationKey = (channelId: string, conversationId: string) => createHash('sha256').update(`${channelId}\n${conversationId}`).digest('hex');
export const recordContent = (r: NewRecord) => JSON.stringify({ answers: r.answers, assessment: r.assessment });

export function summaryOfRow(r: RecordRow, alert?: AlertState['status']): RecordSummary {
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

export function recordOfRow(row: RecordRow, alerts: AlertState[]): IntakeRecord {
  const content = row.content ? (JSON.parse(row.content) as { answers: RecordAnswers; assessment: Assessment }) : undefined;
  return {
    ...summaryOfRow(row, alerts.at(-1)?.status),
    source: row.source,
    expiresAt: iso(row.expires),
    ...(row.knowledge_version ? { knowledgeVersion: row.knowledge_version } : {}),
    ...(row.status !== 'withdrawn' ? { consent: JSON.parse(row.consent) as Consent } : {}),
    ...(content ?? {}),
    reviews: JSON.parse(row.reviews) as Review[],
    alerts,
  };
}

export function alertStateOfRow(r: OutboxRow): AlertState {
  return {
    id: r.id, status: r.status, attempts: r.attempts,
    ...(r.last_error ? { lastError: r.last_error } : {}),
    ...(r.delivered ? { deliveredAt: iso(r.delivered) } : {}),
    ...(r.status === 'pending' ? { nextAttemptAt: iso(r.next) } : {}),
  };
}

export const reviewed = (reviews: string, by: string, at: number, note: string) => JSON.stringify([...(JSON.parse(reviews) as Review[]), { by, at: iso(at), note }]);
