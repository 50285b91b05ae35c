// Two instances of the server on one PostgreSQL database, as behind a load balancer with no sticky sessions: a web
// chat conversation started on one is served by the other, for polling and for streams, with every activity kept
// once and in order, and "delete my data" on one erases what the other wrote.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Activity } from 'botframework-directlinejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort, runMain } from './abuse-helpers.js';
import { startChannelsServer, type ChannelsServer } from './channels-server.js';
import { startDirectLineDatabase, type DirectLineDatabase } from './directline-postgres.js';
import { waitFor } from './helpers.js';

let database: DirectLineDatabase;
let a: ChannelsServer;
let b: ChannelsServer;

beforeAll(async () => {
  database = await startDirectLineDatabase();
  // Each instance with its own pool, as two processes would have.
  a = await startChannelsServer({}, { pool: database.pool });
  b = await startChannelsServer({}, { pool: database.newPool() });
}, 120_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await database?.close();
});

type Page = { activities: Activity[]; watermark: string };
const question = (x: Activity | undefined) => (x?.channelData as { triage?: { question?: string } } | undefined)?.triage?.question;

function client(token: string, conversationId: string) {
  const auth = { authorization: `Bearer ${token}` };
  const base = `/v3/directline/conversations/${conversationId}`;
  return {
    send: (on: ChannelsServer, activity: Record<string, unknown>) => fetch(`${on.url}${base}/activities`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(activity), signal: AbortSignal.timeout(20_000),
    }),
    poll: async (on: ChannelsServer, watermark = '') => {
      const r = await fetch(`${on.url}${base}/activities?watermark=${watermark}`, { headers: auth });
      if (r.status !== 200) throw new Error(`poll answered ${r.status}`);
      return (await r.json()) as Page;
    },
    /** A websocket stream on `on`, collecting every activity it is sent. */
    stream: async (on: ChannelsServer) => {
      const started = (await (await fetch(`${on.url}${base}`, { headers: auth })).json()) as { streamUrl: string };
      const ws = new WebSocket(started.streamUrl);
      const seen: Activity[] = [];
      const watermarks: number[] = [];
      ws.on('message', (data) => {
        const page = JSON.parse(String(data)) as Page;
        seen.push(...page.activities);
        watermarks.push(Number(page.watermark));
      });
      await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
      return { ws, seen, watermarks };
    },
  };
}

async function webChat(on: ChannelsServer) {
  const r = await fetch(`${on.url}/api/webchat/token`, { method: 'POST' });
  const grant = (await r.json()) as { token: string; conversationId: string; deleteKey: string };
  expect((await fetch(`${on.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${grant.token}` } })).status).toBe(201);
  return { ...grant, ...client(grant.token, grant.conversationId) };
}


const seqOf = (x: Activity) => Number(x.id!.split('|')[1]);

