// The Bot Framework side of POST /api/messages (normal delivery and deliveryMode "expectReplies"): token checks, the
// turn, replies. Loaded with the bot on the first turn or just after the server listens (conversationFace.ts), not at
// start-up: the SDK is a tenth of a second of loading.
import {
  Channels, CloudAdapter, ConfigurationBotFrameworkAuthentication, RoleTypes, type Activity, type ResourceResponse,
  type ConfigurationBotFrameworkAuthenticationOptions, type TurnContext,
} from 'botbuilder';
import { ConnectorClient } from 'botframework-connector';
import type * as restify from 'restify';
import type { Bot } from '../bot/bot.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { TurnUnavailable } from '../storage/index.js';
import type { Shared } from './shared.js';

export interface MessagesDeps {
  config: Config;
  logger: Logger;
  bot: Bot;
  /** The faces mounted on the same server (local Direct Line secret). */
  faces?: Shared;
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
      if (err instanceof TurnUnavailable) {
        // Not kept: the channel sends it again (the bot has told the person, where it can reach them).
        res.header('Retry-After', String(err.retryAfterSeconds));
        res.send(503, { error: 'The service is briefly unavailable; send the activity again', ...(err.replies ? { activities: err.replies } : {}) });
        return;
      }
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
