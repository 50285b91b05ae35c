// The local Direct Line 3.0: the REST subset Web Chat's client uses with websockets off, plus the two Bot Connector
// routes the bot replies to. A client's activity is echoed into its stream and POSTed to the bot's real
// /api/messages with this server as serviceUrl, so the bot runs exactly as behind Azure's Direct Line and its
// replies come back here (POST /v3/conversations/:id/activities[/:replyToId]) into the same stream. Clients that
// stream (websockets on) get the same activities pushed on the conversation's stream URL (stream.ts).
//
// Where conversations live is the store's business (store.ts): this process's memory, or PostgreSQL shared by every
// instance. Then any instance serves any request, and a database that cannot be reached answers 503 with Retry-After.
import type { Activity } from 'botbuilder';
import type * as restify from 'restify';
import type { Logger } from '../../log.js';
import { BOT_BODY_BYTES, jsonBody, requireJson } from '../../server/app.js';
import { refuse } from '../../server/limits.js';
import { shared } from '../../server/shared.js';
import { isUnavailable } from '../../storage/postgres/pool.js';
import { ConversationsFull, ConversationStore, TOKEN_TTL_SECONDS, type StoreLimits } from './conversations.js';
import type { ConversationRef, DirectLineStore } from './store.js';
import { mountStreams, streamUrl } from './stream.js';

export const BOT = { id: 'triage-bot', name: 'Triage bot' };
const BOT_TIMEOUT_MS = 15_000;
const CLIENT_TYPES = new Set(['message', 'event', 'typing']);

export interface DirectLineDeps {
  logger: Logger;
  /** http://127.0.0.1:port of this very server, known once it listens. */
  selfUrl: () => string;
  /** Where conversations live; by default this process's memory. */
  store?: DirectLineStore;
  /** Store caps (MAX_OPEN_CONVERSATIONS, MAX_CONVERSATION_ACTIVITIES, MAX_CONVERSATION_BYTES). */
  limits?: Partial<StoreLimits>;
  /** MAX_ANSWER_CHARS and MAX_EVENT_VALUE_BYTES. */
  answerChars?: number;
  eventValueBytes?: number;
  /** New tokens per client address (shared with /api/webchat/token); key → seconds to wait, 0 when allowed. */
  tokenLimit?: (req: restify.Request) => number;
}

/** How long a client waits before retrying while the shared database cannot be reached. */
const UNAVAILABLE_RETRY_SECONDS = 5;

/** Issues a conversation token, or answers 429/503 with Retry-After; throws only what is neither. */
export async function issueToken(
  store: DirectLineStore, res: restify.Response, userId: string | undefined, limited: number,
): Promise<{ token: string; conversationId: string; userId: string } | undefined> {
  if (limited) {
    refuse(res, 429, limited, 'Too many new conversations from this address; retry later');
    return undefined;
  }
  try {
    const { token, grant } = await store.generate(userId);
    return { token, conversationId: grant.conversationId, userId: grant.userId };
  } catch (err) {
    if (!(err instanceof ConversationsFull)) throw err;
    refuse(res, 503, err.retryAfterSeconds, 'Every chat is in use right now; retry shortly');
    return undefined;
  }
}

type Handler = (req: restify.Request, res: restify.Response) => Promise<void>;

/** A route whose store may be a database: "not reachable now" is 503 with Retry-After (the page shows its connection
 * problem and retries), never 500; the next request after the database returns just works. */
export function storeRoute(handler: Handler): Handler {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (err) {
      if (!isUnavailable(err) || res.headersSent) throw err;
      refuse(res, 503, UNAVAILABLE_RETRY_SECONDS, 'The chat service is briefly unavailable; retry shortly');
    }
  };
}

