// Conversation state on a real PostgreSQL server shared by two instances (two servers in this process, each with its
// own pool and turn queue, as two machines would have): turns alternate or collide between them and nothing is lost,
// a turn costs two round trips, a busy conversation or a silent database is a 503 the channel retries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createPool, migrate, roundTrips, type Pool } from '../src/storage/postgres/index.js';
import { PURGE_INTERVAL_MS, PostgresConversationStorage } from '../src/storage/postgres/conversationStorage.js';
import { TurnUnavailable } from '../src/storage/index.js';
import { startServer, type RunningServer } from './helpers.js';
import { HttpChat, questionOf, resultOf, type Reply } from './http-chat.js';
import { freePort, startTestDatabase, type TestDatabase } from './postgres-cluster.js';
import { DatabaseStartError, openDatabase } from '../src/server/database.js';

let db: TestDatabase;
const pools: Pool[] = [];
let a: RunningServer;
let b: RunningServer;

const env = (url: string) => ({ STORAGE: 'postgres', DATABASE_URL: url, PG_TURN_LOCK_WAIT_MS: '400', PG_CONNECT_TIMEOUT_MS: '1000' });

async function instance(): Promise<RunningServer> {
  const config = loadConfig(env(db.url));
  const pool = createPool(config.postgres!);
  pools.push(pool);
  return startServer(env(db.url), undefined, { pool });
}

beforeAll(async () => {
  // Durable: the outage test stops the server abruptly (pg_ctl -m immediate), which loses commits not yet flushed
  // when synchronous_commit is off, as the fast test settings have it.
  db = await startTestDatabase({ durable: true });
  const setup = createPool(loadConfig(env(db.url)).postgres!);
  await migrate(setup);
  await setup.end();
  [a, b] = await Promise.all([instance(), instance()]);
}, 120_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await Promise.all(pools.map((p) => p.end()));
  await db?.remove();
});

/** Answers by the question asked, so a conversation goes the same way wherever its turns land. */
const ANSWERS: Record<string, string> = {
  medications: 'sertraline 100 mg and tramadol 50 mg for my knee',
  doseChanges: 'started the tramadol 3 days ago',
  symptoms: 'sweating, shaky hands and diarrhoea since this morning',
  temperature: '37.9',
  screen: 'none',
};
const NOW = '2026-03-08T09:00:00-05:00';

/** A whole check; `route(i)` picks the instance of turn i. Returns the questions asked and the result's level. */
async function check(route: (i: number) => RunningServer, id: string): Promise<{ questions: (string | undefined)[]; level?: string }> {
  const chats = new Map<RunningServer, HttpChat>();
  const chat = (srv: RunningServer) => { if (!chats.has(srv)) chats.set(srv, new HttpChat(srv, { id, now: NOW })); return chats.get(srv)!; };
  const questions: (string | undefined)[] = [];
  let turn: Reply[] = await chat(route(0)).say('hi');
  for (let i = 1; i < 20; i++) {
    const q = questionOf([...turn].reverse().find((r) => questionOf(r)));
    questions.push(q);
    const result = resultOf(turn);
    if (result) return { questions, level: result.level };
    turn = await chat(route(i)).say(ANSWERS[q ?? ''] ?? 'not sure');
  }
  return { questions };
}

async function stateOf(id: string): Promise<{ version: number; state: { intake?: { answers: Record<string, string> } } } | undefined> {
  const { rows } = await pools[0]!.query('SELECT version, data FROM conversation_state WHERE key = $1', [`webchat/conversations/${id}/`]);
  return rows[0] && { version: Number(rows[0].version), state: JSON.parse(rows[0].data) };
}

