// POST /api/messages: the Bot Framework activity protocol (normal delivery and deliveryMode "expectReplies").
import {
  Channels, CloudAdapter, ConfigurationBotFrameworkAuthentication, RoleTypes, type Activity, type ResourceResponse,
  type ConfigurationBotFrameworkAuthenticationOptions, type TurnContext,
} from 'botbuilder';
import { ConnectorClient } from 'botframework-connector';
import type * as restify from 'restify';
import { TriageBot } from '../bot/index.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { createStorage, type ConversationStorage } from '../storage/index.js';
import type { Triage } from '../triage/index.js';
import { bearerMatcher, jsonBody, requireJson } from './app.js';
import { shared, type Shared } from './shared.js';
import { conversationRecords, recordsEraser } from '../records/conversation.js';
import type { Records } from '../records/service.js';

export interface MessagesDeps {
  config: Config;
  logger: Logger;
  bot: TriageBot;
  /** The faces mounted on the same server (local Direct Line secret). */
  faces?: Shared;
}

/**
 * Channels this server speaks itself, each through its own authenticated endpoint: the local Direct Line (its tokens,
 * then the bridge's secret) and Slack (signed requests, handled in-process). Without Bot Framework auth, /api/messages
 * never takes activities that claim them, so a caller cannot read or answer someone else's conversation by naming it.
 */
const OWN_CHANNELS = new Set(['directline', 'slack']);

type AuthResult = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;
type Identity = AuthResult['claimsIdentity'];
type Connector = Awaited<ReturnType<NonNullable<AuthResult['connectorFactory']>['create']>>;
type UserTokenClient = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['createUserTokenClient']>>;

const MAX_CACHED_CLIENTS = 256;

/** One promise per key; a failed one is forgotten, and the map is emptied rather than grown past its bound. */
function memo<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = cache.get(key);
  if (!p) {
    if (cache.size >= MAX_CACHED_CLIENTS) cache.clear();
    p = make();
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

/** Who a turn's outbound clients act for: the claims the SDK derives the app id and credentials from. */
function identityKey(identity: Identity | undefined): string {
  return IDENTITY_CLAIMS.map((type) => identity?.getClaimValue(type) ?? '').join('|');
}
const IDENTITY_CLAIMS = ['aud', 'appid', 'azp', 'ver'];

/**
 * The SDK builds a new ConnectorClient and UserTokenClient (each an HTTP pipeline) on every turn, even when the replies
 * go back in the response (expectReplies) and neither is used. Both are stateless apart from their credentials, so
 * they are built once per app identity and service URL, as the older BotFrameworkAdapter did.
 */
export class ReusedClientsAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly connectors = new Map<string, Promise<Connector>>();
  private readonly tokenClients = new Map<string, Promise<UserTokenClient>>();
  /** Auth off: every request gets the same anonymous identity, caller id and connector factory (see below). */
  private readonly authOff: boolean;
  private anonymous?: Promise<AuthResult>;

  /** The local Direct Line (auth off only): its replies are signed with the bridge's secret. */
  local?: { url: () => string; secret: string };

  constructor(options: ConfigurationBotFrameworkAuthenticationOptions) {
    super(options);
    this.authOff = !options.MicrosoftAppId;
  }

  override authenticateRequest(...args: Parameters<ConfigurationBotFrameworkAuthentication['authenticateRequest']>): Promise<AuthResult> {
    // With auth off the SDK reads no token: the result is an anonymous identity, no caller id and a connector factory
    // for no app, whatever the request, except for an Emulator skill call. Made once, not on every turn.
    const [activity] = args;
    if (!this.authOff || (activity.channelId === Channels.Emulator && activity.recipient?.role === RoleTypes.Skill)) return this.authenticate(args);
    if (this.anonymous) return this.anonymous;
    const result = this.authenticate(args);
    // Kept only once the SDK has said the caller is anonymous (no claims, no caller id): any other answer is asked for
    // again next time.
    void result.then((r) => { if (!this.anonymous && r.claimsIdentity.claims.length === 0 && !r.callerId) this.anonymous = result; }, () => undefined);
    return result;
  }

  private async authenticate(args: Parameters<ConfigurationBotFrameworkAuthentication['authenticateRequest']>): Promise<AuthResult> {
    const result = await super.authenticateRequest(...args);
    const factory = result.connectorFactory;
    if (!factory) return result;
    const who = identityKey(result.claimsIdentity);
    return {
      ...result,
      connectorFactory: {
        create: (serviceUrl: string, audience?: string) =>
          memo(this.connectors, `${who}\n${serviceUrl}\n${audience ?? ''}`, () => this.localConnector(serviceUrl) ?? factory.create(serviceUrl, audience)),
      },
    };
  }

  private localConnector(serviceUrl: string): Promise<Connector> | undefined {
    const local = this.local;
    if (!local || serviceUrl !== local.url()) return undefined;
    const credentials = {
      signRequest: async <T extends { headers: { set(name: string, value: string): void } }>(request: T) => {
        request.headers.set('authorization', `Bearer ${local.secret}`);
        return request;
      },
    };
    return Promise.resolve(new ConnectorClient(credentials as ConstructorParameters<typeof ConnectorClient>[0], { baseUri: serviceUrl }) as unknown as Connector);
  }

  override createUserTokenClient(identity: Identity): Promise<UserTokenClient> {
    return memo(this.tokenClients, identityKey(identity), () => super.createUserTokenClient(identity));
  }
}

/**
 * CloudAdapter answering a request whose body `checkActivity` has already validated. The SDK's own `process` builds
 * several zod schemas per request to check the same things again, and prints any failure with console.error, which
 * can carry what a person typed; here a failure is a status code and a redacted log line.
 */