export function mountDirectLine(server: restify.Server, deps: DirectLineDeps): DirectLineStore {
  const store: DirectLineStore = deps.store ?? new ConversationStore(Date.now, deps.limits);
  const log = deps.logger.child({ component: 'directline' });
  const body = jsonBody();
  const faces = shared(server);
  const answerChars = deps.answerChars ?? 2_000;
  const eventValueBytes = deps.eventValueBytes ?? 2_048;
  const limited = (req: restify.Request) => deps.tokenLimit?.(req) ?? 0;
  const grantJson = (conversationId: string, token: string) => ({ conversationId, token, expires_in: TOKEN_TTL_SECONDS });
  const withStream = (req: restify.Request, conversationId: string, token: string) => ({
    ...grantJson(conversationId, token), streamUrl: streamUrl(req, conversationId, token, query(req).get('watermark') ?? undefined),
  });
  // The bot replies here through its own connector client, which signs with the local secret (messages.ts).
  faces.localServiceUrl = deps.selfUrl;
  faces.erasers.push(async (ctx, locale) => {
    if (ctx.activity.channelId !== 'directline' || !(await store.erase(ctx.activity.conversation?.id ?? ''))) return undefined;
    return locale.toLowerCase().startsWith('es')
      ? 'También borré la transcripción de este chat en el servidor; este chat se cerrará en cuanto vea este mensaje.'
      : 'I also deleted this chat\'s transcript on the server; this chat closes once you have seen this message.';
  });

  server.post('/v3/directline/tokens/generate', ...body, storeRoute(async (req, res) => {
    const issued = await issueToken(store, res, safeUserId(req.body?.user?.id), limited(req));
    if (issued) res.send(200, grantJson(issued.conversationId, issued.token));
  }));

  server.post('/v3/directline/tokens/refresh', storeRoute(async (req, res) => {
    const wait = limited(req);
    if (wait) {
      refuse(res, 429, wait, 'Too many token requests from this address; retry later');
      return;
    }
    const fresh = await store.refresh(bearer(req));
    if (!fresh) return forbid(res);
    res.send(200, grantJson(fresh.grant.conversationId, fresh.token));
  }));

  server.post('/v3/directline/conversations', ...body, storeRoute(async (req, res) => {
    const token = bearer(req);
    const conversation = await store.byToken(token);
    if (!conversation) return forbid(res);
    // Only one request starts it, even when two instances are asked at once.
    const isNew = await store.start(conversation);
    // As Direct Line does: tell the bot that the bot and the person joined, which triggers the welcome.
    // The page's language (Web Chat sends it in the body) reaches the bot with the join, so the welcome is in it.
    const locale = short((req.body as { locale?: unknown } | undefined)?.locale);
    if (isNew) void toBot(conversation, { type: 'conversationUpdate', membersAdded: [BOT, { id: conversation.userId }] as Activity['membersAdded'], ...(locale ? { locale } : {}) });
    res.send(isNew ? 201 : 200, withStream(req, conversation.id, token!));
  }));

  server.get('/v3/directline/conversations/:id', storeRoute(async (req, res) => {
    const conversation = await authorised(req, res);
    if (conversation) res.send(200, withStream(req, conversation.id, bearer(req)!));
  }));

  server.get('/v3/directline/conversations/:id/activities', storeRoute(async (req, res) => {
    const conversation = await authorised(req, res);
    if (!conversation) return;
    res.header('Cache-Control', 'no-store');
    res.send(200, await store.since(conversation, query(req).get('watermark') ?? undefined));
  }));

  server.post('/v3/directline/conversations/:id/activities', requireJson, ...body, storeRoute(async (req, res) => {
    const conversation = await authorised(req, res);
    if (!conversation) return;
    const a = (req.body ?? {}) as Partial<Activity>;
    if (!CLIENT_TYPES.has(String(a.type)) || (a.text !== undefined && typeof a.text !== 'string')) {
      res.send(400, { error: 'Only message, event and typing activities with string text are accepted' });
      return;
    }
    if (a.type === 'typing') { // not shown to anyone and of no use to this bot
      res.send(200, { id: '' });
      return;
    }
    if (conversation.closing) {
      res.send(410, { error: 'This conversation was deleted; start a new one' });
      return;
    }
    if ((a.text?.length ?? 0) > answerChars) {
      res.send(413, { error: `The message is longer than ${answerChars} characters; please shorten it` });
      return;
    }
    const valueBytes = a.value === undefined ? 0 : JSON.stringify(a.value).length;
    if (valueBytes > eventValueBytes) {
      res.send(413, { error: `The activity's value is larger than ${eventValueBytes} bytes` });
      return;
    }
    // Only what a person can legitimately send, each field short; from is the token's user, whatever the client claims.
    const echo = await store.append(conversation, {
      type: a.type, text: a.text, value: a.value, name: short(a.name), locale: short(a.locale), textFormat: 'plain',
      localTimestamp: short(a.localTimestamp) as unknown as Date, localTimezone: short(a.localTimezone), channelData: clientChannelData(a.channelData),
      channelId: 'directline', from: { id: conversation.userId, name: short(a.from?.name), role: 'user' } as Activity['from'],
    });
    if (!echo) {
      refuse(res, 429, 60, 'This conversation is too long; please start a new one');
      return;
    }
    // The echo, same id, goes to the bot: its replies then carry replyToId = this id, which Web Chat waits for.
    const ok = await toBot(conversation, echo);
    if (ok) res.send(200, { id: echo.id });
    else res.send(502, { error: 'The bot did not answer; please send that again' });
  }));

  // Bot Connector side: only the bot may write bot messages into a conversation. It proves it with the secret this
  // process made at start (not the source address: behind a same-host proxy everyone is loopback).
  // Whichever instance runs the turn writes the reply to the shared store, where every instance's clients read it.
  const fromBot = storeRoute(async (req, res) => {
    if (!faces.isLocalSecret(req.header('authorization'))) {
      res.send(403, { error: 'Connector routes are for the local bot only' });
      return;
    }
    const { known, stored } = await store.appendFromBot(req.params.id, {
      ...(req.body as Partial<Activity>),
      from: { ...BOT, ...(req.body?.from ?? {}), role: 'bot' } as Activity['from'],
      replyToId: req.params.replyToId ?? req.body?.replyToId,
    });
    if (!known) res.send(404, { error: 'Unknown conversation' });
    else if (stored) res.send(200, { id: stored.id });
    else refuse(res, 429, 60, 'Conversation is full');
  });
  // The bot's result event carries the whole assessment (evidence, sources): allow more than a person's message.
  const botBody = jsonBody(BOT_BODY_BYTES);
  server.post('/v3/conversations/:id/activities', requireJson, ...botBody, fromBot);
  server.post('/v3/conversations/:id/activities/:replyToId', requireJson, ...botBody, fromBot);

  /** POSTs an activity to the bot's /api/messages as a channel would; false if the bot failed or timed out. */
  async function toBot(conversation: ConversationRef, activity: Partial<Activity>): Promise<boolean> {
    try { // never rejects: the welcome is sent fire-and-forget, and an unhandled rejection would end the process
      const base = deps.selfUrl();
      const full = {
        ...activity,
        channelId: 'directline',
        serviceUrl: base,
        conversation: { id: conversation.id, conversationType: 'personal', isGroup: false },
        from: activity.from ?? { id: conversation.userId, role: 'user' },
        recipient: { ...BOT, role: 'bot' },
        timestamp: activity.timestamp ?? new Date().toISOString(),
      };
      const r = await fetch(`${base}/api/messages`, {
        method: 'POST',
        // The bot tells this bridge from any other unauthenticated caller by the secret (messages.ts).
        headers: { 'content-type': 'application/json', authorization: `Bearer ${faces.localSecret}` },
        body: JSON.stringify(full),
        signal: AbortSignal.timeout(BOT_TIMEOUT_MS),
      });
      if (r.ok) return true;
      log.warn({ status: r.status }, 'bot refused an activity');
    } catch (err) {
      log.warn({ errName: (err as Error).name }, 'bot unreachable');
    }
    return false;
  }

  /** The conversation named in the path, if the bearer token grants it; otherwise answers 403/404. */
  async function authorised(req: restify.Request, res: restify.Response): Promise<ConversationRef | undefined> {
    const conversation = await store.byToken(bearer(req));
    if (!conversation) res.send(403, { error: 'Missing, invalid or expired token' });
    else if (conversation.id !== req.params.id) res.send((await store.get(req.params.id)) ? 403 : 404, { error: 'The token is for another conversation' });
    else return conversation;
    return undefined;
  }

  mountStreams(server, { store, logger: log, bearer });
  return store;
}

