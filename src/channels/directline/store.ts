// What the local Direct Line's routes need from where conversations live: the process's memory (STORAGE=sqlite or
// memory, one instance) or PostgreSQL (STORAGE=postgres, shared by every instance). Each method may answer at once
// or later, so the memory store keeps its synchronous methods and the routes await either alike.
import type { Activity } from 'botbuilder';

export type MaybePromise<T> = T | Promise<T>;

export interface Grant { conversationId: string; userId: string; expiresAt: number }

/** A conversation as the routes see it; each store hands back its own richer object and takes it back. */
export interface ConversationRef {
  id: string;
  userId: string;
  started: boolean;
  /** Set by "delete my data": the conversation takes no more of the person's messages. */
  closing?: { since: number; replied: boolean };
}

export interface ActivityPage { activities: Partial<Activity>[]; watermark: string }

export interface DirectLineStore<C extends ConversationRef = ConversationRef> {
  /** A token for a new (not yet started) conversation; throws ConversationsFull when every conversation is in use. */
  generate(userId?: string): MaybePromise<{ token: string; grant: Grant }>;
  /** A fresh token for the token's conversation (the old one stays valid until it expires). */
  refresh(token: string | undefined): MaybePromise<{ token: string; grant: Grant } | undefined>;
  byToken(token: string | undefined): MaybePromise<C | undefined>;
  get(id: string): MaybePromise<C | undefined>;
  /** Marks the conversation started; true only for the one call that started it. */
  start(conversation: C): MaybePromise<boolean>;
  /** Appends with a server id and timestamp; undefined when the conversation is full (or closing, for the person). */
  append(conversation: C, activity: Partial<Activity>, fromBot?: boolean): MaybePromise<Partial<Activity> | undefined>;
  /** The bot's reply into a conversation known only by its id; `known` false when there is no such conversation. */
  appendFromBot(id: string, activity: Partial<Activity>): MaybePromise<{ known: boolean; stored?: Partial<Activity> }>;
  /** Activities after the watermark, and the watermark to ask from next. */
  since(conversation: C, watermark: string | undefined): MaybePromise<ActivityPage>;
  /** "delete my data": transcript erased now, conversation closing. */
  erase(id: string): MaybePromise<boolean>;
  /** Removes a conversation and its tokens at once (deletion with the conversation's delete key). */
  remove(id: string): MaybePromise<boolean>;
  /** Calls `wake` when the conversation may have new activities (appended by this or, when shared, another instance). */
  watch(id: string, wake: () => void): () => void;
  /** A secret every instance sharing this store agrees on, when the store is shared; undefined for one process. */
  sharedSecret?(name: string): Promise<string>;
  close?(): Promise<void>;
}
