// Runs the same bot for Slack in-process: a Slack message becomes a Bot Framework activity (channelId "slack"), and
// what the bot sends becomes chat.postMessage text. Never cards: Slack has no Adaptive Cards, and Azure's Slack channel
// turns them into images at public URLs, a health-data leak; so attachments are dropped and only text leaves.
import {
  ActivityTypes, BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse,
} from 'botbuilder';
import type { WebClient } from '@slack/web-api';
import type { Bot } from '../../bot/bot.js';
import { SLACK_CONVERSATIONS } from './routes.js';

export type { Bot };

/** A Slack message event (Events API `event` object), the fields used here. */
export interface SlackMessage { user: string; channel: string; text?: string; ts: string; team?: string }

export class SlackAdapter extends BotAdapter {
  constructor(private readonly bot: Bot, private readonly web: WebClient, private readonly locale: string) {
    super();
    this.onTurnError = bot.onTurnError;
  }

  /** One turn of the bot for one Slack message; resolves once every reply has been posted. */
  async receive(m: SlackMessage, botUserId: string): Promise<void> {
    const activity = {
      type: ActivityTypes.Message,
      id: m.ts,
      channelId: 'slack',
      serviceUrl: 'slack://in-process',
      // Slack gives no locale or offset here; relative times then resolve against UTC (see README).
      locale: this.locale,
      timestamp: new Date(Number(m.ts) * 1000).toISOString(),
      // Namespaced by this face: no other face (say, /api/messages with channelId "slack") can name the same key.
      conversation: { id: `${SLACK_CONVERSATIONS}${m.team ?? 'T'}:${m.channel}`, conversationType: 'personal', isGroup: false },
      from: { id: m.user, role: 'user' },
      recipient: { id: botUserId, role: 'bot' },
      text: fromSlackText(m.text ?? ''),
      channelData: { slack: { channel: m.channel, team: m.team } },
    } as unknown as Activity;
    await this.runMiddleware(new TurnContext(this, activity), (ctx) => this.bot.run(ctx));
  }

  async sendActivities(ctx: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const channel = (ctx.activity.channelData as { slack?: { channel?: string } } | undefined)?.slack?.channel;
    const out: ResourceResponse[] = [];
    for (const a of activities) {
      const text = a.type === ActivityTypes.Message ? toSlackText(a) : '';
      // Events (triage.result), typing and delays have no Slack form; the result text carries the outcome.
      if (!text || !channel) {
        out.push({ id: '' });
        continue;
      }
      const r = await this.web.chat.postMessage({ channel, text, mrkdwn: true, unfurl_links: false, unfurl_media: false });
      out.push({ id: String(r.ts ?? '') });
    }
    return out;
  }

  async updateActivity(): Promise<void> {
    throw new Error('Slack replies are not updated');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('Slack replies are not deleted');
  }

  async continueConversation(reference: Partial<ConversationReference>, logic: (ctx: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}

/** The message as Slack text: its text, buttons written out as choices to type, a card only by its fallback text. */
export function toSlackText(a: Partial<Activity>): string {
  const parts: string[] = [];
  if (a.text) parts.push(escapeSlack(a.text));
  else {
    const fallback = a.attachments?.map((x) => (x.content as { fallbackText?: string } | undefined)?.fallbackText).find(Boolean);
    if (fallback) parts.push(escapeSlack(fallback));
  }
  const choices = a.suggestedActions?.actions?.map((x) => x.title ?? String(x.value ?? '')).filter(Boolean) ?? [];
  if (choices.length) parts.push(`_${choices.map(escapeSlack).join(' · ')}_`);
  return parts.join('\n');
}

/** Slack's text escaping: only &, < and > (the bot's *bold* and _italic_ are meant as mrkdwn). */
const escapeSlack = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Incoming text: drop user mentions (<@U123>), keep a link's label, and undo Slack's escaping. */
export function fromSlackText(s: string): string {
  return s
    .replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/g, '')
    .replace(/<([^>|]+)\|([^>]+)>/g, '$2')
    .replace(/<([^>]+)>/g, '$1')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
    .trim();
}
