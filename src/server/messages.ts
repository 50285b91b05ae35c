// POST /api/messages: the Bot Framework activity protocol (normal delivery and deliveryMode "expectReplies").
import {
  CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions, type TurnContext,
} from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import type * as restify from 'restify';
import { TriageBot } from '../bot/index.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { createStorage } from '../storage/index.js';
import type { Triage } from '../triage/index.js';
import { jsonBody, requireJson } from './app.js';
import { conversationRecords, recordsEraser } from '../records/conversation.js';
import type { Records } from '../records/service.js';

export interface MessagesDeps {
  config: Config;
  logger: Logger;
  bot: TriageBot;
}

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
  const claim = (type: string) => identity?.getClaimValue(type) ?? '';
  return [claim('aud'), claim('appid'), claim('azp'), claim('ver')].join('|');
}

/**
 * The SDK builds a new ConnectorClient and UserTokenClient (each an HTTP pipeline) on every turn, even when the replies
 * go back in the response (expectReplies) and neither is used. Both are stateless apart from their credentials, so
 * they are built once per app identity and service URL, as the older BotFrameworkAdapter did.
 */
export class ReusedClientsAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly connectors = new Map<string, Promise<Connector>>();
  private readonly tokenClients = new Map<string, Promise<UserTokenClient>>();

  override async authenticateRequest(...args: Parameters<ConfigurationBotFrameworkAuthentication['authenticateRequest']>): Promise<AuthResult> {
    const result = await super.authenticateRequest(...args);
    const factory = result.connectorFactory;
    if (!factory) return result;
    const who = identityKey(result.claimsIdentity);
    return {
      ...result,
      connectorFactory: {
        create: (serviceUrl: string, audience?: string) =>
          memo(this.connectors, `${who}\n${serviceUrl}\n${audience ?? ''}`, () => factory.create(serviceUrl, audience)),
      },
    };
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
  constructor(auth: ConfigurationBotFrameworkAuthentication, private readonly logger: Logger) {
    super(auth);
  }

  async handle(req: restify.Request, res: restify.Response, logic: (ctx: TurnContext) => Promise<void>): Promise<void> {
    const header = req.headers.authorization;
    try {
      const reply = await this.processActivity(typeof header === 'string' ? header : '', withDates(req.body), logic);
      res.send(reply?.status ?? 200, reply?.body);
    } catch (err) {
      const unauthorized = err instanceof AuthenticationError;
      if (!unauthorized) this.logger.error({ errName: (err as Error)?.name }, 'activity failed outside the turn');
      res.send(unauthorized ? 401 : 500, { error: unauthorized ? 'Unauthorized' : 'Internal error' });
    }
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

export function createAdapter({ config, logger, bot }: MessagesDeps): TriageAdapter {
  const auth = new ReusedClientsAuthentication(config.botFramework as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new TriageAdapter(auth, logger);
  adapter.onTurnError = bot.onTurnError;
  if (!config.botFramework.MicrosoftAppId) {
    logger.warn('Bot Framework auth is OFF (MicrosoftAppId is empty): any caller is accepted, replies go only to loopback serviceUrls. Local use only.');
  }
  return adapter;
}

/** Mounts /api/messages on the server; returns the adapter (tests and the benchmark drive it). */
export function registerMessages(server: restify.Server, deps: MessagesDeps): TriageAdapter {
  const adapter = createAdapter(deps);
  const authOff = !deps.config.botFramework.MicrosoftAppId;
  server.post('/api/messages', requireJson, ...jsonBody(), async (req: restify.Request, res: restify.Response) => {
    const problem = checkActivity(req.body, authOff);
    if (problem) {
      res.send(problem.status, { error: problem.error });
      return;
    }
    // 200 (with the replies for expectReplies), 401 on a bad token.
    await adapter.handle(req, res, (ctx) => deps.bot.run(ctx));
  });
  return adapter;
}

/** Rejects what would otherwise become a 500 deep in the SDK, or a reply POSTed to an arbitrary host. */
export function checkActivity(body: unknown, authOff: boolean): { status: number; error: string } | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { status: 400, error: 'The body must be a Bot Framework activity (a JSON object)' };
  const a = body as Record<string, unknown>;
  if (typeof a.type !== 'string' || !a.type) return { status: 400, error: 'activity.type is missing' };
  if (typeof a.channelId !== 'string' || !a.channelId) return { status: 400, error: 'activity.channelId is missing' };
  const conversation = a.conversation as { id?: unknown } | undefined;
  if (!conversation || typeof conversation.id !== 'string' || !conversation.id) return { status: 400, error: 'activity.conversation.id is missing' };
  if (a.text !== undefined && typeof a.text !== 'string') return { status: 400, error: 'activity.text must be a string' };
  let url: URL;
  try {
    url = new URL(String(a.serviceUrl));
  } catch {
    return { status: 400, error: 'activity.serviceUrl must be an absolute http(s) URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { status: 400, error: 'activity.serviceUrl must be an absolute http(s) URL' };
  // Without auth anyone can post; never let them make us POST to another host. expectReplies sends nothing out.
  if (authOff && a.deliveryMode !== 'expectReplies' && !isLoopback(url.hostname)) {
    return { status: 403, error: 'Bot Framework auth is off (MicrosoftAppId empty): replies go only to a loopback serviceUrl (localhost, 127.0.0.1, ::1)' };
  }
  return undefined;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The whole conversation face: store, bot and /api/messages, as main.ts and the tests mount it. */
export function mountConversation(
  server: restify.Server,
  { config, logger, triage, records }: { config: Config; logger: Logger; triage: Triage; records?: Records },
): { adapter: TriageAdapter; bot: TriageBot; storage: ReturnType<typeof createStorage> } {
  const storage = createStorage(config);
  const bot = new TriageBot({
    triage, storage, defaultLocale: config.defaultLocale, logger, logHealthData: config.logHealthData,
    // Intake records (issue 12): consent before the result, and "delete my data" withdraws the saved records.
    ...(records ? { records: conversationRecords(records, logger), erase: recordsEraser(records) } : {}),
  });
  return { adapter: registerMessages(server, { config, logger, bot }), bot, storage };
}
