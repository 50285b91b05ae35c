// POST /api/slack/events: Slack's Events API without Azure. Verify the signature over the raw body, answer the
// URL-verification challenge, acknowledge at once (Slack retries after three seconds) and reply afterwards through
// chat.postMessage; retried deliveries of an event already taken are acknowledged and dropped.
import type * as restify from 'restify';
import type { Logger } from '../../log.js';
import { MAX_BODY_BYTES } from '../../server/app.js';
import { SlackAdapter, type Bot } from './adapter.js';
import { SeenEvents } from './dedupe.js';
import { verifySlackRequest } from './verify.js';

export interface SlackDeps {
  logger: Logger;
  bot: Bot;
  signingSecret?: string;
  botToken?: string;
  apiUrl: string;
  locale: string;
  /** Shown when someone mentions the bot in a channel: triage happens only in a direct message. */
  personalOnly: (locale: string) => string;
}

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
  // Loaded only when Slack is configured: the client and its HTTP stack are a few tens of ms of every start-up.
  const { LogLevel, WebClient } = require('@slack/web-api') as typeof import('@slack/web-api');
  const web = new WebClient(botToken, { slackApiUrl: deps.apiUrl, logLevel: LogLevel.ERROR, retryConfig: { retries: 2 } });
  const adapter = new SlackAdapter(deps.bot, web, deps.locale);
  const seen = new SeenEvents();

  server.post('/api/slack/events', async (req: restify.Request, res: restify.Response) => {
    const rawBody = await readRaw(req);
    if (!rawBody) {
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
      await adapter.receive({ user: e.user, channel: e.channel, text: e.text, ts: e.ts, team: e.team ?? body.team_id }, botUserId);
    } else if (e.type === 'app_mention') {
      // Health questions do not belong in a shared channel; say where the bot works, in the thread.
      await web.chat.postMessage({ channel: e.channel, thread_ts: e.ts, text: deps.personalOnly(deps.locale) });
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
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}