describe('conversation state shared by two instances on PostgreSQL', () => {
  it('a conversation whose turns alternate between the instances goes exactly as on one', async () => {
    const one = await check(() => a, 'on-one');
    const both = await check((i) => (i % 2 ? b : a), 'alternating');
    expect(one.level).toBeDefined();
    expect(one.questions.length).toBeGreaterThan(4);
    expect(both).toEqual(one);
  });

  it('two messages of one conversation sent at once to the two instances are both kept, the second seeing the first', async () => {
    const id = 'at-once';
    const first = new HttpChat(a, { id, now: NOW });
    const second = new HttpChat(b, { id, now: NOW });
    await first.say('hi');
    const [ra, rb] = await Promise.all([first.say(ANSWERS.medications!), second.say(ANSWERS.medications!.replace('100', '150'))]);
    // One turn answered the medicines question; the other, run after it, read that answer and was asked the next.
    const asked = [ra, rb].map((turn) => questionOf([...turn].reverse().find((r) => questionOf(r))));
    expect(asked).toContain('doseChanges');
    const stored = await stateOf(id);
    const kept = JSON.stringify(stored?.state);
    expect(kept).toContain('sertraline 100 mg');
    expect(kept).toContain('sertraline 150 mg');
    expect(stored?.version).toBe(3); // greeting, then one write per message: none overwrote the other
  });

  it('an ordinary turn costs at most two database round trips', async () => {
    const chat = new HttpChat(a, { id: 'round-trips', now: NOW });
    await chat.say('hi');
    const pool = pools[0]!;
    const counts: number[] = [];
    for (const text of [ANSWERS.medications!, ANSWERS.doseChanges!, ANSWERS.symptoms!]) {
      const before = roundTrips(pool);
      await chat.say(text);
      counts.push(roundTrips(pool) - before);
    }
    expect(counts).toEqual([2, 2, 2]);
  });

  it('a conversation held by another instance past PG_TURN_LOCK_WAIT_MS is a 503 with Retry-After, then served', async () => {
    const id = 'held-elsewhere';
    const chat = new HttpChat(a, { id, now: NOW });
    await chat.say('hi');
    const holder = await pools[1]!.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`webchat/conversations/${id}/`]);
      const res = await rawTurn(a, id, ANSWERS.medications!);
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    const res = await rawTurn(a, id, ANSWERS.medications!);
    expect(res.status).toBe(200);
    expect(JSON.stringify((await stateOf(id))?.state)).toContain('sertraline 100 mg');
  });

  it('the state write checks the version read: a change made under the turn is not overwritten, the turn is retried', async () => {
    const pool = pools[0]!;
    const store = new PostgresConversationStorage(pool, { ttlHours: 1, turnLockWaitMs: 1000 });
    await store.ready;
    await store.write({ k1: { n: 1, eTag: '*' } });
    const refused = store.turn('k1', async (turn) => {
      expect(turn.state()).toEqual({ n: 1 });
      await pool.query('UPDATE conversation_state SET version = version + 1, data = $2 WHERE key = $1', ['k1', '{"n":99}']);
      await turn.write({ n: 2 });
    });
    await expect(refused).rejects.toBeInstanceOf(TurnUnavailable);
    expect((await store.read(['k1'])).k1).toMatchObject({ n: 99 });
    // Outside a turn, an eTag that is not the stored version is refused the same way.
    await expect(store.write({ k1: { n: 3, eTag: '1' } })).rejects.toThrow(/eTag conflict/);
    store.close();
  });

  it('every instance derives the same secrets (web chat delete keys work whichever instance made them)', () => {
    expect(a.conversation.storage.secret!('webchat-delete-key')).toBe(b.conversation.storage.secret!('webchat-delete-key'));
    expect(a.conversation.storage.secret!('webchat-delete-key')).not.toBe(a.conversation.storage.secret!('other'));
  });

  it('expired conversations are purged by one instance at a time, not by all of them scanning at once', async () => {
    let now = Date.UTC(2026, 2, 8);
    const second = { ttlHours: 1 / 3600, turnLockWaitMs: 1000, now: () => now };
    const stores = [0, 1].map((i) => new PostgresConversationStorage(pools[i]!, second));
    await Promise.all(stores.map((s) => s.ready));
    const stored = async () => Number((await pools[0]!.query("SELECT count(*) AS n FROM conversation_state WHERE key LIKE 'ttl-%'")).rows[0].n);
    await stores[0]!.write({ 'ttl-old1': { x: 1 }, 'ttl-old2': { x: 2 } });
    now += 2_000;
    await stores[1]!.write({ 'ttl-recent': { x: 3 } });
    expect(await stores[0]!.read(['ttl-old1', 'ttl-recent'])).toEqual({ 'ttl-recent': expect.objectContaining({ x: 3 }) });
    expect((await Promise.all(stores.map((s) => s.purgeExpired()))).sort()).toEqual([0, 2]);
    expect(await stored()).toBe(1);
    // Within the interval the purge is claimed: nobody scans again, however many instances try.
    now += 2_000;
    expect(await Promise.all(stores.map((s) => s.purgeExpired()))).toEqual([0, 0]);
    expect(await stored()).toBe(1);
    now += PURGE_INTERVAL_MS;
    expect((await Promise.all(stores.map((s) => s.purgeExpired()))).sort()).toEqual([0, 1]);
    expect(await stored()).toBe(0);
    stores.forEach((s) => s.close());
  });
});

