// The conversation face: POST /api/messages with its checks, the conversation store, and the bot. The store opens at
// start-up (/healthz is 200 only once it has); the bot and the Bot Framework SDK (messages.ts) are built on the first
// turn that needs them, or just after the server starts listening (main.ts).
import type * as restify from 'restify';
import type { Bot } from '../bot/bot.js';
import type { TriageBot } from '../bot/triageBot.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { conversationRecords, recordsEraser } from '../records/conversation.js';
import type { Records } from '../records/service.js';
import { createStorage, type ConversationStorage } from '../storage/index.js';
import { DatabaseHealth } from '../storage/postgres/health.js';
import type { Pool } from '../storage/postgres/pool.js';
import type { Triage } from '../triage/index.js';
import { bearerMatcher, jsonBody, requireJson } from './app.js';
import type { TriageAdapter } from './messages.js';
import { shared, type Shared } from './shared.js';

/**
 * Channels this server speaks itself, each through its own authenticated endpoint: the local Direct Line (its tokens,
 * then the bridge's secret) and Slack (signed requests, handled in-process). Without Bot Framework auth, /api/messages
 * never takes activities that claim them, so a caller cannot read or answer someone else's conversation by naming it.
 */
const OWN_CHANNELS = new Set(['directline', 'slack']);

/** Who sent an activity to /api/messages, as far as this server can tell. */
type Caller = 'channel' | 'local-directline' | 'anonymous';

/** The bot and the adapter that runs its turns, built together on first need. */
export interface BuiltConversation { bot: TriageBot; adapter: TriageAdapter }

/** Mounts /api/messages on the server; the first activity that gets past the checks waits for `built`. */
export function registerMessages(server: restify.Server, deps: { config: Config; faces: Shared; built: () => Promise<BuiltConversation> }): void {
  const { config, faces } = deps;
  const authOff = !config.botFramework.MicrosoftAppId;
  const intakeKey = bearerMatcher(config.intakeApiKey);
  const rules: ActivityRules = { authOff, answerChars: config.limits.answerChars, localClientPorts: new Set(config.localClientPorts) };
  server.post('/api/messages', requireJson, ...jsonBody(), async (req: restify.Request, res: restify.Response) => {
    const header = req.header('authorization') ?? '';
    // With auth on, the SDK checks the Bot Framework token. With it off, this server knows two callers by a secret:
    // its own Direct Line bridge, and (INTAKE_API_KEY) an integrator; the SDK then sees no header.
    let caller: Caller = authOff ? 'anonymous' : 'channel';
    let sdkHeader = header;
    if (authOff && faces.isLocalSecret(header)) {
      caller = 'local-directline';
      sdkHeader = '';
    } else if (authOff && intakeKey(header)) {
      sdkHeader = '';
    }
    const problem = checkActivity(req.body, rules, caller, faces.localServiceUrl?.());
    if (problem) {
      res.send(problem.status, { error: problem.error });
      return;
    }
    // The assessment comes back in the response with expectReplies: the same key as /api/assess guards it.
    if (caller === 'anonymous' && config.intakeApiKey && req.body.deliveryMode === 'expectReplies' && !intakeKey(header)) {
      res.header('WWW-Authenticate', 'Bearer');
      res.send(401, { error: 'Missing or invalid Authorization: Bearer <key> (INTAKE_API_KEY) for expectReplies' });
      return;
    }
    // 200 (with the replies for expectReplies), 401 on a bad token.
    const { adapter, bot } = await deps.built();
    await adapter.handle(req, res, sdkHeader, (ctx) => bot.run(ctx));
  });
}

export interface ActivityRules {
  authOff: boolean;
  answerChars: number;
  /** Loopback ports a serviceUrl may name while auth is off (LOCAL_CLIENT_PORTS). */
  localClientPorts: Set<number>;
}

/**
 * Rejects what would otherwise become a 500 deep in the SDK, a reply POSTed to an arbitrary host or port, an answer
 * too long to read, or (auth off) an activity addressed to a conversation of another face.
 */
