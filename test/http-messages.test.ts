// /api/messages on the real server, acting as a channel: replies arrive at a loopback "connector" in the test,
// or in the response body with deliveryMode "expectReplies".
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assessment } from '../src/triage/index.js';
import { startServer, type RunningServer } from './helpers.js';

interface Received { path: string; activity: { type: string; text?: string; name?: string; value?: unknown; channelData?: { triage?: { question?: string } } } }

/** A fake Bot Connector: records every activity the bot sends. */
async function startConnector(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  let n = 0;
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ path: req.url ?? '', activity: JSON.parse(body || '{}') });
      // Two calls: restify patches ServerResponse.prototype, and its writeHead returns nothing.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `r${++n}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

let seq = 0;
function activity(serviceUrl: string, conversation: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'message', id: `a${++seq}`, channelId: 'webchat', serviceUrl,
    conversation: { id: conversation }, from: { id: 'user-1' }, recipient: { id: 'bot' },
    localTimestamp: '2026-03-08T09:00:00-05:00', locale: 'en-US', ...extra,
  };
}
const question = (a: Received['activity'] | undefined) => a?.channelData?.triage?.question;

let srv: RunningServer;
let connector: Awaited<ReturnType<typeof startConnector>>;
beforeAll(async () => {
  connector = await startConnector();
  // With auth off, replies go only to the configured local clients' ports (LOCAL_CLIENT_PORTS).
  srv = await startServer({ LOCAL_CLIENT_PORTS: new URL(connector.url).port });
});
afterAll(async () => { await srv?.close(); await connector?.close(); });

async function expectReplies(conversation: string, extra: Record<string, unknown> = {}) {
  const res = await srv.post('/api/messages', activity(connector.url, conversation, { deliveryMode: 'expectReplies', ...extra }));
  expect(res.status).toBe(200);
  return ((await res.json()) as { activities: Received['activity'][] }).activities;
}

