// In-memory state of the local Direct Line: conversation tokens and each conversation's activity stream.
// Memory is enough: a Web Chat page that outlives a restart gets 404/403 and the person starts a new conversation,
// while the bot's own answers stay in the bot's storage (and can still be deleted with the conversation's delete key).
//
// Everything is bounded: conversations in total (the longest idle is dropped for a new one), tokens per conversation,
// activities and bytes per conversation. Conversations are kept in least-recently-used order, so finding the idle
// ones costs nothing per request.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { DirectLineStore, Grant } from './store.js';

export type { Grant } from './store.js';

export const TOKEN_TTL_SECONDS = 30 * 60; // Direct Line's token lifetime; directlinejs refreshes every 15 min
const IDLE_MS = 2 * 60 * 60 * 1000; // a conversation nobody polled for two hours is dropped
/** At the cap, a conversation idle this long gives way to a new one; when none is, newcomers are asked to retry. */
export const EVICTABLE_IDLE_MS = 60_000;
/** Web Chat holds one token and refreshes it; a few overlapping ones cover a refresh racing a reload. */
export const MAX_TOKENS_PER_CONVERSATION = 3;
/** After "delete my data", how long the confirmation waits to be fetched before the conversation goes anyway. */
const CLOSING_MS = 60_000;

export interface StoreLimits {
  conversations: number;
  activities: number;
  bytes: number;
}

export const DEFAULT_LIMITS: StoreLimits = { conversations: 10_000, activities: 400, bytes: 1024 * 1024 };

export interface Conversation {
  id: string;
  userId: string;
  started: boolean;
  /** Activities after `dropped` earlier ones (erased by "delete my data"); watermarks count both. */
  activities: Partial<Activity>[];
  dropped: number;
  bytes: number;
  lastUsed: number;
  /** Live tokens, oldest first. */
  tokens: Map<string, number>;
  /** Set by "delete my data": the stream ends once its last reply has been fetched. */
  closing?: { since: number; replied: boolean };
}

export class ConversationsFull extends Error {
  override name = 'ConversationsFull';
  constructor(readonly retryAfterSeconds: number) {
    super('every conversation is in use');
  }
}

export class ConversationStore implements DirectLineStore<Conversation> {
  private readonly tokens = new Map<string, string>(); // token → conversation id
  /** Streams waiting for a conversation's next activity. */
  private readonly watchers = new Map<string, Set<() => void>>();
  /** Least recently used first. */
  private readonly conversations = new Map<string, Conversation>();
  readonly limits: StoreLimits;