describe('the local Direct Line on two instances sharing PostgreSQL', () => {
  it('a conversation started on A is answered through B: polling on A and streams on both see the same activities', async () => {
    const chat = await webChat(a);
    const onA = await chat.stream(a);
    const onB = await chat.stream(b);
    try {
      expect((await chat.send(b, { type: 'event', name: 'webchat/join', locale: 'en-US', value: { locale: 'en-US' } })).status).toBe(200);
      await waitFor('the welcome, polled on A', async () => (await chat.poll(a)).activities.some((x) => question(x) === 'medications'));
      const sent = await chat.send(b, { type: 'message', text: 'citalopram 20 mg and tramadol', locale: 'en-US' });
      expect(sent.status).toBe(200);
      const { id } = (await sent.json()) as { id: string };
      const reply = await waitFor('the reply, polled on A', async () => (await chat.poll(a)).activities.find((x) => x.replyToId === id && x.from.role === 'bot'));
      expect(question(reply)).toBe('doseChanges');
      // Both streams (A's woken by B's writes through NOTIFY) have the whole conversation, once each, in order.
      const all = (await chat.poll(a)).activities;
      for (const s of [onA, onB]) {
        // Well within the streams' 5-second look: A's stream is woken by B's write through NOTIFY.
        await waitFor('the stream to catch up', () => s.seen.length === all.length, 3_000);
        expect(s.seen.map((x) => x.id)).toEqual(all.map((x) => x.id));
        expect(s.watermarks).toEqual([...s.watermarks].sort((x, y) => x - y));
      }
      expect(all.map(seqOf)).toEqual(all.map((_, i) => i));
    } finally {
      onA.ws.close();
      onB.ws.close();
    }
  });

  it('a token from A works on B, refreshed on B works on A; both instances refuse a wrong one', async () => {
    const chat = await webChat(a);
    expect((await fetch(`${b.url}/v3/directline/conversations/${chat.conversationId}`, { headers: { authorization: `Bearer ${chat.token}` } })).status).toBe(200);
    const refreshed = (await (await fetch(`${b.url}/v3/directline/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${chat.token}` } })).json()) as { token: string };
    expect((await fetch(`${a.url}/v3/directline/conversations/${chat.conversationId}`, { headers: { authorization: `Bearer ${refreshed.token}` } })).status).toBe(200);
    for (const on of [a, b]) {
      expect((await fetch(`${on.url}/v3/directline/conversations/${chat.conversationId}`, { headers: { authorization: 'Bearer forged' } })).status).toBe(403);
    }
    // Only hashes of tokens are kept.
    const { rows } = await database.pool.query('SELECT hash FROM directline_tokens WHERE conversation_id = $1', [chat.conversationId]);
    expect(rows.length).toBe(2);
    expect(JSON.stringify(rows)).not.toContain(chat.token);
  });

  it('posts sent at once to both instances are all kept, once each, with consecutive watermarks; alternating sends keep their order', async () => {
    const chat = await webChat(a);
    // Pages read while the burst is written, alternating instances, must never skip or repeat an activity.
    const read: Activity[] = [];
    let watermark = '';
    let readFrom = 0;
    const reading = (async () => {
      for (let i = 0; i < 40; i++) {
        const page = await chat.poll(i % 2 ? a : b, watermark);
        expect(Number(page.watermark)).toBeGreaterThanOrEqual(Number(watermark || 0));
        read.push(...page.activities);
        watermark = page.watermark;
        readFrom++;
      }
    })();
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => chat.send(i % 2 ? a : b, { type: 'event', name: 'burst', value: i })));
    expect(burst.map((r) => r.status)).toEqual(Array(20).fill(200));
    const ids = await Promise.all(burst.map(async (r) => ((await r.json()) as { id: string }).id));
    for (let i = 0; i < 6; i++) {
      expect((await chat.send(i % 2 ? a : b, { type: 'event', name: 'ordered', value: i })).status).toBe(200);
    }
    await reading;
    expect(readFrom).toBe(40);
    const all = (await chat.poll(b)).activities;
    expect(all.map(seqOf)).toEqual(all.map((_, i) => i)); // no gap, no double
    expect(new Set(ids).size).toBe(20);
    for (const id of ids) expect(all.some((x) => x.id === id)).toBe(true);
    expect(all.filter((x) => x.name === 'ordered').map((x) => x.value)).toEqual([0, 1, 2, 3, 4, 5]);
    // What the reader collected while the writes went on is a prefix of the whole, in order, nothing twice.
    expect(read.map((x) => x.id)).toEqual(all.slice(0, read.length).map((x) => x.id));
    // Timestamps follow the order (Web Chat sorts by them).
    const times = all.map((x) => Date.parse(String(x.timestamp)));
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it('"delete my data" with the delete key on B erases what A wrote: its rows are gone and its tokens end', async () => {
    const chat = await webChat(a);
    await chat.send(a, { type: 'event', name: 'webchat/join', locale: 'en-US', value: { locale: 'en-US' } });
    await waitFor('the welcome', async () => (await chat.poll(a)).activities.some((x) => question(x) === 'medications'));
    const count = async () => (await database.pool.query<{ n: number }>(`SELECT
      (SELECT count(*) FROM directline_conversations WHERE id = $1) + (SELECT count(*) FROM directline_activities WHERE conversation_id = $1)
      + (SELECT count(*) FROM directline_tokens WHERE conversation_id = $1) AS n`, [chat.conversationId])).rows[0]!.n;
    expect(Number(await count())).toBeGreaterThan(3);
    const r = await fetch(`${b.url}/api/webchat/delete`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conversationId: chat.conversationId, deleteKey: chat.deleteKey }),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ deleted: { answers: true, transcript: true } });
    expect(Number(await count())).toBe(0);
    expect((await chat.send(a, { type: 'message', text: 'hello' })).status).toBe(403);
  });

  it('"delete my data" said in the chat on B closes the conversation for both: transcript erased, then the rows go once the confirmation is read on A', async () => {
    const chat = await webChat(a);
    await chat.send(a, { type: 'event', name: 'webchat/join', locale: 'en-US', value: { locale: 'en-US' } });
    const welcome = await waitFor('the welcome', async () => { const p = await chat.poll(a); return p.activities.some((x) => question(x) === 'medications') && p; });
    expect((await chat.send(b, { type: 'message', text: 'delete my data', locale: 'en-US' })).status).toBe(200);
    const confirmation = await waitFor('the confirmation, read on A', async () => {
      const p = await chat.poll(a, welcome.watermark);
      return p.activities.find((x) => x.from.role === 'bot' && /deleted this chat's transcript/.test(x.text ?? ''));
    });
    expect(confirmation).toBeDefined();
    // Earlier activities are gone; the person's messages are refused on either instance.
    await waitFor('the rows to go', async () => Number((await database.pool.query('SELECT count(*) AS n FROM directline_conversations WHERE id = $1', [chat.conversationId])).rows[0].n) === 0);
    expect((await chat.send(b, { type: 'message', text: 'hello' })).status).toBe(403);
  });
});

