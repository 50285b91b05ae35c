// Alerts for saved records at a level in ALERT_LEVELS, delivered at least once from the durable outbox beside the
// records (SQLite file or PostgreSQL; there any free instance delivers, see postgres/store.ts for the claims): an alert is written in the same transaction as its record, tried at once, and retried with backoff for 24 hours
// (across restarts: pending alerts are tried again when the server starts). Each carries an idempotency key that stays
// the same across attempts. `json` is signed (X-Triage-Timestamp, X-Triage-Signature: sha256=HMAC(secret,
// "timestamp.body")); `teams` (Adaptive Card) and `slack` (Block Kit) carry only the level, the reference and a link.
import { createHmac } from 'node:crypto';
import type { Assessment, Level } from '../triage/types.js';
import type { AlertFormat } from './config.js';
import type { DueAlert, RecordsStore } from './model.js';

/** What the outbox keeps until delivery (then it is overwritten). */
export interface AlertPayload {
  ref: string;
  centre: string;
  level: Level;
  headline: string;
  patterns: { id: string; status: string }[];
  redFlags: string[];
  createdAt: string;
  link: string;
}

export function alertPayload(ref: string, centre: string, a: Assessment, createdAt: string, publicUrl: string): AlertPayload {
  return {
    ref, centre, level: a.level, headline: a.headline,
    patterns: a.patterns.filter((p) => p.status !== 'absent').map((p) => ({ id: p.id, status: p.status })),
    redFlags: a.redFlags.map((f) => f.id),
    createdAt,
    link: staffLink(publicUrl, ref),
  };
}

export const staffLink = (publicUrl: string, ref: string) => `${publicUrl}/staff#record=${encodeURIComponent(ref)}`;

const LEVEL_TEXT: Record<Level, string> = {
  emergency: 'EMERGENCY', urgent: 'Urgent', 'contact-clinician': 'Contact clinician', 'self-monitor': 'Self-monitor',
};

/** The request body for a format. Chat formats: level, reference and link only; never answers or findings. */
export function alertBody(format: AlertFormat, id: string, p: AlertPayload): unknown {
  const title = `${LEVEL_TEXT[p.level]} intake record ${p.ref}`;
  if (format === 'teams') {
    // A Teams incoming webhook (Workflows "post to a channel when a webhook request is received" or a connector)
    // takes a message with an Adaptive Card attachment; 1.4 renders everywhere Teams does.
    return {
      type: 'message',
      attachments: [{
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true, color: p.level === 'emergency' ? 'Attention' : 'Warning' },
            { type: 'FactSet', facts: [{ title: 'Level', value: p.level }, { title: 'Reference', value: p.ref }] },
          ],
          actions: [{ type: 'Action.OpenUrl', title: 'Open in the staff page', url: p.link }],
        },
      }],
    };
  }
  if (format === 'slack') {
    return {
      text: `${title}: ${p.link}`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: title } },
        { type: 'section', fields: [{ type: 'mrkdwn', text: `*Level*\n${p.level}` }, { type: 'mrkdwn', text: `*Reference*\n${p.ref}` }] },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in the staff page' }, url: p.link }] },
      ],
    };
  }
  return {
    id, type: 'triage.record', ref: p.ref, centre: p.centre, level: p.level, headline: p.headline,
    patterns: p.patterns, redFlags: p.redFlags, createdAt: p.createdAt, link: p.link,
  };
}

/** `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>` */
export function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface AlertTarget { url: string; secret?: string; format: AlertFormat }

export interface AlertDelivererOptions {
  /** First retry after this, then ×3 each time, capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Give up after this long since the alert was made (24 h). */
  giveUpAfterMs?: number;
  timeoutMs?: number;
  now?: () => number;
  /** Told when an alert's state changes (the staff page's live queue). */
  onChange?: (ref: string, centre: string) => void;
  onError?: (info: { id: string; error: string; attempts: number }) => void;
  /** The outbox itself could not be read or written (database away); the worker tries again at its next wake-up. */
  onWorkerError?: (code: string) => void;
  /** Alerts taken per look at the outbox (a shared outbox: one, so none waits out its claim behind another's delivery). */
  claimBatch?: number;
  /** Look at the outbox at least this often even when nothing here queued an alert (a shared outbox). */
  pollMs?: number;
}