  constructor(private readonly now: () => number = Date.now, limits: Partial<StoreLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  get size(): number {
    return this.conversations.size;
  }

  /** A token for a new (not yet started) conversation, as Direct Line's tokens/generate gives. Throws
   * ConversationsFull when every conversation is in use. */
  generate(userId?: string): { token: string; grant: Grant } {
    this.sweep();
    if (this.conversations.size >= this.limits.conversations) {
      const [oldest] = this.conversations.values();
      const idle = this.now() - oldest!.lastUsed;
      if (idle < EVICTABLE_IDLE_MS) throw new ConversationsFull((EVICTABLE_IDLE_MS - idle) / 1000);
      this.drop(oldest!);
    }
    const id = randomUUID();
    const conversation: Conversation = {
      id, userId: userId ?? `web_${randomBytes(8).toString('hex')}`, started: false, activities: [], dropped: 0, bytes: 0,
      lastUsed: this.now(), tokens: new Map(),
    };
    this.conversations.set(id, conversation);
    return this.issue(conversation);
  }

  /** A fresh token for the same conversation; the old one stays valid until it expires, as in Direct Line, but a
   * conversation holds at most a few: the oldest is revoked. */
  refresh(token: string | undefined): { token: string; grant: Grant } | undefined {
    const conversation = this.byToken(token);
    return conversation && !conversation.closing ? this.issue(conversation) : undefined;
  }

  byToken(token: string | undefined): Conversation | undefined {
    const id = token ? this.tokens.get(token) : undefined;
    const conversation = id ? this.conversations.get(id) : undefined;
    const expiresAt = conversation?.tokens.get(token!);
    if (!conversation || expiresAt === undefined) return undefined;
    if (expiresAt <= this.now()) {
      conversation.tokens.delete(token!);
      this.tokens.delete(token!);
      return undefined;
    }
    this.touch(conversation);
    return conversation;
  }

  get(id: string): Conversation | undefined {
    return this.conversations.get(id);
  }

  start(conversation: Conversation): boolean {
    const isNew = !conversation.started;
    conversation.started = true;
    return isNew;
  }

  watch(id: string, wake: () => void): () => void {
    let set = this.watchers.get(id);
    if (!set) this.watchers.set(id, (set = new Set()));
    set.add(wake);
    return () => {
      set.delete(wake);
      if (!set.size && this.watchers.get(id) === set) this.watchers.delete(id);
    };
  }

  /**
   * Appends with a server id and timestamp (Web Chat orders by timestamp); returns the stored activity, or undefined
   * when the conversation is full. The bot's replies get some headroom, so the answer to an accepted message fits.
   */
  append(conversation: Conversation, activity: Partial<Activity>, fromBot = false): Partial<Activity> | undefined {
    const seq = conversation.dropped + conversation.activities.length;
    const stored = {
      ...activity,
      id: `${conversation.id}|${String(seq).padStart(7, '0')}`,
      timestamp: new Date(this.now()).toISOString() as unknown as Date,
      conversation: { id: conversation.id } as Activity['conversation'],
    };
    const size = JSON.stringify(stored).length;
    const headroom = fromBot ? 2 : 1;
    if (conversation.activities.length >= this.limits.activities * headroom || conversation.bytes + size > this.limits.bytes * headroom) return undefined;
    if (conversation.closing && !fromBot) return undefined;
    conversation.activities.push(stored);
    conversation.bytes += size;
    if (fromBot && conversation.closing) conversation.closing.replied = true;
    for (const wake of this.watchers.get(conversation.id) ?? []) wake();
    return stored;
  }

  appendFromBot(id: string, activity: Partial<Activity>): { known: boolean; stored?: Partial<Activity> } {
    const conversation = this.conversations.get(id);
    return conversation ? { known: true, stored: this.append(conversation, activity, true) } : { known: false };
  }

  /** Activities after the watermark (an opaque string to clients; here the count already seen). */
  since(conversation: Conversation, watermark: string | undefined): { activities: Partial<Activity>[]; watermark: string } {
    const end = conversation.dropped + conversation.activities.length;
    const from = Math.min(Math.max(Number.parseInt(watermark ?? '', 10) || 0, conversation.dropped), end);
    const page = { activities: conversation.activities.slice(from - conversation.dropped), watermark: String(end) };
    // Deleted on request: once the bot's confirmation has been fetched, the conversation and its tokens go.
    if (conversation.closing?.replied && page.activities.length) queueMicrotask(() => this.drop(conversation));
    return page;
  }

  /**
   * "delete my data": the transcript is erased now (watermarks stay valid), the conversation takes no more messages,
   * and it disappears with its tokens once the bot's confirmation has been fetched (or after a minute).
   */
  erase(id: string): boolean {
    const conversation = this.conversations.get(id);
    if (!conversation) return false;
    conversation.dropped += conversation.activities.length;
    conversation.activities = [];
    conversation.bytes = 0;
    conversation.closing = { since: this.now(), replied: false };
    setTimeout(() => { if (this.conversations.get(id) === conversation) this.drop(conversation); }, CLOSING_MS).unref();
    return true;
  }

  /** Removes a conversation and its tokens at once (deletion with the conversation's delete key). */
  remove(id: string): boolean {
    const conversation = this.conversations.get(id);
    if (conversation) this.drop(conversation);
    return Boolean(conversation);
  }

  private issue(conversation: Conversation): { token: string; grant: Grant } {
    const token = randomBytes(32).toString('base64url');
    const grant = { conversationId: conversation.id, userId: conversation.userId, expiresAt: this.now() + TOKEN_TTL_SECONDS * 1000 };
    conversation.tokens.set(token, grant.expiresAt);
    this.tokens.set(token, conversation.id);
    for (const old of conversation.tokens.keys()) {
      if (conversation.tokens.size <= MAX_TOKENS_PER_CONVERSATION) break;
      conversation.tokens.delete(old);
      this.tokens.delete(old);
    }
    return { token, grant };
  }

  private touch(conversation: Conversation): void {
    conversation.lastUsed = this.now();
    this.conversations.delete(conversation.id);
    this.conversations.set(conversation.id, conversation);
  }

  private drop(conversation: Conversation): void {
    for (const token of conversation.tokens.keys()) this.tokens.delete(token);
    conversation.tokens.clear();
    conversation.activities = [];
    this.conversations.delete(conversation.id);
  }

  /** Lazy clean-up on each new conversation, oldest first, stopping at the first one still in use. */
  private sweep(): void {
    const now = this.now();
    for (const c of this.conversations.values()) {
      if (now - c.lastUsed <= IDLE_MS) break;
      this.drop(c);
    }
  }
}
