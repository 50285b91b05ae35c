// The intake handoff as one object: the records backend (SQLite records file, or PostgreSQL with STORAGE=postgres)
// with its stores, the alert worker, retention, and the change feed the staff page listens to. The server's faces and
// the conversation use this; nothing here knows HTTP.
import { EventEmitter } from 'node:events';
import type { Pool } from '../storage/postgres/pool.js';
import type { Assessment } from '../triage/types.js';
import { AlertDeliverer, alertPayload, type AlertDelivererOptions } from './alerts.js';
import type { AuditTrail } from './audit.js';
import type { RecordChange, RecordsBackend } from './backend.js';
import type { RecordsConfig } from './config.js';
import type { Db } from './db.js';
import { conversationKey, type NewRecord, type RecordAnswers, type RecordsStore } from './model.js';
import { postgresBackend } from './postgres/backend.js';
import { sqliteBackend } from './sqlite.js';
import { StaffDirectory } from './staff.js';

export type { RecordChange } from './backend.js';

export interface RecordsOptions {
  now?: () => number;
  alerts?: Omit<AlertDelivererOptions, 'now' | 'onChange'>;
  /** How often expired records are purged (also once at start). */
  purgeEveryMs?: number;
  onAlertError?: (info: { id: string; error: string; attempts: number }) => void;
  /** A background task (purge, alert worker, change feed) failed; `code` names the error, never the data. */
  onBackgroundError?: (info: { task: string; code: string }) => void;
  /** STORAGE=postgres: the instance's pool; the records live in PostgreSQL (migrated at start by main.ts). */
  pool?: Pool;
  /** PostgreSQL: how long a claimed alert stays with the instance delivering it before another may take it. */
  alertLeaseMs?: number;
}

export class Records {
  /** The SQLite records file (undefined on PostgreSQL). */
  readonly db: Db | undefined;
  readonly store: RecordsStore;
  readonly staff: StaffDirectory;
  readonly audit: AuditTrail;
  readonly changes = new EventEmitter<{ change: [RecordChange] }>();
  private readonly backend: RecordsBackend;
  private readonly deliverer?: AlertDeliverer;
  private readonly purgeTimer: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly onBackgroundError: NonNullable<RecordsOptions['onBackgroundError']>;

  constructor(readonly config: RecordsConfig, opts: RecordsOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.onBackgroundError = opts.onBackgroundError ?? (() => undefined);
    const ttlMs = config.ttlDays * 86_400_000;
    const alertTimeout = opts.alerts?.timeoutMs ?? 10_000;
    this.backend = opts.pool
      ? postgresBackend(opts.pool, { ttlMs, now: this.now, leaseMs: opts.alertLeaseMs ?? alertTimeout + 50_000, onError: (code) => this.onBackgroundError({ task: 'change-feed', code }) })
      : sqliteBackend(config.path, ttlMs, this.now);
    this.db = 'db' in this.backend ? (this.backend.db as Db) : undefined;
    this.changes.setMaxListeners(0);
    this.store = this.backend.store;
    this.staff = new StaffDirectory(this.backend.staff, this.now);
    this.audit = this.backend.audit;
    // Other instances' changes are heard once something here listens (a staff page's live feed), not before.
    const events = this.changes as EventEmitter;
    const subscribe = (event: string | symbol) => {
      if (event !== 'change') return;
      events.off('newListener', subscribe);
      this.backend.subscribe?.((c) => this.changes.emit('change', c));
    };
    events.on('newListener', subscribe);
    if (config.alerts) {
      this.deliverer = new AlertDeliverer(this.store, config.alerts, {
        // Shared rows: another instance may have queued an alert and gone away before sending it.
        ...(this.backend.shared ? { pollMs: 5_000, claimBatch: 1 } : {}),
        ...opts.alerts,
        now: this.now,
        onError: opts.onAlertError,
        onChange: (ref, centre) => this.emit({ ref, centre, kind: 'alert' }),
        onWorkerError: (code) => this.onBackgroundError({ task: 'alerts', code }),
      });
      this.deliverer.start();
    }
    void this.purgeQuietly();
    this.purgeTimer = setInterval(() => void this.purgeQuietly(), opts.purgeEveryMs ?? 60 * 60_000);
    this.purgeTimer.unref();
  }

