// The local Direct Line 3.0: the REST subset Web Chat's client uses with websockets off, plus the two Bot Connector
// routes the bot replies to. A client's activity is echoed into its stream and POSTed to the bot's real
// /api/messages with this server as serviceUrl, so the bot runs exactly as behind Azure's Direct Line and its
// replies come back here (POST /v3/conversations/:id/activities[/:replyToId]) into the same stream.
import type { Activity } from 'botbuilder';
import type * as restify from 'restify';
import type { Logger } from '../../log.js';
import { BOT_BODY_BYTES, jsonBody, requireJson } from '../../server/app.js';
import { refuse, type RateLimiter } from '../../server/limits.js';
import { shared } from '../../server/shared.js';
import { ConversationsFull, ConversationStore, TOKEN_TTL_SECONDS, type Conversation, type StoreLimits } from './conversations.js';

export const BOT = { id: 'triage-bot', name: 'Triage bot' };
const BOT_TIMEOUT_MS = 15_000;
const CLIENT_TYPES = new Set(['message', 'event', 'typing']);

export interface DirectLineDeps {
  logger: Logger;
  /** http://127.0.0.1:port of this very server, known once it listens. */
  selfUrl: () => string;
  store?: ConversationStore;
  /** Store caps (MAX_OPEN_CONVERSATIONS, MAX_CONVERSATION_ACTIVITIES, MAX_CONVERSATION_BYTES). */
  limits?: Partial<StoreLimits>;
  /** MAX_ANSWER_CHARS and MAX_EVENT_VALUE_BYTES. */
  answerChars?: number;
  eventValueBytes?: number;
  /** New tokens per client address (shared with /api/webchat/token); key → seconds to wait, 0 when allowed. */
  tokenLimit?: (req: restify.Request) => number;
}

/** Issues a conversation token, or answers 429/503 with Retry-After; never throws. */
export function issueToken(
  store: ConversationStore, res: restify.Response, userId: string | undefined, limited: number,
): { token: string; conversationId: string; userId: string } | undefined {
  if (limited) {
    refuse(res, 429, limited, 'Too many new conversations from this address; retry later');
    return undefined;
  }
  try {
    const { token, grant } = store.generate(userId);
    return { token, conversationId: grant.conversationId, userId: grant.userId };
  } catch (err) {
    if (!(err instanceof ConversationsFull)) throw err;
    refuse(res, 503, err.retryAfterSeconds, 'Every chat is in use right now; retry shortly');
    return undefined;
  }
}

