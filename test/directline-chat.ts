// A conversation through the real local Direct Line, as the web chat page holds it: a token from
// /v3/directline/tokens/generate, the conversation started (with the page's locale, as Web Chat's
// conversationStartProperties send it), activities posted with the token and the bot's replies read from the
// conversation's stream. The bridge hands each activity to the bot's /api/messages with its own secret, so the bot runs
// exactly as for a person on the page; /api/messages itself refuses an unauthenticated caller naming channel directline.
import { ChatClient, questionOf, type Reply } from './http-chat.js';

interface StreamActivity extends Reply {
  id?: string;
  replyToId?: string;
  from?: { id?: string; role?: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DirectLineChat extends ChatClient {
  /** Everything in the stream, the person's echoes included, in order. */
  readonly stream: StreamActivity[] = [];
  private token = '';
  private conversationId = '';
  private watermark = '';

  constructor(private readonly srv: { url: string }, private readonly opts: { locale?: string; now?: string } = {}) {
    super();
  }

  get id(): string {
    return this.conversationId;
  }

  private async fetchJson(path: string, init: RequestInit & { expect: number[] }): Promise<unknown> {
    const res = await fetch(this.srv.url + path, {
      ...init,
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...init.headers },
    });
    const text = await res.text();
    if (!init.expect.includes(res.status)) throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** New activities of the stream since the last read; the bot's are kept in `all` and returned. */
  async read(): Promise<Reply[]> {
    const page = (await this.fetchJson(`/v3/directline/conversations/${this.conversationId}/activities?watermark=${this.watermark}`, { expect: [200] })) as
      { activities: StreamActivity[]; watermark: string };
    this.watermark = page.watermark;
    this.stream.push(...page.activities);
    const bot = page.activities.filter((a) => a.from?.role === 'bot');
    this.all.push(...bot);
    return bot;
  }

  /**
   * Starts the conversation. With a locale (the page's), the bridge's join carries it and the bot greets: this waits
   * for the welcome's question. Without one, the bot is meant to wait for the page's join event: this reads the
   * stream for `settleMs` and returns whatever the bot sent meanwhile.
   */
  async join(extra: { locale?: string } = {}, settleMs = 400): Promise<Reply[]> {
    const grant = (await this.fetchJson('/v3/directline/tokens/generate', { method: 'POST', body: '{}', expect: [200] })) as
      { token: string; conversationId: string };
    this.token = grant.token;
    this.conversationId = grant.conversationId;
    await this.fetchJson('/v3/directline/conversations', { method: 'POST', body: JSON.stringify(extra.locale ? { locale: extra.locale } : {}), expect: [201] });
    const got: Reply[] = [];
    if (extra.locale) {
      for (const end = Date.now() + 10_000; !got.some((a) => questionOf(a)); await sleep(20)) {
        if (Date.now() > end) throw new Error('no welcome from the bot over Direct Line');
        got.push(...(await this.read()));
      }
    } else {
      for (const end = Date.now() + settleMs; Date.now() < end; await sleep(50)) got.push(...(await this.read()));
    }
    return got;
  }

  /**
   * Posts an activity as the page does and returns the bot's replies to it. The bridge answers only once the bot's
   * turn is over, and the bot's replies reach the stream during the turn, so they are all there to read.
   */
  async post(activity: Record<string, unknown>): Promise<Reply[]> {
    await this.fetchJson(`/v3/directline/conversations/${this.conversationId}/activities`, {
      method: 'POST',
      body: JSON.stringify({
        // No `from`: the bridge stamps the token's user on whatever the client sends.
        ...(this.opts.locale ? { locale: this.opts.locale } : {}),
        ...(this.opts.now ? { localTimestamp: this.opts.now } : {}), ...activity,
      }),
      expect: [200],
    });
    return this.read();
  }
}