  centre(id: string | undefined): string | undefined {
    if (!id) return this.config.centres[0]!.id;
    return this.config.centres.find((c) => c.id === id)?.id;
  }

  centreName(id: string): string {
    return this.config.centres.find((c) => c.id === id)?.name ?? id;
  }

  /** A person agreed in a conversation: saves the record, audits the consent, queues the alert. */
  saveFromConversation(r: { channelId: string; conversationId: string; centre?: string; answers: RecordAnswers; assessment: Assessment; statement: string }): Promise<string> {
    const centre = this.centre(r.centre) ?? this.config.centres[0]!.id;
    return this.save({
      centre, channel: r.channelId, source: 'conversation', conversation: conversationKey(r.channelId, r.conversationId),
      consent: { given: true, at: new Date(this.now()).toISOString(), by: 'person', statement: r.statement },
      answers: r.answers, assessment: r.assessment,
    }, 'person');
  }

  /** POST /api/assess with "record": true: the integration vouches for the person's consent. */
  saveFromApi(r: { centre: string; clientReference?: string; answers: RecordAnswers; assessment: Assessment }): Promise<string> {
    return this.save({
      centre: r.centre, channel: 'api', source: 'api', clientReference: r.clientReference,
      consent: { given: true, at: new Date(this.now()).toISOString(), by: 'integration' },
      answers: r.answers, assessment: r.assessment,
    }, 'integration');
  }

  private async save(r: NewRecord, actor: string): Promise<string> {
    const alerts = this.config.alerts;
    const wantsAlert = alerts && alerts.levels.includes(r.assessment.level);
    const ref = await this.store.insert({
      ...r,
      alert: wantsAlert ? (ref) => alertPayload(ref, r.centre, r.assessment, new Date(this.now()).toISOString(), this.config.publicUrl) : undefined,
    }, (ref) => ({ centre: r.centre, actor, action: 'consent', ref, detail: { channel: r.channel } }));
    this.emit({ ref, centre: r.centre, kind: 'created' });
    if (wantsAlert) this.deliverer?.kick();
    return ref;
  }

  /** "delete my data": every record of the conversation is withdrawn; returns their references. */
  async withdrawConversation(channelId: string, conversationId: string): Promise<string[]> {
    const done = await this.store.withdrawConversation(conversationKey(channelId, conversationId), (ref, centre) => ({ centre, actor: 'person', action: 'withdraw', ref }));
    for (const { ref, centre } of done) this.emit({ ref, centre, kind: 'withdrawn' });
    return done.map((d) => d.ref);
  }

  async purgeExpired(): Promise<number> {
    const gone = await this.store.purgeExpired((ref, centre) => ({ centre, actor: 'system', action: 'expire', ref, detail: { ttlDays: this.config.ttlDays } }));
    for (const { ref, centre } of gone) this.emit({ ref, centre, kind: 'expired' });
    return gone.length;
  }

  /** The timer's purge: a database that is away now is tried again next time. */
  private async purgeQuietly(): Promise<void> {
    await this.purgeExpired().catch((err: Error & { code?: string }) => this.onBackgroundError({ task: 'purge', code: err.code ?? err.name }));
  }

  /** Tells this instance's live feeds, and the other instances' (PostgreSQL). */
  emit(c: RecordChange): void {
    this.changes.emit('change', c);
    this.backend.publish?.(c);
  }

  /** Tries every pending alert now, whatever its backoff (as a restart does). */
  retryAlertsNow(): void {
    this.deliverer?.kick(true);
  }

  /** Resolves when the alert worker has nothing in hand (tests). */
  async alertsIdle(): Promise<void> {
    await this.deliverer?.idle();
  }

  async close(): Promise<void> {
    clearInterval(this.purgeTimer);
    await this.deliverer?.stop();
    this.changes.removeAllListeners();
    await this.backend.close();
  }
}
