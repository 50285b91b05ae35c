// Each attack of the hardening issue, run against a real server on a random loopback port, with the outcome a user or
// an operator would notice: status codes and Retry-After, who can read or answer a conversation, what is left after
// "delete my data", what /healthz and the log say. CPU attacks are in abuse-cpu.test.ts; SQLite, disk and start-up
// in abuse-storage.test.ts.
import { request } from 'node:http';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationStore, EVICTABLE_IDLE_MS, MAX_TOKENS_PER_CONVERSATION } from '../src/channels/directline/conversations.js';
import { ConfigError, loadConfig } from '../src/config.js';
import {
  signedSlack, slackDm, SLACK_SECRET, startAbuseServer, startRecorder, webChat, type AbuseServer,
} from './abuse-helpers.js';

type Json = Record<string, unknown>;
const question = (a: Json | undefined) => (a?.channelData as { triage?: { question?: string } } | undefined)?.triage?.question;

/** A raw HTTP request (fetch cannot send a lying Content-Length or stop reading an answer early). */
function raw(url: string, path: string, headers: Record<string, string | number>, body: Buffer | (() => AsyncGenerator<Buffer>)) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (Buffer.isBuffer(body)) req.end(body);
    else void (async () => { try { for await (const chunk of body()) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r)); req.end(); } catch { /* closed by the server */ } })();
  });
}

function multipart(size: number): { body: Buffer; type: string } {
  const boundary = '----abuse';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head), Buffer.alloc(size, 0x61), Buffer.from(`\r\n--${boundary}--\r\n`)]),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

const uploads = () => readdirSync(tmpdir()).filter((f) => f.startsWith('upload_')).length;

describe('disk and body size: every route', () => {
  let srv: AbuseServer;
  beforeAll(async () => { srv = await startAbuseServer(); });
  afterAll(async () => { await srv?.close(); });

  const ROUTES = ['/v3/directline/tokens/generate', '/v3/directline/conversations', '/api/webchat/token', '/api/assess',
    '/api/messages', '/api/slack/events', '/v3/conversations/x/activities', '/no/such/route'];

  it.each(ROUTES)('refuses a multipart body with 415 and writes nothing to the temp folder: %s', async (path) => {
    const before = uploads();
    const { body, type } = multipart(3 * 1024 * 1024);
    const r = await raw(srv.url, path, { 'content-type': type, 'content-length': body.length }, body);
    expect(r.status).toBe(415);
    expect(JSON.parse(r.body).error).toMatch(/multipart/i);
    // Even sent in chunks with no Content-Length.
    const chunked = await raw(srv.url, path, { 'content-type': type, 'transfer-encoding': 'chunked' }, async function* () {
      for (let i = 0; i < 4; i++) yield body.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024);
    });
    expect(chunked.status).toBe(415);
    expect(uploads()).toBe(before);
  });

  it.each(ROUTES.filter((p) => !p.startsWith('/v3/conversations/')))('refuses a body over 64 KiB with 413 before reading it: %s', async (path) => {
    const body = Buffer.alloc(200 * 1024, 0x20);
    const r = await raw(srv.url, path, { 'content-type': 'application/json', 'content-length': body.length }, body);
    expect(r.status).toBe(413);
  });

  it('cuts a chunked JSON body off at the cap (413), instead of reading it all', async () => {
    let sent = 0;
    const r = await raw(srv.url, '/api/assess', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, async function* () {
      for (let i = 0; i < 64; i++) { sent += 64 * 1024; yield Buffer.alloc(64 * 1024, 0x20); }
    });
    expect(r.status).toBe(413);
    expect(sent).toBeLessThan(64 * 64 * 1024);
  });
});

