// The intake handoff as one object: the records file with its stores, the alert worker, retention, and the change
// feed the staff page listens to. The server's faces and the conversation use this; nothing here knows HTTP.
import { EventEmitter } from 'node:events';
import type { Assessment } from '../triage/types.js';
import { AlertDeliverer, alertPayload, type AlertDelivererOptions } from './alerts.js';
import { AuditTrail } from './audit.js';
import type { RecordsConfig } from './config.js';
import { openRecordsDb, type Db } from './db.js';
import { RecordsStore, conversationKey, type RecordAnswers } from './store.js';
import { StaffDirectory } from './staff.js';

export interface RecordsOptions {
  now?: () => number;
  alerts?: Omit<AlertDelivererOptions, 'now' | 'onChange'>;
  /** How often expired records are purged (also once at start). */
  purgeEveryMs?: number;
  onAlertError?: (info: { id: string; error: string; attempts: number }) => void;
}

export interface RecordChange { ref: string; centre: string; kind: 'created' | 'reviewed' | 'withdrawn' | 'deleted' | 'alert' | 'expired' }

export class Records {
  readonly db: Db;
  readonly store: RecordsStore;
  readonly staff: StaffDirectory;
  readonly audit: AuditTrail;
  readonly changes = new EventEmitter<{ change: [RecordChange] }>();
  private readonly deliverer?: AlertDeliverer;
  private readonly purgeTimer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(readonly config: RecordsConfig, opts: RecordsOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.db = openRecordsDb(config.path);
    this.changes.setMaxListeners(0);
    this.store = new RecordsStore(this.db, config.ttlDays * 86_400_000, this.now);
    this.staff = new StaffDirectory(this.db, this.now);
    this.audit = new AuditTrail(this.db, this.now);
    if (config.alerts) {
      this.deliverer = new AlertDeliverer(this.store, config.alerts, {
        ...opts.alerts,
        now: this.now,
        onError: opts.onAlertError,
        onChange: (ref, centre) => this.emit({ ref, centre, kind: 'alert' }),
      });
      this.deliverer.start();
    }
    this.purgeExpired();
    this.purgeTimer = setInterval(() => this.purgeExpired(), opts.purgeEveryMs ?? 60 * 60_000);
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
  saveFromConversation(r: { channelId: string; conversationId: string; centre?: string; answers: RecordAnswers; assessment: Assessment; statement: string }): string {
    const centre = this.centre(r.centre) ?? this.config.centres[0]!.id;
    return this.save({
      centre, channel: r.channelId, source: 'conversation', conversation: conversationKey(r.channelId, r.conversationId),
      consent: { given: true, at: new Date(this.now()).toISOString(), by: 'person', statement: r.statement },
      answers: r.answers, assessment: r.assessment,
    }, 'person');
  }

  /** POST /api/assess with "record": true: the integration vouches for the person's consent. */
  saveFromApi(r: { centre: string; clientReference?: string; answers: RecordAnswers; assessment: Assessment }): string {
    return this.save({
      centre: r.centre, channel: 'api', source: 'api', clientReference: r.clientReference,
      consent: { given: true, at: new Date(this.now()).toISOString(), by: 'integration' },
      answers: r.answers, assessment: r.assessment,
    }, 'integration');
  }

  private save(r: Parameters<RecordsStore['insert']>[0], actor: string): string {
    const alerts = this.config.alerts;
    const wantsAlert = alerts && alerts.levels.includes(r.assessment.level);
    const ref = this.store.insert({
      ...r,
      alert: wantsAlert ? (ref) => alertPayload(ref, r.centre, r.assessment, new Date(this.now()).toISOString(), this.config.publicUrl) : undefined,
    }, (ref) => this.audit.append({ centre: r.centre, actor, action: 'consent', ref, detail: { channel: r.channel } }));
    this.emit({ ref, centre: r.centre, kind: 'created' });
    if (wantsAlert) this.deliverer?.kick();
    return ref;
  }

  /** "delete my data": every record of the conversation is withdrawn; returns their references. */
  withdrawConversation(channelId: string, conversationId: string): string[] {
    const done = this.store.withdrawConversation(conversationKey(channelId, conversationId), (ref, centre) => {
      this.audit.append({ centre, actor: 'person', action: 'withdraw', ref });
    });
    for (const { ref, centre } of done) this.emit({ ref, centre, kind: 'withdrawn' });
    return done.map((d) => d.ref);
  }

  purgeExpired(): number {
    return this.store.purgeExpired((ref, centre) => {
      this.audit.append({ centre, actor: 'system', action: 'expire', ref, detail: { ttlDays: this.config.ttlDays } });
      this.emit({ ref, centre, kind: 'expired' });
    });
  }

  emit(c: RecordChange): void {
    this.changes.emit('change', c);
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
    if (this.db.open) this.db.close();
  }
}
