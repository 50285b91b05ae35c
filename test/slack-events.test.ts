// POST /api/slack/events as Slack calls it: signed, unsigned, stale and replayed requests, the URL-verification
// challenge, and a whole triage whose replies land on a loopback stand-in for Slack's Web API.
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSignature } from '../src/channels/slack/verify.js';
import { startChannelsServer, type ChannelsServer } from './channels-server.js';

const SECRET = 'slack-signing-secret-for-tests';
const BOT_TOKEN = 'xoxb-test-token';

interface Posted { method: string; auth?: string; params: Record<string, string> }

/** Slack's Web API on loopback: records every call, answers { ok: true } as Slack does. */
async function startFakeSlack() {
  const calls: Posted[] = [];
  let ts = 1000;
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const json = (req.headers['content-type'] ?? '').includes('json');
      const params = json ? JSON.parse(body || '{}') : Object.fromEntries(new URLSearchParams(body));
      calls.push({ method: (req.url ?? '').replace(/^\/api\//, ''), auth: req.headers.authorization, params });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, channel: params.channel, ts: `${++ts}.0001` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    calls,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

let slack: Awaited<ReturnType<typeof startFakeSlack>>;
let srv: ChannelsServer;
beforeAll(async () => {
  slack = await startFakeSlack();
  srv = await startChannelsServer({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: slack.url });
});
afterAll(async () => { await srv?.close(); await slack?.close(); });

let eventSeq = 0;
function dm(text: string, channel = 'D0TRIAGE', extra: Record<string, unknown> = {}) {
  const ts = `${Math.floor(Date.now() / 1000)}.${String(++eventSeq).padStart(6, '0')}`;
  return {
    token: 'legacy', team_id: 'T0CLINIC', api_app_id: 'A0APP', type: 'event_callback', event_id: `Ev${eventSeq}`, event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T0CLINIC', user_id: 'U0BOT', is_bot: true }],
    event: { type: 'message', channel_type: 'im', channel, user: 'U0PERSON', text, ts, team: 'T0CLINIC', ...extra },
  };
}

async function send(body: unknown, opts: { secret?: string; ageSeconds?: number; headers?: Record<string, string>; unsigned?: boolean } = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000) - (opts.ageSeconds ?? 0));
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (!opts.unsigned) {
    headers['x-slack-request-timestamp'] = timestamp;
    headers['x-slack-signature'] = slackSignature(opts.secret ?? SECRET, timestamp, raw);
  }
  return fetch(`${srv.url}/api/slack/events`, { method: 'POST', headers, body: raw });
}

/** Sends a DM, waits until the bot has posted all its replies, returns their texts. */
async function say(text: string, channel = 'D0TRIAGE'): Promise<string[]> {
  const before = slack.calls.length;
  const r = await send(dm(text, channel));
  expect(r.status).toBe(200);
  await srv.channels.slackDone();
  return slack.calls.slice(before).map((c) => c.params.text!);
}

describe('Slack request checks', () => {
  it('answers the URL-verification challenge (signed)', async () => {
    const r = await send({ token: 'legacy', challenge: 'c-123', type: 'url_verification' });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ challenge: 'c-123' });
  });

  it('refuses unsigned, wrongly signed, stale and tampered requests, and runs nothing for them', async () => {
    const before = slack.calls.length;
    expect((await send(dm('hello'), { unsigned: true })).status).toBe(401);
    expect((await send(dm('hello'), { secret: 'not-the-secret' })).status).toBe(401);
    expect((await send(dm('hello'), { ageSeconds: 6 * 60 })).status).toBe(401);
    const raw = JSON.stringify(dm('hello'));
    const ts = String(Math.floor(Date.now() / 1000));
    const tampered = await fetch(`${srv.url}/api/slack/events`, {
      method: 'POST', body: raw.replace('hello', 'HELLO'),
      headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSignature(SECRET, ts, raw) },
    });
    expect(tampered.status).toBe(401);
    await srv.channels.slackDone();
    expect(slack.calls.length).toBe(before);
  });

  it('acknowledges at once, and ignores a retried delivery of an event it already took', async () => {
    const event = dm('hello', 'D0RETRY');
    const started = Date.now();
    const first = await send(event);
    expect(first.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000); // Slack's limit is three seconds
    await srv.channels.slackDone();
    const after = slack.calls.length;
    expect(after).toBeGreaterThan(0);
    const retry = await send(event, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(retry.status).toBe(200);
    await srv.channels.slackDone();
    expect(slack.calls.length).toBe(after);
  });

  it("ignores the bot's own messages, and in a channel says it works in a direct message", async () => {
    const before = slack.calls.length;
    await send(dm('I am the bot', 'D0SELF', { bot_id: 'B0BOT' }));
    await srv.channels.slackDone();
    expect(slack.calls.length).toBe(before);
    const mention = dm('<@U0BOT> help', 'C0GENERAL', { type: 'app_mention', channel_type: undefined });
    await send(mention);
    await srv.channels.slackDone();
    const reply = slack.calls.at(-1)!;
    expect(reply.params.channel).toBe('C0GENERAL');
    expect(reply.params.thread_ts).toBe(mention.event.ts);
    expect(reply.params.text).toMatch(/personal chat|directly/i);
  });
});

describe('a whole triage in Slack', () => {
  it('runs the same dialogs, in text only, with the token, to the DM channel', async () => {
    const first = await say('hi');
    expect(first.join('\n')).toMatch(/not a diagnosis/i);
    expect(first.join('\n')).toMatch(/medicines/i);
    const script = ['citalopram 20 mg and tramadol', 'started tramadol 3 days ago', 'shaking, sweating and my muscles keep twitching'];
    let replies: string[] = [];
    let turns = 0;
    for (; turns < 12; turns++) {
      replies = await say(script[turns] ?? 'no');
      if (replies.some((t) => /start a new check/i.test(t))) break;
    }
    const result = replies.join('\n');
    expect(result).toMatch(/911/);
    expect(result).toMatch(/\*[^*]+\*/); // Slack mrkdwn bold, not Markdown's **
    const posts = slack.calls.filter((c) => c.method === 'chat.postMessage' && c.params.channel === 'D0TRIAGE');
    expect(posts.length).toBeGreaterThan(turns);
    for (const p of posts) {
      expect(p.auth).toBe(`Bearer ${BOT_TOKEN}`);
      // Never cards or blocks: Slack would show them as images at public URLs (via Azure) or not at all.
      expect(p.params.attachments).toBeUndefined();
      expect(p.params.blocks).toBeUndefined();
      expect(p.params.text).not.toMatch(/AdaptiveCard/);
    }
  });
});
