// Drives the real TriageBot in-process, turn by turn, and reads what it sent back.
import { MemoryStorage, type Storage } from 'botbuilder';
import { LocalAdapter, TriageBot, type Outbound } from '../src/bot/index.js';
import { createLogger } from '../src/log.js';
import { createTriage, type Assessment, type Triage } from '../src/triage/index.js';

let shared: Triage | undefined;
export const sharedTriage = () => (shared ??= createTriage());

export const questionOf = (a: Outbound | undefined): string | undefined =>
  (a?.channelData as { triage?: { question?: string } } | undefined)?.triage?.question;
export const resultOf = (turn: Outbound[]): Assessment | undefined =>
  turn.find((a) => a.type === 'event' && a.name === 'triage.result')?.value as Assessment | undefined;
export const textsOf = (turn: Outbound[]) => turn.filter((a) => a.type === 'message').map((a) => a.text ?? '');

export class Chat {
  readonly bot: TriageBot;
  readonly adapter: LocalAdapter;
  private turn: Outbound[] = [];
  /** Every activity the bot sent, in order. */
  readonly all: Outbound[] = [];

  constructor(opts: { channelId?: string; locale?: string; now?: string; storage?: Storage; id?: string; triage?: Triage; conversationType?: string } = {}) {
    this.bot = new TriageBot({
      triage: opts.triage ?? sharedTriage(),
      storage: opts.storage ?? new MemoryStorage(),
      defaultLocale: 'en-US',
      logger: createLogger({ logLevel: 'silent', logHealthData: false }),
    });
    this.adapter = new LocalAdapter(this.bot, (a) => { this.turn.push(a); this.all.push(a); }, {
      id: opts.id ?? `t-${Math.random().toString(36).slice(2)}`, channelId: opts.channelId ?? 'webchat', locale: opts.locale, conversationType: opts.conversationType,
    });
    this.now = opts.now;
  }

  now?: string;

  async join(): Promise<Outbound[]> {
    return this.run(() => this.adapter.send({ type: 'conversationUpdate', localTimestamp: this.now }));
  }

  async say(text: string): Promise<Outbound[]> {
    return this.run(() => this.adapter.send({ text, localTimestamp: this.now }));
  }

  async submit(value: unknown): Promise<Outbound[]> {
    return this.run(() => this.adapter.send({ text: '', value, localTimestamp: this.now }));
  }

  private async run(fn: () => Promise<void>): Promise<Outbound[]> {
    this.turn = [];
    await fn();
    return this.turn;
  }

  /** The question the bot is waiting on: the tag of its last message (undefined when it asked nothing). */
  get question(): string | undefined {
    const last = [...this.all].reverse().find((a) => a.type === 'message');
    return questionOf(last);
  }
}
