// A conversation through the real server's POST /api/messages (deliveryMode expectReplies), turn by turn.
import type { Assessment } from '../src/triage/index.js';
import type { RunningServer } from './helpers.js';

export interface Reply {
  type: string;
  text?: string;
  name?: string;
  value?: unknown;
  inputHint?: string;
  attachments?: { contentType: string; content: { body: { type: string; text?: string }[]; fallbackText?: string } }[];
  suggestedActions?: { actions: { title?: string; value?: unknown }[] };
  channelData?: { triage?: { question?: string } };
}

export const questionOf = (a: Reply | undefined) => a?.channelData?.triage?.question;
export const resultOf = (turn: Reply[]) => turn.find((a) => a.type === 'event' && a.name === 'triage.result')?.value as Assessment | undefined;
export const textsOf = (turn: Reply[]) => turn.filter((a) => a.type === 'message').map((a) => a.text ?? '');
export const buttonsOf = (a: Reply | undefined) => (a?.suggestedActions?.actions ?? []).map((x) => String(x.title));

let seq = 0;

/** What a person can send in a chat, whatever carries it (the bot's activity protocol or the local Direct Line). */
export abstract class ChatClient {
  /** Every activity the bot sent, in order. */
  readonly all: Reply[] = [];

  /** Sends one activity as the person and returns the bot's replies to it. */
  abstract post(activity: Record<string, unknown>): Promise<Reply[]>;

  say(text: string, extra: Record<string, unknown> = {}): Promise<Reply[]> {
    return this.post({ type: 'message', text, ...extra });
  }

  /** A card button or suggested action sent back as a value, with no text (Web Chat's card submits). */
  submit(value: unknown): Promise<Reply[]> {
    return this.post({ type: 'message', text: '', value });
  }

  event(name: string, value: unknown, extra: Record<string, unknown> = {}): Promise<Reply[]> {
    return this.post({ type: 'event', name, value, ...extra });
  }

  /** The question the bot is waiting on. */
  get question(): string | undefined {
    return questionOf([...this.all].reverse().find((a) => a.type === 'message'));
  }

  get lastQuestion(): Reply | undefined {
    return [...this.all].reverse().find((a) => questionOf(a));
  }
}

export class HttpChat extends ChatClient {
  readonly id: string;

  constructor(private readonly srv: RunningServer, private readonly opts: { channelId?: string; locale?: string; now?: string; id?: string } = {}) {
    super();
    this.id = opts.id ?? `http-chat-${++seq}-${Math.random().toString(36).slice(2, 8)}`;
  }

  async post(extra: Record<string, unknown>): Promise<Reply[]> {
    const res = await this.srv.post('/api/messages', {
      channelId: this.opts.channelId ?? 'webchat', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies',
      conversation: { id: this.id, conversationType: 'personal' }, from: { id: 'person' }, recipient: { id: 'bot' },
      ...(this.opts.now ? { localTimestamp: this.opts.now } : {}), ...(this.opts.locale ? { locale: this.opts.locale } : {}),
      ...extra,
    });
    if (res.status !== 200) throw new Error(`POST /api/messages: HTTP ${res.status} ${await res.text()}`);
    const turn = ((await res.json()) as { activities?: Reply[] }).activities ?? [];
    this.all.push(...turn);
    return turn;
  }

  join(extra: Record<string, unknown> = {}): Promise<Reply[]> {
    return this.post({ type: 'conversationUpdate', membersAdded: [{ id: 'person' }, { id: 'bot' }], ...extra });
  }

}