/** Works the outbox: one delivery at a time, woken by new alerts and by the next retry's timer. */
export class AlertDeliverer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly o: Required<Omit<AlertDelivererOptions, 'onChange' | 'onError' | 'onWorkerError' | 'pollMs'>> & Pick<AlertDelivererOptions, 'onChange' | 'onError' | 'onWorkerError' | 'pollMs'>;

  constructor(private readonly store: RecordsStore, private readonly target: AlertTarget, opts: AlertDelivererOptions = {}) {
    this.o = {
      baseDelayMs: 5_000, maxDelayMs: 60 * 60_000, giveUpAfterMs: 24 * 60 * 60_000, timeoutMs: 10_000, now: Date.now, claimBatch: 20, ...opts,
    };
  }

  /** After a (re)start: every pending alert is tried now, however far off its next attempt was. */
  start(): void {
    this.kick(true);
  }

  /** A new alert was queued: work the outbox now. */
  kick(all = false): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.work(all).catch((err: Error & { code?: string }) => {
      this.o.onWorkerError?.(err.code ?? err.name);
    }).then(() => this.schedule()).catch(() => this.scheduleIn(this.o.pollMs ?? this.o.baseDelayMs)).finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves when the current pass is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.idle();
  }

  /** Wakes at the next retry (or claim running out), or at the poll when the outbox is shared, whichever is sooner. */
  private async schedule(): Promise<void> {
    if (this.stopped) return;
    const next = await this.store.nextAlertAt();
    const wait = next === undefined ? undefined : next - this.o.now();
    const poll = this.o.pollMs;
    if (wait === undefined && poll === undefined) return clearTimeout(this.timer);
    this.scheduleIn(Math.min(wait ?? Infinity, poll ?? Infinity));
  }

  private scheduleIn(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => this.kick(), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    this.timer.unref();
  }

  private async work(all: boolean): Promise<void> {
    const seen = new Set<string>();
    for (;;) {
      if (this.stopped) return;
      // Each alert once per pass: one that failed just now waits for its backoff, not for this loop.
      const due = await this.store.claimDueAlerts(all ? Infinity : this.o.now(), this.o.claimBatch, [...seen]);
      if (!due.length) return;
      for (const a of due) {
        if (this.stopped) return;
        seen.add(a.id);
        await this.deliver(a);
      }
    }
  }

  private async deliver(a: DueAlert): Promise<void> {
    let error: string | undefined;
    if (!a.payload) error = 'no payload';
    else {
      const body = JSON.stringify(alertBody(this.target.format, a.id, a.payload as AlertPayload));
      const timestamp = String(Math.floor(this.o.now() / 1000));
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'triage-bot-alerts',
        'idempotency-key': a.id,
        'x-triage-timestamp': timestamp,
        'x-triage-delivery-attempt': String(a.attempts + 1),
      };
      if (this.target.secret) headers['x-triage-signature'] = sign(this.target.secret, timestamp, body);
      try {
        const res = await fetch(this.target.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.o.timeoutMs) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        error = e.cause?.code ?? (e.name === 'TimeoutError' ? 'timeout' : e.name);
      }
    }
    // False: withdrawn or deleted meanwhile (or, after a failure, claimed again by another instance): nothing to say.
    if (!error) {
      if (!(await this.store.alertDelivered(a))) return;
    } else {
      const attempts = a.attempts + 1;
      const next = this.o.now() + Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 3 ** (attempts - 1)) * (0.9 + Math.random() * 0.2);
      const kept = next - a.created > this.o.giveUpAfterMs ? await this.store.alertFailed(a, error) : await this.store.alertRetry(a, next, error);
      if (!kept) return;
      this.o.onError?.({ id: a.id, error, attempts });
    }
    this.o.onChange?.(a.ref, a.centre);
  }
}