describe('when the database goes away', () => {
  it('answers 503 with Retry-After on both instances, and both recover by themselves, streams included', async () => {
    const chat = await webChat(a);
    const onB = await chat.stream(b);
    try {
      // The test cluster commits without waiting for its log (synchronous_commit=off) and stops as a crash would:
      // a checkpoint first, so the stop loses nothing a production server (durable commits) would keep.
      await database.pool.query('CHECKPOINT');
      database.db.stopServer();
      for (const on of [a, b]) {
        const polled = await fetch(`${on.url}/v3/directline/conversations/${chat.conversationId}/activities`, { headers: { authorization: `Bearer ${chat.token}` } });
        expect(polled.status).toBe(503);
        expect(Number(polled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        const token = await fetch(`${on.url}/api/webchat/token`, { method: 'POST' });
        expect(token.status).toBe(503);
        expect(token.headers.get('retry-after')).toBeTruthy();
      }
      database.db.startServer();
      const sent = await waitFor('a send to work again', async () => {
        const r = await chat.send(a, { type: 'event', name: 'after', value: 1 });
        return r.status === 200 && ((await r.json()) as { id: string });
      }, 20_000);
      expect((await chat.poll(b)).activities.some((x) => x.id === sent.id)).toBe(true);
      await waitFor('the stream on B to deliver it', () => onB.seen.some((x) => x.id === sent.id), 15_000);
    } finally {
      onB.ws.close();
      database.db.startServer();
    }
  }, 60_000);
});

describe('STORAGE=postgres npm start, twice on two ports', () => {
  it('serves one web chat conversation across both processes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'triage-dl-'));
    const ports = [await freePort(), await freePort()];
    // Each process's own conversation-state file: only the local Direct Line is shared here.
    const processes = ports.map((port, i) => runMain({
      STORAGE: 'postgres', DATABASE_URL: database.db.url, PORT: String(port), SQLITE_PATH: path.join(dir, `state-${i}.db`),
    }));
    try {
      const [first, second] = ports.map((port) => ({ url: `http://127.0.0.1:${port}` }) as ChannelsServer);
      for (const on of [first!, second!]) await waitFor('the process to listen', () => fetch(`${on.url}/healthz`).then((r) => r.ok, () => false), 30_000);
      const chat = await webChat(first!);
      expect((await chat.send(second!, { type: 'event', name: 'webchat/join', locale: 'en-US', value: { locale: 'en-US' } })).status).toBe(200);
      const sent = await chat.send(second!, { type: 'message', text: 'citalopram 20 mg and tramadol', locale: 'en-US' });
      const { id } = (await sent.json()) as { id: string };
      const reply = await waitFor('the reply, polled on the first process', async () => (await chat.poll(first!)).activities.find((x) => x.replyToId === id));
      expect(reply.from.role).toBe('bot');
    } finally {
      await Promise.all(processes.map((p) => p.stop()));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
