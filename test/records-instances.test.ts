// Two instances on one PostgreSQL database, as behind a load balancer without sticky sessions: a record made through
// one is in the other's queue and can be reviewed there, with one audit trail showing both; a staff session and the
// live feed work across them; the alert outbox is worked by both, each alert delivered once when the receiver
// succeeds, retried by either when it fails, and not lost when the instance delivering it stops answering.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runMain, freePort } from './abuse-helpers.js';
import { addStaff, EMERGENCY_BODY, freshDatabaseUrl, login, MILD_BODY, startRecordsServer, stopTestCluster, tempDir, testCluster, triage, type RecordsServer } from './records-helpers.js';
import { waitFor } from './helpers.js';

const SECRET = 'a-webhook-secret-of-some-length';

afterAll(stopTestCluster);
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => { while (cleanup.length) await cleanup.pop()!(); });

/** Two instances sharing one fresh database. */
async function pair(env: Record<string, string> = {}, opts: Parameters<typeof startRecordsServer>[1] = {}): Promise<[RecordsServer, RecordsServer]> {
  const databaseUrl = await freshDatabaseUrl();
  const a = await startRecordsServer(env, { ...opts, databaseUrl });
  const b = await startRecordsServer(env, { ...opts, databaseUrl });
  cleanup.push(() => a.close(true), () => b.close(true));
  return [a, b];
}

async function record(srv: RecordsServer, body: object): Promise<string> {
  const res = await srv.request('POST', '/api/assess', { body: { ...body, record: true } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { record: { ref: string } }).record.ref;
}


interface Hit { key: string; status: number }

/** A webhook receiver on loopback that answers each request with `answer(n)` (n counts from 1); 0 holds it open. */
async function receiver(answer: (n: number, key: string) => number = () => 200) {
  const hits: Hit[] = [];
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = String((req.headers as IncomingHttpHeaders)['idempotency-key']);
      const status = answer(hits.length + 1, key);
      hits.push({ key, status });
      if (!status) { held.push(res); return; }
      res.writeHead(status);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const rx = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hits,
    /** Successful deliveries per idempotency key. */
    delivered: () => hits.filter((h) => h.status === 200).reduce((m, h) => m.set(h.key, (m.get(h.key) ?? 0) + 1), new Map<string, number>()),
    close: () => new Promise<void>((r) => { for (const res of held) res.destroy(); server.closeAllConnections(); server.close(() => r()); }),
  };
  cleanup.push(rx.close);
  return rx;
}