/** restify parses no query string unless its plugin is mounted; this reads it either way. */
export function query(req: restify.Request): URLSearchParams {
  return new URL(req.url ?? '/', 'http://local').searchParams;
}

function bearer(req: { headers: Record<string, string | string[] | undefined> }): string | undefined {
  const header = req.headers.authorization;
  return /^Bearer\s+(\S+)\s*$/i.exec(typeof header === 'string' ? header : '')?.[1];
}

function forbid(res: restify.Response): void {
  res.send(403, { error: 'Missing, invalid or expired token' });
}

/** A client's string field, kept only when short (names, locales, time zones). */
function short(s: unknown, max = 100): string | undefined {
  return typeof s === 'string' && s.length <= max ? s : undefined;
}

/** Web Chat's own channelData (it matches echoes by clientActivityID) and the intake centre a centre's own page names
 * (an id, matched against INTAKE_CENTRES when a record is saved); nothing else of the client's is kept. */
function clientChannelData(c: unknown): Record<string, string> | undefined {
  if (!c || typeof c !== 'object') return undefined;
  const { clientActivityID, clientTimestamp, centre } = c as Record<string, unknown>;
  const centreId = typeof centre === 'string' && /^[a-z0-9][a-z0-9-]{0,31}$/.test(centre) ? centre : undefined;
  const kept = Object.entries({ clientActivityID: short(clientActivityID), clientTimestamp: short(clientTimestamp), centre: centreId }).filter(([, v]) => v);
  return kept.length ? Object.fromEntries(kept) as Record<string, string> : undefined;
}

function safeUserId(id: unknown): string | undefined {
  return typeof id === 'string' && /^[\w:.-]{1,64}$/.test(id) ? id : undefined;
}

export function isLoopback(address: string | undefined): boolean {
  const a = (address ?? '').replace(/^::ffff:/, '');
  return a === '::1' || /^127\./.test(a);
}
