// POST /api/slack/events: Slack's Events API without Azure. Verify the signature over the raw body, answer the
// URL-verification challenge, acknowledge at once (Slack retries after three seconds) and reply afterwards through
// chat.postMessage; retried deliveries of an event already taken are acknowledged and dropped.
import type * as restify from 'restify';
import type { Logger } from '../../log.js';
import { MAX_BODY_BYTES } from '../../server/app.js';
import { Gate } from '../../server/limits.js';
import { shared } from '../../server/shared.js';
import type { Bot } from '../../bot/bot.js';
import type { WebClient } from '@slack/web-api';
import type { SlackAdapter } from './adapter.js';
import { SeenEvents } from './dedupe.js';
import { verifySlackRequest } from './verify.js';

/** Prefix of the conversation ids this face creates. */
export const SLACK_CONVERSATIONS = 'slack-events:';

export interface SlackDeps {
  logger: Logger;
  bot: Bot;
  signingSecret?: string;
  botToken?: string;
  apiUrl: string;
  locale: string;
  /** Shown when someone mentions the bot in a channel: triage happens only in a direct message. */
  personalOnly: (locale: string) => string;
  /** MAX_ANSWER_CHARS: a longer message is not read; the person is asked to shorten it. */
  answerChars?: number;
  /** SLACK_CONCURRENCY: messages worked on at once (a few more wait; beyond that the person is told to retry). */
  concurrency?: number;
  /** The emergency number for `locale`, named in every refusal. */
  emergencyNumber?: string;
}

const TEXT = {
  en: {
    tooLong: (n: number, emergency: string) => `That message is too long for me to read (over ${n} characters). Please send it in shorter parts. In an emergency, call ${emergency} now.`,
    busy: (emergency: string) => `I am busy right now and could not read that message. Please send it again in a minute. In an emergency, call ${emergency} now.`,
    erased: 'Your messages in Slack itself stay in Slack: delete them there if you wish.',
  },
  es: {
    tooLong: (n: number, emergency: string) => `Ese mensaje es demasiado largo para leerlo (más de ${n} caracteres). Envíelo en partes más cortas. En una emergencia, llame ahora al ${emergency}.`,
    busy: (emergency: string) => `Estoy ocupado ahora y no pude leer ese mensaje. Envíelo de nuevo en un minuto. En una emergencia, llame ahora al ${emergency}.`,
    erased: 'Sus mensajes en Slack se quedan en Slack: puede borrarlos allí.',
  },
};

interface EventEnvelope {
  type?: string;
  challenge?: string;
  event_id?: string;
  team_id?: string;
  authorizations?: { user_id?: string }[];
  event?: { type?: string; channel_type?: string; subtype?: string; bot_id?: string; user?: string; channel?: string; text?: string; ts?: string; team?: string };
}