describe('when the database goes away', () => {
  it('turns are 503 with Retry-After and a message to send again (emergencies still answered), health says so, and it all comes back by itself', async () => {
    const id = 'outage';
    const chat = new HttpChat(a, { id, now: NOW });
    await chat.say('hi');
    await chat.say(ANSWERS.medications!);
    db.stopServer();
    try {
      const refused = await rawTurn(a, id, ANSWERS.doseChanges!);
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await refused.json()) as { activities: Reply[] };
      expect(body.activities.map((r) => r.text).join(' ')).toMatch(/briefly unavailable.*send it again.*If this is an emergency, call \[911\]\(tel:911\)/);
      // A red flag is answered from the message alone: the emergency guidance does not wait for the database.
      const flagged = await rawTurn(b, id, 'he is not breathing and his lips are blue');
      expect(flagged.status).toBe(503);
      const flaggedBody = (await flagged.json()) as { activities: Reply[] };
      expect(resultOf(flaggedBody.activities)?.level).toBe('emergency');
      await expectHealth(a, 503);
      const health = await (await fetch(`${a.url}/healthz`)).json() as { problems: { component: string }[] };
      expect(health.problems.map((p) => p.component)).toContain('database');
      expect((await fetch(`${a.url}/readyz`)).status).toBe(503);
    } finally {
      db.startServer();
    }
    await expectHealth(a, 200);
    await expectHealth(b, 200);
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
    const res = await rawTurn(b, id, ANSWERS.doseChanges!);
    expect(res.status).toBe(200);
    const kept = JSON.stringify((await stateOf(id))?.state);
    expect(kept).toContain('sertraline 100 mg');
    expect(kept).toContain('started the tramadol');
    expect(kept).not.toContain('not breathing'); // refused turns kept nothing: the channel sends them again
  }, 60_000);
});

describe('starting with the database away', () => {
  it('waits for it, then gives up with one line naming DATABASE_URL and not its password', async () => {
    const port = await freePort();
    const config = loadConfig({ STORAGE: 'postgres', DATABASE_URL: `postgres://triage:s3cret@127.0.0.1:${port}/triage` }).postgres!;
    const waits: string[] = [];
    const t0 = Date.now();
    const failed = await openDatabase(config, 1_500, (code) => waits.push(code)).catch((err: Error) => err);
    expect(failed).toBeInstanceOf(DatabaseStartError);
    expect((failed as Error).message).toMatch(/^DATABASE_URL: the database did not answer within 2 s \(ECONNREFUSED\)/);
    expect((failed as Error).message).not.toContain('s3cret');
    expect(waits.length).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});

function rawTurn(srv: RunningServer, id: string, text: string): Promise<Response> {
  return srv.post('/api/messages', {
    type: 'message', channelId: 'webchat', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies', text,
    conversation: { id, conversationType: 'personal' }, from: { id: 'person' }, recipient: { id: 'bot' }, localTimestamp: NOW,
  });
}

/** /healthz reaches `status` within 15 s (the probe runs every second while the database is away). */
async function expectHealth(srv: RunningServer, status: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last = 0;
  while (Date.now() < deadline) {
    last = (await fetch(`${srv.url}/healthz`)).status;
    if (last === status) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(last).toBe(status);
}