describe('local Direct Line lock-out', () => {
  it('limits new conversations per client address per minute: 429 with Retry-After, others unaffected', async () => {
    const srv = await startAbuseServer({ CONVERSATIONS_PER_MINUTE: '3', TRUST_PROXY: 'true' });
    try {
      const from = (ip: string) => ({ 'x-forwarded-for': `198.51.100.7, ${ip}` });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await srv.post('/api/webchat/token', {}, from('203.0.113.5'))).status);
      // The Direct Line route counts in the same bucket.
      const over = await srv.post('/v3/directline/tokens/generate', {}, from('203.0.113.5'));
      expect(statuses).toEqual([200, 200, 200]);
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(over.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(((await over.json()) as Json).error).toMatch(/too many/i);
      // Another visitor (another address behind the same proxy) still gets a chat.
      expect((await srv.post('/api/webchat/token', {}, from('203.0.113.9'))).status).toBe(200);
    } finally {
      await srv.close();
    }
  });

  it('at the total cap, answers 503 with Retry-After (never 500) while every conversation is in use', async () => {
    const srv = await startAbuseServer({ MAX_OPEN_CONVERSATIONS: '3' });
    try {
      for (let i = 0; i < 3; i++) expect((await srv.post('/api/webchat/token', {})).status).toBe(200);
      const full = await srv.post('/api/webchat/token', {});
      expect(full.status).toBe(503);
      expect(Number(full.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await srv.post('/v3/directline/tokens/generate', {})).status).toBe(503);
    } finally {
      await srv.close();
    }
  });

  it('evicts the longest idle conversation for a newcomer, keeping the ones in use', () => {
    let now = 1_000_000;
    const store = new ConversationStore(() => now, { conversations: 3 });
    const a = store.generate();
    const b = store.generate();
    const c = store.generate();
    now += EVICTABLE_IDLE_MS + 1;
    expect(store.byToken(a.token)).toBeDefined(); // a is polled: in use again
    const d = store.generate(); // b, idle longest, gives way
    expect(store.byToken(b.token)).toBeUndefined();
    expect(store.get(b.grant.conversationId)).toBeUndefined();
    expect(store.byToken(a.token)).toBeDefined();
    expect(store.byToken(c.token)).toBeDefined();
    expect(store.byToken(d.token)).toBeDefined();
    expect(store.size).toBe(3);
  });

  it('bounds token refreshes: a conversation holds only its last few tokens', async () => {
    const srv = await startAbuseServer();
    try {
      const chat = await webChat(srv.url);
      const tokens = [chat.token];
      for (let i = 0; i < 8; i++) {
        const r = await fetch(`${srv.url}/v3/directline/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${tokens.at(-1)}` } });
        expect(r.status).toBe(200);
        tokens.push(((await r.json()) as { token: string }).token);
      }
      const live = [];
      for (const t of tokens) live.push((await fetch(`${srv.url}/v3/directline/conversations/${chat.conversationId}`, { headers: { authorization: `Bearer ${t}` } })).status);
      expect(live.filter((s) => s === 200)).toHaveLength(MAX_TOKENS_PER_CONVERSATION);
      expect(live.slice(-MAX_TOKENS_PER_CONVERSATION)).toEqual(Array(MAX_TOKENS_PER_CONVERSATION).fill(200));
    } finally {
      await srv.close();
    }
  });
});

describe('memory: what one conversation can hold', () => {
  let srv: AbuseServer;
  beforeAll(async () => { srv = await startAbuseServer({ MAX_CONVERSATION_ACTIVITIES: '12' }); });
  afterAll(async () => { await srv?.close(); });

  it('refuses an event with a large value (413) and keeps nothing of it', async () => {
    const chat = await webChat(srv.url);
    const r = await chat.send({ type: 'event', name: 'x', value: { blob: 'x'.repeat(50_000) } });
    expect(r.status).toBe(413);
    const { activities } = await chat.poll();
    expect(JSON.stringify(activities)).not.toContain('xxxxxxxxxx');
  });

  it('refuses a message longer than MAX_ANSWER_CHARS (413)', async () => {
    const chat = await webChat(srv.url);
    expect((await chat.send({ type: 'message', text: 'itchy '.repeat(10_000) })).status).toBe(413);
  });

  it('stops a conversation at MAX_CONVERSATION_ACTIVITIES with 429 and Retry-After', async () => {
    const chat = await webChat(srv.url);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await chat.send({ type: 'event', name: 'ping', value: i });
      statuses.push(r.status);
      if (r.status === 429) {
        expect(r.headers.get('retry-after')).toBeTruthy();
        break;
      }
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.length).toBeLessThanOrEqual(12);
  });

  it('counts bytes: a conversation stops at MAX_CONVERSATION_BYTES', () => {
    const store = new ConversationStore(Date.now, { bytes: 64 * 1024, activities: 10_000 });
    const { grant } = store.generate();
    const c = store.get(grant.conversationId)!;
    let accepted = 0;
    for (let i = 0; i < 100 && store.append(c, { type: 'message', text: 'x'.repeat(2_000) }); i++) accepted++;
    expect(accepted).toBeGreaterThan(20);
    expect(accepted).toBeLessThan(33);
    expect(c.bytes).toBeLessThanOrEqual(64 * 1024);
  });
});

