// The local Direct Line: driven by Web Chat's own client library (botframework-directlinejs) through a whole triage,
// and at the HTTP level for tokens, conversations and the rules Web Chat depends on; on each store (this process's
// memory, and PostgreSQL as STORAGE=postgres has it).
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity } from 'botframework-directlinejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startChannelsServer, type ChannelsServer } from './channels-server.js';
import { nodeDirectLine } from './directline-client.js';
import { startDirectLineDatabase, type DirectLineDatabase } from './directline-postgres.js';
import { waitFor } from './helpers.js';

let srv: ChannelsServer;

const post = (path: string, body?: unknown, token?: string) => fetch(srv.url + path, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: body === undefined ? undefined : JSON.stringify(body),
});
const get = (path: string, token?: string) => fetch(srv.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const question = (a: Activity | undefined) => (a?.channelData as { triage?: { question?: string } } | undefined)?.triage?.question;


describe.each(['memory', 'postgres'] as const)('on the %s store', (kind) => {
  let database: DirectLineDatabase | undefined;
  beforeAll(async () => {
    database = kind === 'postgres' ? await startDirectLineDatabase() : undefined;
    srv = await startChannelsServer({}, { pool: database?.pool });
  }, 120_000);
  afterAll(async () => {
    await srv?.close();
    await database?.close();
  });

  describe('local Direct Line with botframework-directlinejs', () => {
    it('holds a whole triage: welcome, echoes, replies in order, the result event', async () => {
      const { token, userId } = (await (await post('/api/webchat/token', {})).json()) as { token: string; userId: string };
      const dl = nodeDirectLine({ domain: `${srv.url}/v3/directline`, token, pollingInterval: 200 });
      const seen: Activity[] = [];
      const sub = dl.activity$.subscribe({ next: (a) => seen.push(a), error: () => {} });
      const lastBot = () => [...seen].reverse().find((a) => a.from.role === 'bot' && a.type === 'message');
      const send = (text: string) => new Promise<string>((resolve, reject) => {
        dl.postActivity({ type: 'message', from: { id: userId }, text, locale: 'en-US', channelData: { clientActivityID: `c-${text}` } } as Activity)
          .subscribe({ next: resolve, error: reject });
      });
      try {
        // As the page does once connected: the join event carries the locale (the bridge's conversationUpdate has none).
        dl.postActivity({ type: 'event', name: 'webchat/join', from: { id: userId }, locale: 'en-US', value: { locale: 'en-US' } } as Activity).subscribe({ error: () => {} });
        await waitFor('the first question', () => question(lastBot()) === 'medications');
        expect(seen.find((a) => a.type === 'message')!.from.role).toBe('bot'); // the welcome came before any message of the person's

        const answers: Record<string, string> = {
          medications: 'citalopram 20 mg and tramadol', doseChanges: 'started tramadol 3 days ago',
          symptoms: 'shaking, sweating a lot and my muscles keep twitching', temperature: '38.9',
        };
        let result: Activity | undefined;
        for (let turn = 0; turn < 12 && !result; turn++) {
          const q = question(lastBot())!;
          const before = seen.length;
          const id = await send(answers[q] ?? 'no');
          // Web Chat marks a message sent only when its echo (same clientActivityID) comes back in the stream.
          const echo = await waitFor('echo', () => seen.find((a) => a.id === id));
          expect(echo).toMatchObject({ from: { id: userId, role: 'user' }, channelData: { clientActivityID: expect.any(String) } });
          const reply = await waitFor('reply', () => seen.slice(before).find((a) => a.from.role === 'bot' && a.type === 'message'));
          // Web Chat holds a reply until the activity it answers is shown; the ids must match.
          expect((reply as { replyToId?: string }).replyToId).toBe(id);
          const turnDone = await waitFor('the next question or the result', () => {
            const fresh = seen.slice(seen.indexOf(echo) + 1);
            const event = fresh.find((a) => a.type === 'event' && a.name === 'triage.result');
            return event || fresh.some((a) => question(a)) ? { event } : undefined;
          });
          result = turnDone.event;
        }
        expect(result?.type).toBe('event');
        expect((result as { value?: { level?: string } }).value?.level).toMatch(/emergency|urgent/);
        for (const a of seen) expect(a.timestamp, `${a.type} ${a.id}`).toBeTruthy();
      } finally {
        sub.unsubscribe();
        dl.end();
      }
    });
  });

  describe('local Direct Line over HTTP', () => {
    async function start() {
      const grant = (await (await post('/v3/directline/tokens/generate', {})).json()) as { conversationId: string; token: string; expires_in: number };
      const started = await post('/v3/directline/conversations', undefined, grant.token);
      return { ...grant, status: started.status, body: (await started.json()) as { conversationId: string; token: string } };
    }

    it('starts a conversation from a generated token and welcomes the person', async () => {
      const c = await start();
      expect(c.expires_in).toBeGreaterThan(0);
      expect(c.status).toBe(201);
      expect(c.body.conversationId).toBe(c.conversationId);
      type Page = { activities: Activity[]; watermark: string };
      const poll = async (watermark = '') => (await get(`/v3/directline/conversations/${c.conversationId}/activities?watermark=${watermark}`, c.token)).json() as Promise<Page>;
      // The page's join event, with its locale: the bot greets in the person's language.
      await post(`/v3/directline/conversations/${c.conversationId}/activities`, { type: 'event', name: 'webchat/join', locale: 'en-US', value: { locale: 'en-US' } }, c.token);
      const got = await waitFor('welcome', async () => {
        const p = await poll();
        // The welcome is complete with its first question; the greeting before it is posted separately.
        return p.activities.some((a) => a.from.role === 'bot' && a.inputHint === 'expectingInput') ? p : undefined;
      });
      // Nothing new after the watermark.
      expect(await poll(got.watermark)).toEqual({ activities: [], watermark: got.watermark });
      // Starting again with the same token is a reconnect, not a second welcome.
      expect((await post('/v3/directline/conversations', undefined, c.token)).status).toBe(200);
    });

    it('refuses missing, wrong and cross-conversation tokens; 404 for unknown conversations', async () => {
      const a = await start();
      const b = await start();
      expect((await post('/v3/directline/conversations')).status).toBe(403);
      expect((await get(`/v3/directline/conversations/${a.conversationId}/activities`)).status).toBe(403);
      expect((await get(`/v3/directline/conversations/${a.conversationId}/activities`, 'forged')).status).toBe(403);
      expect((await get(`/v3/directline/conversations/${a.conversationId}/activities`, b.token)).status).toBe(403);
      expect((await get('/v3/directline/conversations/nope/activities', b.token)).status).toBe(404);
      expect((await post(`/v3/directline/conversations/${a.conversationId}/activities`, { type: 'message', text: 'hi' }, b.token)).status).toBe(403);
    });

    it('refreshes a token; the new one works', async () => {
      const c = await start();
      const r = await post('/v3/directline/tokens/refresh', undefined, c.token);
      const fresh = (await r.json()) as { token: string; conversationId: string };
      expect(fresh.conversationId).toBe(c.conversationId);
      expect(fresh.token).not.toBe(c.token);
      expect((await get(`/v3/directline/conversations/${c.conversationId}`, fresh.token)).status).toBe(200);
      expect((await post('/v3/directline/tokens/refresh', undefined, 'forged')).status).toBe(403);
    });

    it('stamps the token user on what a client sends, whatever it claims, and refuses other activity types', async () => {
      const c = await start();
      const sent = await post(`/v3/directline/conversations/${c.conversationId}/activities`,
        { type: 'message', text: 'hello', from: { id: 'someone-else', role: 'bot' }, channelData: { clientActivityID: 'x1' } }, c.token);
      expect(sent.status).toBe(200);
      const { id } = (await sent.json()) as { id: string };
      const { activities } = (await (await get(`/v3/directline/conversations/${c.conversationId}/activities`, c.token)).json()) as { activities: Activity[] };
      const echo = activities.find((a) => a.id === id)!;
      expect(echo.from.role).toBe('user');
      expect(echo.from.id).not.toBe('someone-else');
      expect(echo.channelData).toEqual({ clientActivityID: 'x1' });
      expect((await post(`/v3/directline/conversations/${c.conversationId}/activities`, { type: 'invoke', name: 'x' }, c.token)).status).toBe(400);
    });

    it('streams on a websocket: what comes after the watermark, then each new activity; refuses a wrong token', async () => {
      const c = await start();
      const streamUrl = (c.body as { streamUrl?: string }).streamUrl!;
      expect(streamUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/v3/directline/conversations/${c.conversationId}/stream\\?t=`));
      const refused = await new Promise<number>((resolve) => {
        const ws = new WebSocket(streamUrl.replace(/t=[^&]+/, 't=forged'));
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => undefined);
      });
      expect(refused).toBe(403);
      const ws = new WebSocket(streamUrl);
      const pushed: Activity[] = [];
      ws.on('message', (data) => pushed.push(...(JSON.parse(String(data)) as { activities: Activity[] }).activities));
      await new Promise((resolve) => ws.once('open', resolve));
      try {
        await post(`/v3/directline/conversations/${c.conversationId}/activities`, { type: 'event', name: 'webchat/join', locale: 'en-US', value: { locale: 'en-US' } }, c.token);
        await waitFor('the welcome, pushed', () => pushed.some((a) => question(a) === 'medications'));
        const sent = await post(`/v3/directline/conversations/${c.conversationId}/activities`, { type: 'message', text: 'citalopram and tramadol' }, c.token);
        const { id } = (await sent.json()) as { id: string };
        await waitFor('the reply, pushed', () => pushed.some((a) => a.replyToId === id && a.from.role === 'bot'));
        const ids = pushed.map((a) => a.id);
        expect(new Set(ids).size).toBe(ids.length);
      } finally {
        ws.close();
      }
    });

    it("the connector side takes no replies from anyone but the bot, even over loopback", async () => {
      const { conversationId } = await start();
      for (const path of [`/v3/conversations/${conversationId}/activities`, '/v3/conversations/unknown/activities']) {
        const r = await post(path, { type: 'message', text: 'x' });
        expect(r.status).toBe(403);
      }
    });
  });
});

describe('web chat token endpoint', () => {
  it('with DIRECT_LINE_SECRET: exchanges the secret with Direct Line, and only the token reaches the page', async () => {
    const seen: { auth?: string; path?: string; body?: string }[] = [];
    const azure: Server = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, path: req.url, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ conversationId: 'az-conv', token: 'az-token', expires_in: 1800 }));
      });
    });
    await new Promise<void>((r) => azure.listen(0, '127.0.0.1', r));
    const domain = `http://127.0.0.1:${(azure.address() as AddressInfo).port}/v3/directline`;
    const secret = 'super-secret-direct-line-key';
    const s = await startChannelsServer({ DIRECT_LINE_SECRET: secret }, { azureDirectLineDomain: domain });
    try {
      const r = await fetch(`${s.url}/api/webchat/token`, { method: 'POST' });
      const text = await r.text();
      expect(r.status).toBe(200);
      expect(text).not.toContain(secret);
      expect(JSON.parse(text)).toMatchObject({ domain, token: 'az-token', conversationId: 'az-conv', webSocket: true });
      expect(seen).toEqual([{ auth: `Bearer ${secret}`, path: '/v3/directline/tokens/generate', body: expect.stringContaining('"user"') }]);
      const page = await fetch(`${s.url}/`);
      expect(await page.text()).not.toContain(secret);
      expect(page.headers.get('content-security-policy')).toContain(new URL(domain).origin);
      // The local Direct Line is off when Azure's is used.
      expect((await fetch(`${s.url}/v3/directline/tokens/generate`, { method: 'POST' })).status).toBe(404);
    } finally {
      await s.close();
      azure.closeAllConnections();
      await new Promise((r) => azure.close(r));
    }
  });

  it('with MicrosoftAppId but no secret: 503, since the local Direct Line cannot reach an authenticated bot', async () => {
    const s = await startChannelsServer({ MicrosoftAppId: '3f2b8c1e-5d4a-4c6b-9e7f-0a1b2c3d4e5f', MicrosoftAppPassword: 'x' });
    try {
      expect((await fetch(`${s.url}/api/webchat/token`, { method: 'POST' })).status).toBe(503);
    } finally {
      await s.close();
    }
  });
});