describe('two instances on one PostgreSQL database', () => {
  it("a record made through A is in B's queue and is reviewed on B; the one audit trail shows both", async () => {
    const [a, b] = await pair();
    const { token } = await addStaff(a.records, 'nurse');
    const admin = (await addStaff(b.records, 'lead', { admin: true })).token;
    const ref = await record(a, EMERGENCY_BODY);
    const queue = (await (await b.request('GET', '/api/records', { auth: token })).json()) as { records: { ref: string }[] };
    expect(queue.records.map((r) => r.ref)).toEqual([ref]);
    expect((await a.request('GET', `/api/records/${ref}`, { auth: token })).status).toBe(200);
    const reviewed = await b.request('POST', `/api/records/${ref}/review`, { auth: token, body: { note: 'Called, on the way.' } });
    expect(reviewed.status).toBe(200);
    const onA = (await (await a.request('GET', `/api/records/${ref}`, { auth: token })).json()) as { status: string; reviews: { by: string }[] };
    expect(onA).toMatchObject({ status: 'reviewed', reviews: [{ by: 'nurse' }] });
    const audit = (await (await a.request('GET', `/api/audit?ref=${ref}`, { auth: admin })).json()) as { entries: { action: string }[]; chain: unknown };
    expect(audit.entries.map((e) => e.action).reverse()).toEqual(['consent', 'read', 'review', 'read']);
    expect(audit.chain).toEqual({ ok: true, entries: expect.any(Number) });
  });

  it('reviews of one record sent to both instances at once are both kept, and the audit chain holds', async () => {
    const [a, b] = await pair();
    const { token } = await addStaff(a.records, 'nurse');
    const refs = await Promise.all([record(a, MILD_BODY), record(b, MILD_BODY), record(a, EMERGENCY_BODY)]);
    await Promise.all(refs.flatMap((ref) => [a, b].map((s, i) => s.request('POST', `/api/records/${ref}/review`, { auth: token, body: { note: `note ${i}` } }))));
    for (const ref of refs) {
      const r = (await b.records.store.get('main', ref))!;
      expect(r.reviews.map((x) => x.note).sort()).toEqual(['note 0', 'note 1']);
    }
    expect(await a.records.audit.verify()).toEqual({ ok: true, entries: 3 + 6 });
  });

  it('a staff member signed in on A is signed in on B; signing out on B ends it on A', async () => {
    const [a, b] = await pair();
    const { password } = await addStaff(a.records, 'maria');
    const cookie = await login(a, 'maria', password);
    expect((await b.request('GET', '/api/staff/me', { cookie })).status).toBe(200);
    expect((await b.request('POST', '/api/staff/logout', { cookie })).status).toBe(204);
    expect((await a.request('GET', '/api/records', { cookie })).status).toBe(401);
  });

  it("A's live feed shows a record created on B (LISTEN/NOTIFY)", async () => {
    const [a, b] = await pair();
    const { token } = await addStaff(a.records, 'watcher');
    const ctrl = new AbortController();
    cleanup.push(async () => ctrl.abort());
    const res = await fetch(`${a.url}/api/records/events`, { headers: { authorization: `Bearer ${token}` }, signal: ctrl.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    // The listening connection opens with the first stream: give it a moment before B's change.
    await new Promise((r) => setTimeout(r, 300));
    const ref = await record(b, EMERGENCY_BODY);
    let text = '';
    const deadline = Date.now() + 5_000;
    while (!text.includes(ref) && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
    const event = text.split('\n\n').find((e) => e.includes(ref))!;
    const data = JSON.parse(/^data: (.*)$/m.exec(event)![1]!) as { kind: string; record: Record<string, unknown> };
    expect(data).toMatchObject({ kind: 'created', record: { ref, level: 'emergency', status: 'new' } });
  });

  it('both alert workers on one receiver: each alert is delivered exactly once', async () => {
    const rx = await receiver();
    const [a, b] = await pair({ ALERT_WEBHOOK_URL: rx.url, ALERT_WEBHOOK_SECRET: SECRET }, { records: { alerts: { pollMs: 100 } } });
    const refs = await Promise.all(Array.from({ length: 12 }, (_, i) => record(i % 2 ? a : b, EMERGENCY_BODY)));
    // Both instances also sweep the whole outbox at once, as each does when it starts.
    a.records.retryAlertsNow();
    b.records.retryAlertsNow();
    await waitFor('the other instance', () => rx.delivered().size === refs.length);
    await new Promise((r) => setTimeout(r, 500)); // room for a duplicate to show
    await Promise.all([a.records.alertsIdle(), b.records.alertsIdle()]);
    expect(rx.hits).toHaveLength(refs.length);
    expect([...rx.delivered().values()].every((n) => n === 1)).toBe(true);
    for (const ref of refs) expect((await a.records.store.get('main', ref))!.alerts[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('a failed delivery is retried (by either instance) until the receiver succeeds, then never again', async () => {
    const failedOnce = new Set<string>();
    const rx = await receiver((_, key) => (failedOnce.has(key) ? 200 : (failedOnce.add(key), 503)));
    const [a, b] = await pair({ ALERT_WEBHOOK_URL: rx.url, ALERT_WEBHOOK_SECRET: SECRET }, { records: { alerts: { baseDelayMs: 200, pollMs: 100 } } });
    const refs = await Promise.all(Array.from({ length: 6 }, (_, i) => record(i % 2 ? a : b, EMERGENCY_BODY)));
    await waitFor('the other instance', () => rx.delivered().size === refs.length);
    await new Promise((r) => setTimeout(r, 500));
    expect([...rx.delivered().values()].every((n) => n === 1)).toBe(true);
    expect(rx.hits).toHaveLength(2 * refs.length);
    for (const ref of refs) expect((await b.records.store.get('main', ref))!.alerts[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('an alert whose instance stops answering mid-delivery is delivered by the other after the lease', async () => {
    // A takes the alert and its delivery hangs (the receiver holds the first request open): A is as good as gone.
    const rx = await receiver((n) => (n === 1 ? 0 : 200));
    const databaseUrl = await freshDatabaseUrl();
    const env = { ALERT_WEBHOOK_URL: rx.url, ALERT_WEBHOOK_SECRET: SECRET };
    const a = await startRecordsServer(env, { databaseUrl, records: { alertLeaseMs: 1_000, alerts: { timeoutMs: 60_000, pollMs: 100 } } });
    cleanup.push(() => a.close(true));
    const ref = await record(a, EMERGENCY_BODY);
    await waitFor('the other instance', () => rx.hits.length === 1);
    const b = await startRecordsServer(env, { databaseUrl, records: { alerts: { pollMs: 100 } } });
    cleanup.push(() => b.close(true));
    // B leaves it alone while A's lease runs, then takes it.
    await new Promise((r) => setTimeout(r, 500));
    expect(rx.hits).toHaveLength(1);
    await waitFor('the other instance', () => rx.delivered().size === 1);
    expect(rx.hits.map((h) => h.key)).toEqual([rx.hits[0]!.key, rx.hits[0]!.key]);
    await waitFor('the other instance', async () => (await b.records.store.get('main', ref))!.alerts[0]!.status === 'delivered');
    // A's hung request now fails; its outcome no longer counts (B's claim replaced A's), so the alert stays delivered.
    await rx.close();
    await a.records.alertsIdle();
    expect((await a.records.store.get('main', ref))!.alerts[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});

describe('the database going away and coming back', () => {
  it('staff routes and saving answer 503 with Retry-After meanwhile, and work again by themselves after', async () => {
    const [a] = await pair();
    const { token } = await addStaff(a.records, 'nurse');
    const ref = await record(a, MILD_BODY);
    const cluster = (await testCluster())!;
    // The test server runs without synchronous commit: flush what is committed, as a durable server would have it.
    await a.sql('CHECKPOINT');
    cluster.stopServer();
    try {
      const listed = await a.request('GET', '/api/records', { auth: token });
      expect(listed.status).toBe(503);
      expect(listed.headers.get('retry-after')).toMatch(/^\d+$/);
      const saved = await a.request('POST', '/api/assess', { body: { ...MILD_BODY, record: true } });
      expect(saved.status).toBe(503);
      expect(((await saved.json()) as { error: string }).error).toMatch(/nothing was saved/);
    } finally {
      cluster.startServer();
    }
    await waitFor('the other instance', async () => (await a.request('GET', `/api/records/${ref}`, { auth: token })).status === 200);
    expect(await record(a, MILD_BODY)).toMatch(/^[2-9A-Z]{3}-[2-9A-Z]{3}$/);
  }, 30_000);

  it('"delete my data" while it is away is refused for the channel to send again, and withdraws the record when sent again', async () => {
    const [a] = await pair();
    const { token } = await addStaff(a.records, 'nurse');
    const ref = await a.records.saveFromConversation({
      channelId: 'webchat', conversationId: 'conv-away', statement: 'ok?', assessment: triage().assess(MILD_BODY),
      answers: { medications: MILD_BODY.medications, doseChanges: MILD_BODY.doseChanges, symptoms: MILD_BODY.symptoms, followUps: {} },
    });
    const erase = () => a.request('POST', '/api/messages', {
      body: {
        type: 'message', id: `m-${Date.now()}`, channelId: 'webchat', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies',
        conversation: { id: 'conv-away' }, from: { id: 'person' }, recipient: { id: 'bot' }, text: 'delete my data', locale: 'en-US',
      },
    });
    const cluster = (await testCluster())!;
    await a.sql('CHECKPOINT');
    cluster.stopServer();
    try {
      const refused = await erase();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      cluster.startServer();
    }
    const again = await waitFor('the other instance', async () => { const r = await erase(); return r.status === 200 && r; });
    const texts = ((await again.json()) as { activities: { text?: string }[] }).activities.map((x) => x.text ?? '').join('\n');
    expect(texts).toContain(`withdrew your intake record ${ref}`);
    const r = (await (await a.request('GET', `/api/records/${ref}`, { auth: token })).json()) as Record<string, unknown>;
    expect(r).toMatchObject({ ref, status: 'withdrawn' });
  }, 30_000);
});

describe('two server processes (npm start) on one database', () => {
  it('serve one staff member and one queue across both', async () => {
    const databaseUrl = await freshDatabaseUrl();
    const [portA, portB] = [await freePort(), await freePort()];
    const env = { STORAGE: 'postgres', DATABASE_URL: databaseUrl, INTAKE_RECORDS: 'on', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
    const seed = await startRecordsServer({}, { databaseUrl });
    const { password } = await addStaff(seed.records, 'sam');
    await seed.close(true);
    // Each process keeps its conversations in a file of its own until they too move to the database.
    const procs = [portA, portB].map((port) => runMain({ ...env, PORT: String(port), SQLITE_PATH: path.join(tempDir(), 'triage.sqlite') }));
    cleanup.push(...procs.map((p) => p.stop));
    const [urlA, urlB] = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
    await waitFor('the other instance', async () => (await fetch(`${urlA}/healthz`).catch(() => undefined))?.ok && (await fetch(`${urlB}/healthz`).catch(() => undefined))?.ok, 30_000);
    const made = await fetch(`${urlA}/api/assess`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...MILD_BODY, record: true }) });
    const { record: { ref } } = (await made.json()) as { record: { ref: string } };
    const loggedIn = await fetch(`${urlB}/api/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'sam', password }) });
    expect(loggedIn.status).toBe(200);
    const cookie = /triage_staff=[^;]+/.exec(loggedIn.headers.get('set-cookie') ?? '')![0];
    const queue = (await (await fetch(`${urlA}/api/records`, { headers: { cookie } })).json()) as { records: { ref: string }[] };
    expect(queue.records.map((r) => r.ref)).toEqual([ref]);
  }, 60_000);
});