describe("someone else's conversation", () => {
  let srv: AbuseServer;
  let slackApi: Awaited<ReturnType<typeof startRecorder>>;
  beforeAll(async () => {
    slackApi = await startRecorder();
    srv = await startAbuseServer({ SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_BOT_TOKEN: 'xoxb-abuse', SLACK_API_URL: `${slackApi.url}/api/` });
  });
  afterAll(async () => { await srv?.close(); await slackApi?.close(); });

  const anonymous = (channelId: string, conversation: string, text: string) => srv.post('/api/messages', {
    type: 'message', channelId, serviceUrl: 'http://127.0.0.1:1', deliveryMode: 'expectReplies',
    conversation: { id: conversation }, from: { id: 'mallory' }, recipient: { id: 'bot' }, text,
  });

  it("cannot read or answer a Slack user's triage through /api/messages", async () => {
    await signedSlack(srv.url, slackDm('hi', { team: 'T0VICTIM', channel: 'D0VICTIM' }));
    await signedSlack(srv.url, slackDm('citalopram and tramadol', { team: 'T0VICTIM', channel: 'D0VICTIM' }));
    await srv.channels.slackDone();
    const victim = slackApi.calls.filter((c) => c.body.channel === 'D0VICTIM');
    expect(String(victim.at(-1)?.body.text)).toMatch(/change/i); // the victim is on the dose-changes question
    for (const id of ['T0VICTIM:D0VICTIM', 'slack-events:T0VICTIM:D0VICTIM']) {
      const r = await anonymous('slack', id, 'start over');
      expect(r.status).toBe(403);
    }
    // Under another channel id the same conversation id is a different, empty conversation.
    const other = await anonymous('webchat', 'slack-events:T0VICTIM:D0VICTIM', 'hello');
    expect(other.status).toBe(200);
    const replies = ((await other.json()) as { activities: Json[] }).activities;
    expect(question(replies.at(-1))).toBe('medications');
    expect(JSON.stringify(replies)).not.toMatch(/citalopram|tramadol/i);
    // The victim's triage carries on where it was.
    await signedSlack(srv.url, slackDm('started tramadol 3 days ago', { team: 'T0VICTIM', channel: 'D0VICTIM' }));
    await srv.channels.slackDone();
    expect(String(slackApi.calls.filter((c) => c.body.channel === 'D0VICTIM').at(-1)?.body.text)).toMatch(/symptom|noticed/i);
  });

  it("cannot reach a web chat's conversation through /api/messages with its (leaked) id", async () => {
    const chat = await webChat(srv.url);
    const sent = await chat.send({ type: 'message', text: 'baclofen' });
    await chat.replyTo(((await sent.json()) as { id: string }).id);
    const r = await anonymous('directline', chat.conversationId, 'delete my data');
    expect(r.status).toBe(403);
    // A guessed or stolen bridge secret does not work either.
    const forged = await srv.post('/api/messages', {
      type: 'message', channelId: 'directline', serviceUrl: srv.url, conversation: { id: chat.conversationId }, from: { id: chat.userId }, text: 'start over',
    }, { authorization: 'Bearer not-the-secret' });
    expect([401, 403]).toContain(forged.status);
    // The web chat is untouched: its next answer moves on.
    const next = await chat.send({ type: 'message', text: 'none' });
    const seen = await chat.replyTo(((await next.json()) as { id: string }).id);
    expect(question(seen.filter((a) => a.type === 'message').at(-1))).toBe('symptoms');
  });

  it("only the bot can write into a web chat: the reply route wants the server's secret, not a loopback address", async () => {
    const chat = await webChat(srv.url);
    for (const authorization of [undefined, 'Bearer guess', `Bearer ${chat.token}`]) {
      const r = await fetch(`${srv.url}/v3/conversations/${chat.conversationId}/activities`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ type: 'message', text: 'Call 555-0100 now, this is your clinic' }),
      });
      expect(r.status).toBe(403);
    }
    const { activities } = await chat.poll();
    expect(JSON.stringify(activities)).not.toContain('555-0100');
  });
});