export class TriageAdapter extends CloudAdapter {
  constructor(private readonly auth: ConfigurationBotFrameworkAuthentication, private readonly logger: Logger) {
    super(auth);
  }

  /**
   * Questions quote what the person said ("You mentioned …"). They go out as plain text, so a quoted answer can never
   * become a markdown link (or image, or emphasis) in the bot's voice: Web Chat, Teams and the Emulator then show the
   * text as typed. Results (cards, markdown) are not questions and keep their format.
   */
  override sendActivities(ctx: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    plainQuestions(activities);
    return super.sendActivities(ctx, activities);
  }

  /** `header`: the Authorization header the SDK should check ('' for callers this server authenticated itself). */
  async handle(req: restify.Request, res: restify.Response, header: string, logic: (ctx: TurnContext) => Promise<void>): Promise<void> {
    const activity = withDates(req.body);
    let authenticated: AuthResult;
    try {
      // Whatever a forged token looks like (not a JWT, bad base64, no kid, wrong issuer), failing here is a 401.
      authenticated = await this.auth.authenticateRequest(activity, header);
    } catch (err) {
      this.logger.debug({ errName: (err as Error)?.name }, 'activity refused: authentication failed');
      res.header('WWW-Authenticate', 'Bearer');
      res.send(401, { error: 'Unauthorized' });
      return;
    }
    try {
      const reply = await this.processActivity(authenticated, activity, logic);
      // expectReplies: the turn context buffered the replies itself, without sendActivities.
      const buffered = (reply?.body as { activities?: Partial<Activity>[] } | undefined)?.activities;
      if (Array.isArray(buffered)) plainQuestions(buffered);
      res.send(reply?.status ?? 200, reply?.body);
    } catch (err) {
      this.logger.error({ errName: (err as Error)?.name }, 'activity failed outside the turn');
      res.send(500, { error: 'Internal error' });
    }
  }
}

function plainQuestions(activities: Partial<Activity>[]): void {
  for (const a of activities) {
    if (a.type === 'message' && a.text && (a.channelData as { triage?: { question?: unknown } } | undefined)?.triage?.question) a.textFormat = 'plain';
  }
}

/** Timestamps as the SDK hands them to bots: Date objects, with the original strings kept (`rawLocalTimestamp`). */
function withDates(body: Record<string, unknown>): Activity {
  for (const [field, raw] of [['timestamp', 'rawTimestamp'], ['localTimestamp', 'rawLocalTimestamp'], ['expiration', 'rawExpiration']] as const) {
    const value = body[field];
    if (typeof value === 'string') {
      body[raw] = value;
      body[field] = new Date(value);
    }
  }
  return body as unknown as Activity;
}

export function createAdapter({ config, logger, bot, faces }: MessagesDeps): TriageAdapter {
  const auth = new ReusedClientsAuthentication(config.botFramework as ConfigurationBotFrameworkAuthenticationOptions);
  if (!config.botFramework.MicrosoftAppId && faces) auth.local = { url: () => faces.localServiceUrl?.() ?? '', secret: faces.localSecret };
  const adapter = new TriageAdapter(auth, logger);
  adapter.onTurnError = bot.onTurnError;
  if (!config.botFramework.MicrosoftAppId) {
    logger.warn({ host: config.host ?? 'all interfaces', localClientPorts: config.localClientPorts },
      'Bot Framework auth is OFF (MicrosoftAppId is empty): /api/messages takes unauthenticated callers, replies go only to LOCAL_CLIENT_PORTS on loopback. Local use only.');
  }
  return adapter;
}

/** Who sent an activity to /api/messages, as far as this server can tell. */
type Caller = 'channel' | 'local-directline' | 'anonymous';

/** Mounts /api/messages on the server; returns the adapter (tests and the benchmark drive it). */
export function registerMessages(server: restify.Server, deps: MessagesDeps): TriageAdapter {
  const faces = deps.faces ?? shared(server);
  const adapter = createAdapter({ ...deps, faces });
  const { config } = deps;
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
    await adapter.handle(req, res, sdkHeader, (ctx) => deps.bot.run(ctx));
  });
  return adapter;
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

/** The whole conversation face: store, bot and /api/messages, as main.ts and the tests mount it. */
export function mountConversation(
  server: restify.Server,
  { config, logger, triage, records }: { config: Config; logger: Logger; triage: Triage; records?: Records },
): { adapter: TriageAdapter; bot: TriageBot; storage: ConversationStorage } {
  const faces = shared(server);
  // The log names the SQLite error code (SQLITE_FULL, SQLITE_IOERR...), never the data; /healthz turns 503 meanwhile.
  const storage = createStorage(config, (err) => logger.error({ component: 'storage', code: err.code ?? err.name }, 'storage write failed'));
  faces.storage = storage;
  faces.healthChecks.push(() => {
    const failure = storage.writeFailure?.();
    return failure && { component: 'storage', code: failure.code };
  });
  if (records) {
    // Intake records (issue 12): "delete my data" also withdraws the conversation's saved records and names them.
    const withdraw = recordsEraser(records);
    faces.erasers.push(async (ctx, locale) => (await withdraw(ctx, locale))[0]);
  }
  const bot = new TriageBot({
    triage, storage, defaultLocale: config.defaultLocale, logger, logHealthData: config.logHealthData,
    // "delete my data" also reaches the other places a conversation lives (the local Direct Line's transcript, records).
    erase: async (ctx, locale) => (await Promise.all(faces.erasers.map((e) => e(ctx, locale)))).filter((s): s is string => Boolean(s)),
    // Intake records: consent before the result, saved as a record on yes.
    ...(records ? { records: conversationRecords(records, logger) } : {}),
  });
  return { adapter: registerMessages(server, { config, logger, bot, faces }), bot, storage };
}