describe('POST /api/messages, normal delivery', () => {
  it('greets on join and sends each reply to the serviceUrl', async () => {
    const before = connector.received.length;
    const join = await srv.post('/api/messages', activity(connector.url, 'c-join', {
      type: 'conversationUpdate', membersAdded: [{ id: 'user-1' }], text: undefined,
    }));
    expect(join.status).toBe(200);
    const sent = connector.received.slice(before);
    expect(sent[0]!.path).toMatch(/^\/v3\/conversations\/c-join\/activities/);
    expect(sent[0]!.activity.text).toMatch(/not a diagnosis/);
    expect(question(sent.at(-1)!.activity)).toBe('medications');
    const answer = await srv.post('/api/messages', activity(connector.url, 'c-join', { text: 'sertraline' }));
    expect(answer.status).toBe(200);
    expect(question(connector.received.at(-1)!.activity)).toBe('doseChanges');
  });

  it('refuses a non-loopback serviceUrl while auth is off', async () => {
    const res = await srv.post('/api/messages', activity('https://example.com/', 'c-far', { text: 'hi' }));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/loopback.*LOCAL_CLIENT_PORTS/);
  });

  it('loses no answer when two messages of one conversation arrive at once', async () => {
    await expectReplies('c-race', { text: 'hi' });
    const [a, b] = await Promise.all([
      srv.post('/api/messages', activity(connector.url, 'c-race', { text: 'sertraline' })),
      srv.post('/api/messages', activity(connector.url, 'c-race', { text: 'none' })),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const next = await expectReplies('c-race', { text: 'help' });
    expect(question(next.at(-1))).toBe('symptoms');
  });
});

describe('POST /api/messages, expectReplies', () => {
  it('returns the replies in the response and sends nothing out', async () => {
    const before = connector.received.length;
    const replies = await expectReplies('c-er', { text: 'hello' });
    expect(replies.map((r) => question(r)).at(-1)).toBe('medications');
    expect(connector.received.length).toBe(before);
  });

  it('works for any serviceUrl, since nothing is sent there', async () => {
    const res = await srv.post('/api/messages', activity('https://example.com/', 'c-er2', { text: 'hi', deliveryMode: 'expectReplies' }));
    expect(res.status).toBe(200);
  });

  it('carries the emergency event in the same response', async () => {
    const replies = await expectReplies('c-er3', { text: "she's not breathing" });
    const event = replies.find((r) => r.type === 'event' && r.name === 'triage.result');
    expect((event?.value as Assessment).level).toBe('emergency');
  });
});

describe('bad input never crashes the server', () => {
  it.each([
    ['not JSON', '{"type":', 400],
    ['an array', '[]', 400],
    ['no type', JSON.stringify({ channelId: 'webchat', conversation: { id: 'x' }, serviceUrl: 'http://127.0.0.1:1' }), 400],
    ['no conversation', JSON.stringify({ type: 'message', channelId: 'webchat', serviceUrl: 'http://127.0.0.1:1' }), 400],
    ['no serviceUrl', JSON.stringify({ type: 'message', channelId: 'webchat', conversation: { id: 'x' } }), 400],
    ['text not a string', JSON.stringify({ type: 'message', channelId: 'webchat', conversation: { id: 'x' }, serviceUrl: 'http://127.0.0.1:1', text: 5 }), 400],
  ])('%s → %i', async (_name, body, status) => {
    const res = await srv.post('/api/messages', body);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toEqual(expect.any(String));
  });

  it('answers 413 over 64 KiB and 415 for other content types', async () => {
    expect((await srv.post('/api/messages', activity(connector.url, 'big', { text: 'x'.repeat(70_000) }))).status).toBe(413);
    expect((await srv.post('/api/messages', 'hi', { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it.each([
    ['empty text', { text: '' }, /medicines|did not get/],
    ['emoji only', { text: '😱😱😱' }, /./],
    ['a card submit with no text', { text: undefined, value: { answer: 'not sure' } }, /./],
    ['an unknown channel', { text: 'sertraline', channelId: 'carrier-pigeon' }, /./],
    ['an unknown activity type', { type: 'typing', text: undefined }, null],
  ])('%s gets a sensible reply', async (name, extra, pattern) => {
    const replies = await expectReplies(`bad-${name}`, extra);
    if (pattern) expect(replies.filter((r) => r.type === 'message').map((r) => r.text).join(' ')).toMatch(pattern);
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
  });
});

describe('an answer longer than MAX_ANSWER_CHARS', () => {
  it('is refused with 413 naming the cap, before the bot reads it', async () => {
    const res = await srv.post('/api/messages', activity(connector.url, 'c-long', { text: 'my legs feel stiff and itchy. '.repeat(700), deliveryMode: 'expectReplies' }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/2000 characters/);
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
  });
});

describe('with MicrosoftAppId set', () => {
  it('answers 401 without a valid token', async () => {
    const secured = await startServer({ MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'x' });
    try {
      const res = await secured.post('/api/messages', activity(connector.url, 'c-auth', { text: 'hi' }));
      expect(res.status).toBe(401);
    } finally {
      await secured.close();
    }
  });
});

describe('restart', () => {
  it('continues a half-finished conversation after a restart on the same SQLite file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'triage-restart-'));
    const env = { STORAGE: 'sqlite', SQLITE_PATH: path.join(dir, 'nested', 'state.sqlite') };
    try {
      const first = await startServer(env);
      const post = (s: RunningServer, text: string) => s.post('/api/messages', activity(connector.url, 'c-restart', { text, deliveryMode: 'expectReplies' }))
        .then(async (r) => ((await r.json()) as { activities: Received['activity'][] }).activities);
      await post(first, 'hi');
      expect(question((await post(first, 'baclofen pump')).at(-1))).toBe('doseChanges');
      await first.close();

      const second = await startServer(env);
      try {
        expect(question((await post(second, 'none')).at(-1))).toBe('symptoms');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
