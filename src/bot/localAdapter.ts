// An in-process adapter: the same TriageBot, driven without HTTP (the terminal chat, the benchmark's warm-up).
import {
  ActivityTypes, BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse,
} from 'botbuilder';
import type { Bot } from './bot.js';

export type Outbound = Partial<Activity>;

export class LocalAdapter extends BotAdapter {
  private seq = 0;

  constructor(
    private readonly bot: Bot,
    private readonly deliver: (activity: Outbound) => void,
    readonly conversation: { id: string; channelId: string; locale?: string; conversationType?: string } = { id: `local-${Date.now()}`, channelId: 'cli' },
  ) {
    super();
    this.onTurnError = bot.onTurnError;
  }

  async sendActivities(_ctx: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    for (const a of activities) if (a.type !== 'delay') this.deliver(a);
    return activities.map(() => ({ id: String(++this.seq) }));
  }

  async updateActivity(): Promise<void> {
    throw new Error('LocalAdapter cannot update activities');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('LocalAdapter cannot delete activities');
  }

  async continueConversation(reference: Partial<ConversationReference>, logic: (ctx: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  /** One turn: a message with the person's local time (its offset resolves "yesterday"), or a join. */
  async send(input: { text?: string; value?: unknown; type?: 'message' | 'conversationUpdate'; localTimestamp?: string }): Promise<void> {
    const type = input.type ?? ActivityTypes.Message;
    const activity = {
      type,
      id: String(++this.seq),
      channelId: this.conversation.channelId,
      serviceUrl: 'local://in-process',
      conversation: { id: this.conversation.id, conversationType: this.conversation.conversationType ?? 'personal', name: 'local' },
      from: { id: 'person', name: 'You', role: 'user' },
      recipient: { id: 'triage-bot', name: 'Triage bot', role: 'bot' },
      locale: this.conversation.locale,
      localTimestamp: input.localTimestamp ?? localIsoNow(),
      timestamp: new Date().toISOString(),
      ...(type === ActivityTypes.Message ? { text: input.text ?? '', value: input.value } : { membersAdded: [{ id: 'person', name: 'You' }] }),
    } as unknown as Activity;
    await this.runMiddleware(new TurnContext(this, activity), (ctx) => this.bot.run(ctx));
  }
}

/** Now, as ISO-8601 with this machine's UTC offset (what a channel's localTimestamp looks like). */
export function localIsoNow(d = new Date()): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  return `${local}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}
