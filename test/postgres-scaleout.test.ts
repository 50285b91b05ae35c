// Two real server processes (`npm start`'s entry point) on one PostgreSQL database, no sticky sessions: a conversation
// is served across both, and `kill -9` of one during a load of conversations loses no answer that was accepted
// (the load's clients retry on the other instance on a connection error or a 503, as a channel does).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freePort, runMain, sleep } from './abuse-helpers.js';
import { startTestDatabase, type TestDatabase } from './postgres-cluster.js';

let db: TestDatabase;
type Instance = ReturnType<typeof runMain> & { url: string };
const running: Instance[] = [];

async function instance(): Promise<Instance> {
  const port = await freePort();
  const proc = runMain({ STORAGE: 'postgres', DATABASE_URL: db.url, PORT: String(port), LOG_LEVEL: 'warn', PG_TURN_LOCK_WAIT_MS: '2000' });
  const inst = { ...proc, url: `http://127.0.0.1:${port}` };
  running.push(inst);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (inst.child.exitCode !== null) throw new Error(`instance exited: ${inst.output().stderr}`);
    if (await fetch(`${inst.url}/readyz`).then((r) => r.status === 200, () => false)) return inst;
    await sleep(100);
  }
  throw new Error('instance did not become ready');
}

beforeAll(async () => {
  db = await startTestDatabase();
}, 120_000);

afterAll(async () => {
  await Promise.all(running.map((i) => i.stop()));
  await db?.remove();
});

const NOW = '2026-03-08T09:00:00-05:00';

function send(url: string, conv: string, text: string): Promise<Response> {
  return fetch(`${url}/api/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message', channelId: 'webchat', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies', text,
      conversation: { id: conv, conversationType: 'personal' }, from: { id: 'person' }, recipient: { id: 'bot' }, localTimestamp: NOW,
    }),
  });
}

type Activities = { activities: { type: string; name?: string; value?: { level?: string }; channelData?: { triage?: { question?: string } } }[] };
const lastQuestion = (body: Activities) => body.activities.map((a) => a.channelData?.triage?.question).filter(Boolean).at(-1);

async function storedState(conv: string): Promise<string> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT data FROM conversation_state WHERE key = $1', [`webchat/conversations/${conv}/`]);
    return rows[0]?.data ?? '';
  } finally {
    await client.end();
  }
}

describe('two server processes on one PostgreSQL database', () => {
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    [a, b] = await Promise.all([instance(), instance()]);
  }, 120_000);

  it('serve one conversation across both, a turn on each', async () => {
    const conv = 'across-processes';
    const turns: [Instance, string][] = [[a, 'hi'], [b, 'sertraline 100 mg and tramadol 50 mg'], [a, 'started the tramadol 3 days ago'], [b, 'sweating and shaky since this morning']];
    const asked: (string | undefined)[] = [];
    for (const [inst, text] of turns) {
      const res = await send(inst.url, conv, text);
      expect(res.status).toBe(200);
      asked.push(lastQuestion((await res.json()) as Activities));
    }
    expect(asked.slice(0, 3)).toEqual(['medications', 'doseChanges', 'symptoms']);
    const state = await storedState(conv);
    for (const [, text] of turns.slice(1)) expect(state).toContain(text);
  });

  it('kill -9 of one instance during a load of 20 conversations loses no accepted answer', async () => {
    const accepted = new Map<string, string[]>();
    let killedAt = 0;
    let afterKill = 0;
    let retried = 0;
    /** A channel: sends to its instance; on a connection error or a 503, to the other one, until accepted. */
    const deliver = async (conv: string, text: string, first: number): Promise<Activities> => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const inst = [a, b][(first + attempt) % 2]!;
        try {
          const res = await send(inst.url, conv, text);
          if (res.status === 200) {
            if (killedAt) afterKill++;
            return (await res.json()) as Activities;
          }
          expect(res.status).toBe(503);
          await sleep(50);
        } catch {
          // connection refused or reset: the instance is gone
        }
        retried++;
      }
      throw new Error(`${conv}: "${text}" was never accepted`);
    };
    const answers = (n: number): Record<string, string> => ({
      medications: `sertraline ${50 + n} mg and tramadol ${25 + n} mg`,
      doseChanges: `started the tramadol ${2 + (n % 3)} days ago`,
      symptoms: `sweating and shaky hands since ${5 + (n % 6)} this morning`,
      temperature: `37.${n % 10}`,
      screen: 'none',
    });
    const conversation = async (n: number) => {
      const conv = `load-${n}`;
      const mine = answers(n);
      let body = await deliver(conv, 'hi', n);
      for (let turn = 0; turn < 12; turn++) {
        const q = lastQuestion(body);
        if (!q || q === 'restart' || body.activities.some((x) => x.name === 'triage.result')) return;
        const text = mine[q] ?? 'not sure';
        body = await deliver(conv, text, n + turn);
        accepted.set(conv, [...(accepted.get(conv) ?? []), text]);
      }
    };
    const load = Promise.all(Array.from({ length: 20 }, async (_, i) => {
      for (let round = 0; round < 3; round++) await conversation(i * 3 + round);
    }));
    // Kill once the load is well under way (about a fifth of its answers accepted), however fast the machine is.
    const acceptedSoFar = () => [...accepted.values()].reduce((n, list) => n + list.length, 0);
    for (let waited = 0; acceptedSoFar() < 50 && waited < 30_000; waited += 10) await sleep(10);
    a.child.kill('SIGKILL');
    killedAt = Date.now();
    await load;
    expect(killedAt).toBeGreaterThan(0);
    expect(afterKill).toBeGreaterThan(20); // the load went on, on the other instance
    expect(retried).toBeGreaterThan(0); // and the channel had to send again
    let checked = 0;
    for (const [conv, texts] of accepted) {
      const state = await storedState(conv);
      for (const text of texts) {
        expect(state, `${conv}: "${text}"`).toContain(text);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
  }, 120_000);
});