export function mountSlack(server: restify.Server, deps: SlackDeps): { done: () => Promise<void> } {
  const log = deps.logger.child({ component: 'slack' });
  const { signingSecret, botToken } = deps;
  const pending = new Set<Promise<void>>();
  if (!signingSecret || !botToken) {
    server.post('/api/slack/events', (_req, res, next) => {
      res.send(503, { error: 'Slack is not configured: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN' });
      return next(false);
    });
    return { done: async () => {} };
  }
  // The Web API client and the adapter (with the Bot Framework SDK, which npm start loads from its own bundle) are
  // loaded with the first event that needs them, not at start-up.
  let client: WebClient | undefined;
  const web = () => {
    if (!client) {
      const { LogLevel, WebClient } = require('@slack/web-api') as typeof import('@slack/web-api');
      client = new WebClient(botToken, { slackApiUrl: deps.apiUrl, logLevel: LogLevel.ERROR, retryConfig: { retries: 2 } });
    }
    return client;
  };
  let adapter: Promise<SlackAdapter> | undefined;
  const slackAdapter = () => (adapter ??= import('./adapter.js').then(({ SlackAdapter }) => new SlackAdapter(deps.bot, web(), deps.locale)));
  const seen = new SeenEvents();
  const answerChars = deps.answerChars ?? 2_000;
  const concurrency = deps.concurrency ?? 4;
  // Acknowledgements never wait for turns: the turns run behind this gate, after the 200 has gone.
  const gate = new Gate(concurrency, concurrency * 8);
  const text = deps.locale.toLowerCase().startsWith('es') ? TEXT.es : TEXT.en;
  const emergency = deps.emergencyNumber ?? '911';
  // "delete my data" erases the bot's state; what stays in Slack is the workspace's, and the person is told so.
  shared(server).erasers.push(async (ctx) => (ctx.activity.conversation?.id?.startsWith(SLACK_CONVERSATIONS) ? text.erased : undefined));

  server.post('/api/slack/events', async (req: restify.Request, res: restify.Response) => {
    const rawBody = await readRaw(req);
    if (!rawBody) {
      res.header('Connection', 'close');
      res.send(413, { error: `Request body is larger than ${MAX_BODY_BYTES} bytes` });
      return;
    }
    const verdict = verifySlackRequest(signingSecret, {
      timestamp: req.header('x-slack-request-timestamp') || undefined,
      signature: req.header('x-slack-signature') || undefined,
      rawBody,
    });
    if (!verdict.ok) {
      log.warn({ reason: verdict.reason }, 'Slack request refused');
      res.send(401, { error: 'Invalid Slack signature' });
      return;
    }
    let body: EventEnvelope;
    try {
      body = JSON.parse(rawBody.toString('utf8')) as EventEnvelope;
    } catch {
      res.send(400, { error: 'Malformed JSON' });
      return;
    }
    if (body.type === 'url_verification') {
      res.send(200, { challenge: body.challenge });
      return;
    }
    // Acknowledge first, always: anything slower than three seconds is retried by Slack.
    res.send(200, { ok: true });
    if (body.type !== 'event_callback' || !body.event_id || !seen.first(body.event_id)) return;
    const work = handle(body).catch((err: Error) => log.error({ errName: err.name, message: err.message }, 'Slack event failed'));
    pending.add(work);
    void work.finally(() => pending.delete(work));
  });

  async function handle(body: EventEnvelope): Promise<void> {
    const e = body.event ?? {};
    // Our own posts and edits come back as events too: only people's new messages count.
    if (e.bot_id || e.subtype || !e.user || !e.channel || !e.ts) return;
    const botUserId = body.authorizations?.[0]?.user_id ?? 'slack-bot';
    if (e.type === 'message' && e.channel_type === 'im') {
      if ((e.text?.length ?? 0) > answerChars) {
        await web().chat.postMessage({ channel: e.channel, text: text.tooLong(answerChars, emergency) });
        return;
      }
      const m = { user: e.user, channel: e.channel, text: e.text, ts: e.ts, team: e.team ?? body.team_id };
      const ran = await gate.run(async () => (await slackAdapter()).receive(m, botUserId));
      if (!ran) {
        log.warn('Slack message refused: too many at once');
        await web().chat.postMessage({ channel: e.channel, text: text.busy(emergency) });
      }
    } else if (e.type === 'app_mention') {
      // Health questions do not belong in a shared channel; say where the bot works, in the thread.
      await web().chat.postMessage({ channel: e.channel, thread_ts: e.ts, text: deps.personalOnly(deps.locale) });
    }
  }

  /** Resolves when every reply started so far has been posted (tests, graceful shutdown). */
  return { done: async () => { while (pending.size) await Promise.all([...pending]); } };
}

/** The body exactly as sent (the signature covers these bytes), or undefined past the size cap. */
function readRaw(req: restify.Request): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
      else {
        // Stop here: the rest of an oversized body is never read (the 413 closes the connection).
        req.removeListener('data', onData);
        resolve(undefined);
      }
    };
    req.on('data', onData);
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}