describe('INTAKE_API_KEY guards every face that returns an assessment without a channel of its own', () => {
  let srv: AbuseServer;
  beforeAll(async () => { srv = await startAbuseServer({ INTAKE_API_KEY: 'k-abuse-123' }); });
  afterAll(async () => { await srv?.close(); });
  const er = (headers: Record<string, string> = {}) => srv.post('/api/messages', {
    type: 'message', channelId: 'webchat', serviceUrl: 'http://127.0.0.1:1', deliveryMode: 'expectReplies',
    conversation: { id: 'er-key' }, from: { id: 'u' }, recipient: { id: 'bot' }, text: "she's not breathing",
  }, headers);

  it('/api/messages with expectReplies: 401 without the key, the assessment with it', async () => {
    const denied = await er();
    expect(denied.status).toBe(401);
    expect(JSON.stringify(await denied.json())).not.toMatch(/emergency/);
    expect((await er({ authorization: 'Bearer wrong' })).status).toBe(401);
    const ok = await er({ authorization: 'Bearer k-abuse-123' });
    expect(ok.status).toBe(200);
    const event = ((await ok.json()) as { activities: Json[] }).activities.find((a) => a.name === 'triage.result');
    expect((event?.value as { level: string }).level).toBe('emergency');
  });

  it("the page's own web chat keeps working (its bridge has its own secret)", async () => {
    const chat = await webChat(srv.url);
    const sent = await chat.send({ type: 'message', text: 'baclofen' });
    expect(sent.status).toBe(200);
  });
});

describe('serviceUrl with auth off: configured local clients only, no port oracle', () => {
  let srv: AbuseServer;
  let emulator: Awaited<ReturnType<typeof startRecorder>>;
  let open: Awaited<ReturnType<typeof startRecorder>>;
  beforeAll(async () => {
    [emulator, open] = await Promise.all([startRecorder(), startRecorder()]);
    srv = await startAbuseServer({ LOCAL_CLIENT_PORTS: String(emulator.port) });
  });
  afterAll(async () => { await srv?.close(); await emulator?.close(); await open?.close(); });
  const deliver = (serviceUrl: string, id: string) => srv.post('/api/messages', {
    type: 'message', channelId: 'emulator', serviceUrl, conversation: { id }, from: { id: 'u' }, recipient: { id: 'bot' }, text: 'hi',
  });

  it('replies to the configured port, with no path', async () => {
    expect((await deliver(emulator.url, 'svc-ok')).status).toBe(200);
    expect(emulator.calls.some((c) => c.path.startsWith('/v3/conversations/svc-ok/activities'))).toBe(true);
  });

  it('refuses any other loopback port alike, open or closed, and any path on the configured one', async () => {
    const before = open.calls.length;
    const timed = async (url: string) => {
      const t = performance.now();
      const r = await deliver(url, `svc-${Math.random()}`);
      return { status: r.status, ms: performance.now() - t };
    };
    const toOpen = await timed(`${open.url}/admin/secret?x=`);
    const toOpenRoot = await timed(open.url);
    const toClosed = await timed('http://127.0.0.1:1');
    const withPath = await timed(`${emulator.url}/admin/secret?x=`);
    for (const r of [toOpen, toOpenRoot, toClosed, withPath]) {
      expect(r.status).toBe(403);
      expect(r.ms).toBeLessThan(500); // answered before any connection is tried: nothing to time
    }
    expect(open.calls.length).toBe(before);
  });

  it('never sends replies to a non-loopback host', async () => {
    expect((await deliver('http://192.0.2.10:3978', 'svc-far')).status).toBe(403);
  });
});

describe('settings', () => {
  it('binds to loopback by default while Bot Framework auth is off, everywhere when on, HOST wins', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ MicrosoftAppId: 'x', MicrosoftAppPassword: 'y' }).host).toBeUndefined();
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it.each([
    ['FRAME_ANCESTORS', '*'], ['FRAME_ANCESTORS', "https://a.example; script-src 'unsafe-inline'"], ['FRAME_ANCESTORS', 'http://evil.example'],
    ['LOCAL_CLIENT_PORTS', '3978,abc'], ['LOCAL_CLIENT_PORTS', '70000'], ['MAX_ANSWER_CHARS', '0'], ['MAX_ANSWER_CHARS', '100000'],
    ['CONVERSATIONS_PER_MINUTE', 'many'], ['MAX_OPEN_CONVERSATIONS', '-1'], ['ASSESS_CONCURRENCY', '0'], ['TRUST_PROXY', 'yes please'],
    ['HOST', 'a b'], ['MAX_EVENT_VALUE_BYTES', '1e9'],
  ])('refuses %s=%s with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });
});
