// In-memory state of the local Direct Line: conversation tokens and each conversation's activity stream.
// Memory is enough: a Web Chat page that outlives a restart gets 404/403 and the person starts a new conversation,
// while the bot's own answers stay in the bot's storage.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';

export const TOKEN_TTL_SECONDS = 30 * 60; // Direct Line's token lifetime; directlinejs refreshes every 15 min
const IDLE_MS = 2 * 60 * 60 * 1000; // a conversation nobody polled for two hours is dropped
const MAX_ACTIVITIES = 2000; // per conversation: a runaway client cannot grow memory without bound
const MAX_CONVERSATIONS = 10_000;

export interface Grant { conversationId: string; userId: string; expiresAt: number }

export interface Conversation {
  id: string;
  userId: string;
  started: boolean;
  activities: Partial<Activity>[];
  lastUsed: number;
}

export class ConversationStore {
  private readonly tokens = new Map<string, Grant>();
  private readonly conversations = new Map<string, Conversation>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A token for a new (not yet started) conversation, as Direct Line's tokens/generate gives. */
  generate(userId?: string): { token: string; grant: Grant } {
    this.sweep();
    if (this.conversations.size >= MAX_CONVERSATIONS) throw new Error('too many conversations');
    const id = randomUUID();
    const conversation: Conversation = { id, userId: userId ?? `web_${randomBytes(8).toString('hex')}`, started: false, activities: [], lastUsed: this.now() };
    this.conversations.set(id, conversation);
    return this.issue(conversation);
  }

  /** A fresh token for the same conversation; the old one stays valid until it expires, as in Direct Line. */
  refresh(token: string | undefined): { token: string; grant: Grant } | undefined {
    const conversation = this.byToken(token);
    return conversation && this.issue(conversation);
  }

  byToken(token: string | undefined): Conversation | undefined {
    const grant = token ? this.tokens.get(token) : undefined;
    if (!grant || grant.expiresAt <= this.now()) return undefined;
    const conversation = this.conversations.get(grant.conversationId);
    if (conversation) conversation.lastUsed = this.now();
    return conversation;
  }

  get(id: string): Conversation | undefined {
    return this.conversations.get(id);
  }

  /** Appends with a server id and timestamp (Web Chat orders by timestamp); returns the stored activity. */
  append(conversation: Conversation, activity: Partial<Activity>): Partial<Activity> | undefined {
    if (conversation.activities.length >= MAX_ACTIVITIES) return undefined;
    const stored = {
      ...activity,
      id: `${conversation.id}|${String(conversation.activities.length).padStart(7, '0')}`,
      timestamp: new Date(this.now()).toISOString() as unknown as Date,
      conversation: { id: conversation.id } as Activity['conversation'],
    };
    conversation.activities.push(stored);
    return stored;
  }

  /** Activities after the watermark (an opaque string to clients; here the count already seen). */
  since(conversation: Conversation, watermark: string | undefined): { activities: Partial<Activity>[]; watermark: string } {
    const from = Math.min(Math.max(Number.parseInt(watermark ?? '', 10) || 0, 0), conversation.activities.length);
    return { activities: conversation.activities.slice(from), watermark: String(conversation.activities.length) };
  }

  private issue(conversation: Conversation): { token: string; grant: Grant } {
    const token = randomBytes(32).toString('base64url');
    const grant = { conversationId: conversation.id, userId: conversation.userId, expiresAt: this.now() + TOKEN_TTL_SECONDS * 1000 };
    this.tokens.set(token, grant);
    return { token, grant };
  }

  /** Lazy clean-up on each new conversation, so no timer keeps the process (or a test) alive. */
  private sweep(): void {
    const now = this.now();
    for (const [token, grant] of this.tokens) if (grant.expiresAt <= now) this.tokens.delete(token);
    for (const [id, c] of this.conversations) if (now - c.lastUsed > IDLE_MS) this.conversations.delete(id);
  }
}