export function mountDirectLine(server: restify.Server, deps: DirectLineDeps): ConversationStore {
  const store = deps.store ?? new ConversationStore(Date.now, deps.limits);
  const log = deps.logger.child({ component: 'directline' });
  const body = jsonBody();
  const faces = shared(server);
  const answerChars = deps.answerChars ?? 2_000;
  const eventValueBytes = deps.eventValueBytes ?? 2_048;
  const limited = (req: restify.Request) => deps.tokenLimit?.(req) ?? 0;
  const grantJson = (conversationId: string, token: string) => ({ conversationId, token, expires_in: TOKEN_TTL_SECONDS });
  // The bot replies here through its own connector client, which signs with the local secret (messages.ts).
  faces.localServiceUrl = deps.selfUrl;
  faces.erasers.push(async (ctx, locale) => {
    if (ctx.activity.channelId !== 'directline' || !store.erase(ctx.activity.conversation?.id ?? '')) return undefined;
    return locale.toLowerCase().startsWith('es')
      ? 'También borré la transcripción de este chat en el servidor; este chat se cerrará en cuanto vea este mensaje.'
      : 'I also deleted this chat\'s transcript on the server; this chat closes once you have seen this message.';
  });

  server.post('/v3/directline/tokens/generate', ...body, (req, res, next) => {
    const issued = issueToken(store, res, safeUserId(req.body?.user?.id), limited(req));
    if (issued) res.send(200, grantJson(issued.conversationId, issued.token));
    return next(false);
  });

  server.post('/v3/directline/tokens/refresh', (req, res, next) => {
    const wait = limited(req);
    if (wait) {
      refuse(res, 429, wait, 'Too many token requests from this address; retry later');
      return next(false);
    }
    const fresh = store.refresh(bearer(req));
    if (!fresh) return forbid(res, next);
    res.send(200, grantJson(fresh.grant.conversationId, fresh.token));
    return next();
  });

  server.post('/v3/directline/conversations', ...body, (req, res, next) => {
    const token = bearer(req);
    const conversation = store.byToken(token);
    if (!conversation) return forbid(res, next);
    const isNew = !conversation.started;
    conversation.started = true;
    // As Direct Line does: tell the bot that the bot and the person joined, which triggers the welcome.
    // The page's language (Web Chat sends it in the body) reaches the bot with the join, so the welcome is in it.
    const locale = short((req.body as { locale?: unknown } | undefined)?.locale);
    if (isNew) void toBot(conversation, { type: 'conversationUpdate', membersAdded: [BOT, { id: conversation.userId }] as Activity['membersAdded'], ...(locale ? { locale } : {}) });
    res.send(isNew ? 201 : 200, grantJson(conversation.id, token!));
    return next();
  });

  server.get('/v3/directline/conversations/:id', (req, res, next) => {
    const conversation = authorised(req, res);
    if (!conversation) return next(false);
    res.send(200, grantJson(conversation.id, bearer(req)!));
    return next();
  });

  server.get('/v3/directline/conversations/:id/activities', (req, res, next) => {
    const conversation = authorised(req, res);
    if (!conversation) return next(false);
    res.header('Cache-Control', 'no-store');
    res.send(200, store.since(conversation, query(req).get('watermark') ?? undefined));
    return next();
  });

  server.post('/v3/directline/conversations/:id/activities', requireJson, ...body, async (req: restify.Request, res: restify.Response) => {
    const conversation = authorised(req, res);
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
    const echo = store.append(conversation, {
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
  });

  // Bot Connector side: only the bot may write bot messages into a conversation. It proves it with the secret this
  // process made at start (not the source address: behind a same-host proxy everyone is loopback).
  const fromBot = (req: restify.Request, res: restify.Response, next: restify.Next) => {
    const conversation = store.get(req.params.id);
    if (!faces.isLocalSecret(req.header('authorization'))) res.send(403, { error: 'Connector routes are for the local bot only' });
    else if (!conversation) res.send(404, { error: 'Unknown conversation' });
    else {
      const stored = store.append(conversation, {
        ...(req.body as Partial<Activity>),
        from: { ...BOT, ...(req.body?.from ?? {}), role: 'bot' } as Activity['from'],
        replyToId: req.params.replyToId ?? req.body?.replyToId,
      }, true);
      if (stored) res.send(200, { id: stored.id });
      else refuse(res, 429, 60, 'Conversation is full');
    }
    return next();
  };
  // The bot's result event carries the whole assessment (evidence, sources): allow more than a person's message.
  const botBody = jsonBody(BOT_BODY_BYTES);
  server.post('/v3/conversations/:id/activities', requireJson, ...botBody, fromBot);
  server.post('/v3/conversations/:id/activities/:replyToId', requireJson, ...botBody, fromBot);

  /** POSTs an activity to the bot's /api/messages as a channel would; false if the bot failed or timed out. */
  async function toBot(conversation: Conversation, activity: Partial<Activity>): Promise<boolean> {
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
  function authorised(req: restify.Request, res: restify.Response): Conversation | undefined {
    const conversation = store.byToken(bearer(req));
    if (!conversation) res.send(403, { error: 'Missing, invalid or expired token' });
    else if (conversation.id !== req.params.id) res.send(store.get(req.params.id) ? 403 : 404, { error: 'The token is for another conversation' });
    else return conversation;
    return undefined;
  }

  return store;
}

/** restify parses no query string unless its plugin is mounted; this reads it either way. */
export function query(req: restify.Request): URLSearchParams {
  return new URL(req.url ?? '/', 'http://local').searchParams;
}

function bearer(req: restify.Request): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '')?.[1];
}

function forbid(res: restify.Response, next: restify.Next): void {
  res.send(403, { error: 'Missing, invalid or expired token' });
  next(false);
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