export function checkActivity(body: unknown, rules: ActivityRules, caller: Caller = rules.authOff ? 'anonymous' : 'channel', localServiceUrl?: string): { status: number; error: string } | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { status: 400, error: 'The body must be a Bot Framework activity (a JSON object)' };
  const a = body as Record<string, unknown>;
  if (typeof a.type !== 'string' || !a.type) return { status: 400, error: 'activity.type is missing' };
  if (typeof a.channelId !== 'string' || !a.channelId) return { status: 400, error: 'activity.channelId is missing' };
  const conversation = a.conversation as { id?: unknown } | undefined;
  if (!conversation || typeof conversation.id !== 'string' || !conversation.id) return { status: 400, error: 'activity.conversation.id is missing' };
  if (a.text !== undefined && typeof a.text !== 'string') return { status: 400, error: 'activity.text must be a string' };
  if (typeof a.text === 'string' && a.text.length > rules.answerChars) {
    return { status: 413, error: `activity.text is longer than ${rules.answerChars} characters (MAX_ANSWER_CHARS); please shorten it` };
  }
  let url: URL;
  try {
    url = new URL(String(a.serviceUrl));
  } catch {
    return { status: 400, error: 'activity.serviceUrl must be an absolute http(s) URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { status: 400, error: 'activity.serviceUrl must be an absolute http(s) URL' };
  if (caller === 'local-directline') {
    // The bridge speaks only for its own conversations, and the bot answers it only at its own address.
    if (a.channelId !== 'directline' || !localServiceUrl || a.serviceUrl !== localServiceUrl) return { status: 403, error: 'Not a local Direct Line activity' };
    return undefined;
  }
  if (caller === 'anonymous' && OWN_CHANNELS.has(a.channelId.toLowerCase())) {
    return { status: 403, error: `channelId "${a.channelId}" is served by its own endpoint; /api/messages without Bot Framework auth cannot address its conversations` };
  }
  // Without auth anyone can post; never let them make us POST anywhere but a configured local client (the Emulator):
  // a loopback host, a port of LOCAL_CLIENT_PORTS and no path. Every other port is refused alike, open or closed.
  // expectReplies sends nothing out.
  if (rules.authOff && a.deliveryMode !== 'expectReplies' && !isLocalClient(url, rules.localClientPorts)) {
    return { status: 403, error: 'Bot Framework auth is off (MicrosoftAppId empty): replies go only to a loopback serviceUrl on a port of LOCAL_CLIENT_PORTS, with no path' };
  }
  return undefined;
}

function isLocalClient(url: URL, ports: Set<number>): boolean {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return isLoopback(url.hostname) && ports.has(port) && (url.pathname === '/' || url.pathname === '')
    && !url.search && !url.hash && !url.username && !url.password;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The conversation face as mounted: its store (open), the bot as the other faces reach it, and `built`, which builds
 * the real bot and adapter (loading the Bot Framework SDK) once; main.ts calls it just after listening. */
export interface ConversationFace {
  bot: Bot;
  storage: ConversationStorage;
  /** STORAGE=postgres: whether the database answers (reported by /healthz and /readyz). */
  database?: DatabaseHealth;
  built: () => Promise<BuiltConversation>;
}

/** The whole conversation face: store, bot and /api/messages, as main.ts and the tests mount it. */
export function mountConversation(
  server: restify.Server,
  { config, logger, triage, records, pool }: { config: Config; logger: Logger; triage: Triage; records?: Records; pool?: Pool },
): ConversationFace {
  const faces = shared(server);
  // STORAGE=postgres: whether the database answers is reported by /healthz and /readyz.
  const database = pool && new DatabaseHealth(pool);
  if (database) faces.healthChecks.push(() => database.problem());
  // The log names the SQLite error code (SQLITE_FULL, SQLITE_IOERR...), never the data; /healthz turns 503 meanwhile.
  const storage = createStorage(config, (err) => logger.error({ component: 'storage', code: err.code ?? err.name }, 'storage write failed'),
    database && { pool: pool!, onUnavailable: (err) => database.suspect(err), onAnswered: () => database.answered() });
  if (database) {
    const close = storage.close?.bind(storage);
    storage.close = () => { database.close(); close?.(); };
  }
  faces.storage = storage;
  faces.healthChecks.push(() => {
    const failure = storage.writeFailure?.();
    return failure && { component: 'storage', code: failure.code };
  });
  if (records) {
    // Intake records (issue 12): "delete my data" also withdraws the conversation's saved records and names them.
    const withdraw = recordsEraser(records);
    faces.erasers.push(async (ctx, locale) => (await withdraw(ctx, locale))[0]);
    // The web chat page's own deletion (its delete key, e.g. after a restart) withdraws them too.
    faces.withdrawRecords = (channelId, conversationId) => records.withdrawConversation(channelId, conversationId);
  }
  const built = once(async (): Promise<BuiltConversation> => {
    const [{ TriageBot }, { createAdapter }] = await Promise.all([import('../bot/triageBot.js'), import('./messages.js')]);
    const bot = new TriageBot({
      triage, storage, defaultLocale: config.defaultLocale, logger, logHealthData: config.logHealthData,
      // "delete my data" also reaches the other places a conversation lives (the local Direct Line's transcript, records).
      erase: async (ctx, locale) => (await Promise.all(faces.erasers.map((e) => e(ctx, locale)))).filter((s): s is string => Boolean(s)),
      // Intake records: consent before the result, saved as a record on yes.
      ...(records ? { records: conversationRecords(records, logger) } : {}),
    });
    return { bot, adapter: createAdapter({ config, logger, bot, faces }) };
  });
  registerMessages(server, { config, faces, built });
  const bot: Bot = {
    run: async (ctx) => (await built()).bot.run(ctx),
    onTurnError: async (ctx, err) => (await built()).bot.onTurnError(ctx, err),
  };
  return { bot, storage, built, database };
}

/** `make` run once, on the first call; a failure is not kept, so the next call tries again. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= make().catch((err: unknown) => {
    pending = undefined;
    throw err;
  }));
}
