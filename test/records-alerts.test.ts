// Alerts from the durable outbox to a loopback webhook receiver: signed JSON, Teams and Slack formats that carry only
// level, reference and link, retries with the same idempotency key, redelivery after the receiver was down and the
// server restarted, and giving up after 24 hours (visible to staff); on the SQLite records file and on PostgreSQL.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { addStaff, EMERGENCY_BODY, MILD_BODY, startRecordsServer, STORE_KINDS, stopTestCluster, tempDir, type RecordsServer } from './records-helpers.js';
import { waitFor } from './helpers.js';

afterAll(stopTestCluster);

const SECRET = 'a-webhook-secret-of-some-length';

interface Hit { headers: IncomingHttpHeaders; body: string }

/** A webhook receiver on loopback; answers with `status()` (200 by default). */
async function receiver(port = 0, status: () => number = () => 200): Promise<{ url: string; port: number; hits: Hit[]; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      res.writeHead(status(), { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const p = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${p}/hook`, port: p, hits,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** A loopback port with nothing listening on it (the receiver is "down"). */
async function freePort(): Promise<number> {
  const r = await receiver();
  await r.close();
  return r.port;
}


function verify(hit: Hit): void {
  const ts = String(hit.headers['x-triage-timestamp']);
  expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
  const expected = `sha256=${createHmac('sha256', SECRET).update(`${ts}.${hit.body}`).digest('hex')}`;
  expect(hit.headers['x-triage-signature']).toBe(expected);
}

async function record(srv: RecordsServer, body: object): Promise<string> {
  const res = await srv.request('POST', '/api/assess', { body: { ...body, record: true } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { record: { ref: string } }).record.ref;
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => { while (cleanup.length) await cleanup.pop()!(); });

describe.each(STORE_KINDS)('%s', (store) => {
  describe('alerts', () => {
    it('json: an emergency is POSTed within seconds, signed, with an idempotency key; a level not in ALERT_LEVELS is not', async () => {
      const rx = await receiver();
      const srv = await startRecordsServer({ ALERT_WEBHOOK_URL: rx.url, ALERT_WEBHOOK_SECRET: SECRET }, { store });
      cleanup.push(() => rx.close(), () => srv.close(true));
      const t0 = Date.now();
      const mild = await record(srv, MILD_BODY);
      const ref = await record(srv, EMERGENCY_BODY);
      const hit = await waitFor('alert delivery', () => rx.hits[0], 5_000);
      expect(Date.now() - t0).toBeLessThan(5_000);
      verify(hit);
      expect(hit.headers['content-type']).toBe('application/json');
      const body = JSON.parse(hit.body) as Record<string, any>;
      expect(hit.headers['idempotency-key']).toBe(body.id);
      expect(body).toMatchObject({
        type: 'triage.record', ref, level: 'emergency', headline: expect.any(String),
        redFlags: expect.arrayContaining(['seizure']), link: `https://triage.example.org/staff#record=${ref}`,
      });
      expect(Date.parse(body.createdAt)).toBeGreaterThan(t0 - 1_000);
      await srv.records.alertsIdle();
      expect(rx.hits).toHaveLength(1);
      expect(rx.hits.some((h) => h.body.includes(mild))).toBe(false);
      const { token } = await addStaff(srv.records, 'desk');
      const r = (await (await srv.request('GET', `/api/records/${ref}`, { auth: token })).json()) as { alerts: { status: string; attempts: number }[]; alert: string };
      expect(r.alert).toBe('delivered');
      expect(r.alerts[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    });

    it.each(['teams', 'slack'])('%s: carries only the level, the reference and the link', async (format) => {
      const rx = await receiver();
      const srv = await startRecordsServer({ ALERT_WEBHOOK_URL: rx.url, ALERT_WEBHOOK_FORMAT: format, ALERT_LEVELS: 'emergency' }, { store });
      cleanup.push(() => rx.close(), () => srv.close(true));
      const ref = await record(srv, EMERGENCY_BODY);
      const hit = await waitFor('alert delivery', () => rx.hits[0], 5_000);
      const body = JSON.parse(hit.body) as Record<string, any>;
      const link = `https://triage.example.org/staff#record=${ref}`;
      const a = (await srv.records.store.get('main', ref))!.assessment!;
      // Nothing of the answers or the findings: not the headline, not a red flag's name, not a word the person typed.
      for (const secret of [a.headline, 'seizure', 'tramadol', 'citalopram', 'hyperthermia']) expect(hit.body).not.toContain(secret);
      if (format === 'teams') {
        expect(body.type).toBe('message');
        const card = body.attachments[0];
        expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
        expect(card.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
        expect(card.content.body[1].facts).toEqual([{ title: 'Level', value: 'emergency' }, { title: 'Reference', value: ref }]);
        expect(card.content.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open in the staff page', url: link }]);
      } else {
        expect(body.text).toContain(link);
        expect(body.blocks.map((b: any) => b.type)).toEqual(['header', 'section', 'actions']);
        expect(body.blocks[1].fields.map((f: any) => f.text)).toEqual(['*Level*\nemergency', `*Reference*\n${ref}`]);
        expect(body.blocks[2].elements[0].url).toBe(link);
      }
    });

    it('a failed delivery is retried with backoff and the same idempotency key', async () => {
      let n = 0;
      const rx = await receiver(0, () => (++n === 1 ? 503 : 200));
      const srv = await startRecordsServer({ ALERT_WEBHOOK_URL: rx.url, ALERT_WEBHOOK_SECRET: SECRET }, { store, records: { alerts: { baseDelayMs: 300 } } });
      cleanup.push(() => rx.close(), () => srv.close(true));
      const ref = await record(srv, EMERGENCY_BODY);
      await waitFor('alert delivery', () => rx.hits.length >= 2);
      expect(rx.hits[0]!.headers['idempotency-key']).toBe(rx.hits[1]!.headers['idempotency-key']);
      expect(rx.hits.map((h) => h.headers['x-triage-delivery-attempt'])).toEqual(['1', '2']);
      rx.hits.forEach(verify);
      await waitFor('alert delivery', async () => (await srv.records.store.get('main', ref))!.alerts[0]!.status === 'delivered');
      expect((await srv.records.store.get('main', ref))!.alerts[0]).toMatchObject({ attempts: 2, status: 'delivered' });
    });

    it('is not lost when the receiver is down and the server restarts: delivered by the next start', async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/hook`;
      const dir = tempDir();
      const env = { ALERT_WEBHOOK_URL: url, ALERT_WEBHOOK_SECRET: SECRET };
      const first = await startRecordsServer(env, { dir, store });
      const ref = await record(first, EMERGENCY_BODY);
      const failing = await waitFor('alert delivery', async () => (await first.records.store.get('main', ref))!.alerts.find((x) => x.attempts >= 1));
      expect(failing).toMatchObject({ status: 'pending', lastError: 'ECONNREFUSED' });
      // Staff see the failure.
      const { token } = await addStaff(first.records, 'desk');
      const problems = (await (await first.request('GET', '/api/alerts', { auth: token })).json()) as { problems: { ref: string; status: string }[] };
      expect(problems.problems).toEqual([expect.objectContaining({ ref, status: 'pending', attempts: 1, lastError: 'ECONNREFUSED' })]);
      await first.close();

      const rx = await receiver(port);
      const second = await startRecordsServer(env, { dir, store, databaseUrl: first.databaseUrl });
      cleanup.push(() => rx.close(), () => second.close(true));
      const hit = await waitFor('alert delivery', () => rx.hits[0], 5_000);
      verify(hit);
      const body = JSON.parse(hit.body) as { id: string; ref: string };
      expect(body.ref).toBe(ref);
      expect(hit.headers['idempotency-key']).toBe(failing.id);
      expect(hit.headers['x-triage-delivery-attempt']).toBe('2');
      await waitFor('alert delivery', async () => (await second.records.store.get('main', ref))!.alerts[0]!.status === 'delivered');
      // Delivered: the outbox keeps no content any more.
      expect(await second.sql('SELECT payload FROM alert_outbox WHERE id = $1', [failing.id])).toEqual([{ payload: null }]);
    });

    it('logs failures and the traffic of a whole handoff without any health information', async () => {
      const port = await freePort();
      const logs: string[] = [];
      const srv = await startRecordsServer({ ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/`, ALERT_WEBHOOK_SECRET: SECRET }, { store, logs });
      cleanup.push(() => srv.close(true));
      const { token } = await addStaff(srv.records, 'desk');
      const marker = 'quokka-marker-3310';
      const ref = await record(srv, { ...EMERGENCY_BODY, symptoms: `${EMERGENCY_BODY.symptoms}, ${marker}`, client: { reference: 'MRN-LOG' } });
      await waitFor('alert delivery', async () => (await srv.records.store.get('main', ref))!.alerts[0]!.attempts >= 1);
      for (const p of [`/api/records/${ref}`, `/api/records/${ref}/fhir`, '/api/records']) await srv.request('GET', p, { auth: token });
      await srv.request('POST', `/api/records/${ref}/review`, { auth: token, body: { note: `note ${marker}` } });
      const text = logs.join('');
      expect(text).toMatch(/alert not delivered/);
      expect(text).toMatch(/ECONNREFUSED/);
      for (const secret of [marker, 'seizure', 'tramadol', 'citalopram', 'MRN-LOG', token]) expect(text, secret).not.toContain(secret);
    });

    it('gives up after 24 hours of failures, and says so on /api/alerts', async () => {
      const port = await freePort();
      let clock = Date.now();
      const srv = await startRecordsServer({ ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/`, ALERT_WEBHOOK_SECRET: SECRET }, { store, records: { now: () => clock } });
      cleanup.push(() => srv.close(true));
      const ref = await record(srv, EMERGENCY_BODY);
      await waitFor('alert delivery', async () => (await srv.records.store.get('main', ref))!.alerts[0]!.attempts >= 1);
      clock += 25 * 3_600_000;
      srv.records.retryAlertsNow();
      await waitFor('alert delivery', async () => (await srv.records.store.get('main', ref))!.alerts[0]!.status === 'failed');
      const { token } = await addStaff(srv.records, 'desk');
      const res = (await (await srv.request('GET', '/api/alerts', { auth: token })).json()) as { problems: { ref: string; status: string }[] };
      expect(res.problems).toEqual([expect.objectContaining({ ref, status: 'failed' })]);
    });
  });
});
