// The intake records over HTTP against the real server and a real records file: POST /api/assess with "record",
// the staff API (list, get, review, delete, FHIR, audit) with tokens and session cookies, 401s, slowing, centres,
// the live feed and retention; each on the SQLite records file and on PostgreSQL.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureThrottle } from '../src/records/staff.js';
import { startServer, type RunningServer } from './helpers.js';
import { addStaff, EMERGENCY_BODY, login, MILD_BODY, startRecordsServer, STORE_KINDS, stopTestCluster, type RecordsServer } from './records-helpers.js';

afterAll(stopTestCluster);

const REF = /^[2-9A-HJKMNP-TV-Z]{3}-[2-9A-HJKMNP-TV-Z]{3}$/;
const URGENT_BODY = {
  medications: 'baclofen 20 mg three times a day',
  doseChanges: 'ran out of baclofen yesterday',
  symptoms: 'itchy all over and my muscles are stiffer',
  now: '2026-03-08T09:00:00-05:00',
};

async function assess(srv: RecordsServer, body: object) {
  const res = await srv.request('POST', '/api/assess', { body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe.each(STORE_KINDS)('%s', (store) => {
  describe('POST /api/assess with "record"', () => {
    let srv: RecordsServer;
    let off: RunningServer;
    let token: string;
    beforeAll(async () => {
      [srv, off] = await Promise.all([startRecordsServer({}, { store }), startServer()]);
      ({ token } = await addStaff(srv.records, 'reader'));
    });
    afterAll(async () => { await srv?.close(true); await off?.close(); });

    it('"record": true saves the assessment and answers with record.ref; the record holds answers, assessment and consent', async () => {
      const { status, body } = await assess(srv, { ...URGENT_BODY, record: true, client: { reference: 'CLINIC-77' } });
      expect(status).toBe(200);
      expect(body.record.ref).toMatch(REF);
      expect(body.level).toBeDefined();
      const res = await srv.request('GET', `/api/records/${body.record.ref}`, { auth: token });
      expect(res.status).toBe(200);
      const r = (await res.json()) as Record<string, any>;
      expect(r).toMatchObject({
        ref: body.record.ref, status: 'new', channel: 'api', source: 'api', clientReference: 'CLINIC-77', level: body.level,
        knowledgeVersion: body.knowledgeVersion, consent: { given: true, by: 'integration' }, reviews: [],
      });
      expect(r.answers).toMatchObject({ medications: URGENT_BODY.medications, doseChanges: URGENT_BODY.doseChanges, symptoms: URGENT_BODY.symptoms });
      expect(r.assessment.headline).toBe(body.headline);
      expect(Date.parse(r.expiresAt) - Date.parse(r.createdAt)).toBe(30 * 86_400_000);
      // The reference also works typed loosely, as someone reads it out.
      expect((await srv.request('GET', `/api/records/${body.record.ref.toLowerCase().replace('-', ' ')}`, { auth: token })).status).toBe(200);
    });

    it('without "record" (or false) nothing is saved and no record field comes back', async () => {
      const before = (await srv.records.store.list({ centre: 'main' })).length;
      for (const body of [MILD_BODY, { ...MILD_BODY, record: false }]) {
        const r = await assess(srv, body);
        expect(r.status).toBe(200);
        expect(r.body.record).toBeUndefined();
      }
      expect((await srv.records.store.list({ centre: 'main' })).length).toBe(before);
    });

    it.each([
      [{ record: 'yes' }, /^record must be true or false/],
      [{ record: true, client: 'x' }, /^client must be an object/],
      [{ record: true, client: { reference: '' } }, /^client\.reference/],
      [{ record: true, client: { reference: 'a'.repeat(129) } }, /^client\.reference/],
      [{ record: true, client: { patientId: '1' } }, /^unknown field "client\.patientId"/],
      [{ record: true, client: { centre: 'elsewhere' } }, /^client\.centre/],
      [{ client: { reference: 'A' } }, /^client is only used with "record": true/],
      [{ record: true, symptom: 'typo' }, /^unknown field "symptom"/],
    ])('%j → 400 naming the field', async (extra, error) => {
      const r = await assess(srv, { ...MILD_BODY, ...extra });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(error);
    });

    it('with INTAKE_RECORDS off (the default) "record": true is refused and the staff faces do not exist', async () => {
      const res = await off.post('/api/assess', { ...MILD_BODY, record: true });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/INTAKE_RECORDS/);
      expect((await off.post('/api/assess', MILD_BODY)).status).toBe(200);
      for (const p of ['/api/records', '/staff', '/api/audit']) expect((await fetch(off.url + p)).status).toBe(404);
    });
  });

  describe('staff API', () => {
    let srv: RecordsServer;
    let admin: { token: string; password: string };
    let staff: { token: string; password: string };
    let refs: Record<string, string>;
    beforeAll(async () => {
      // Lenient: this block sends many wrong credentials on purpose ("logging in" tests the slowing).
      srv = await startRecordsServer({}, { store, throttle: new FailureThrottle({ free: 1_000, windowMs: 60_000, baseDelayMs: 1, maxDelayMs: 1, maxKeys: 100 }) });
      [admin, staff] = [await addStaff(srv.records, 'admin', { admin: true }), await addStaff(srv.records, 'nurse')];
      refs = {};
      for (const [name, body] of [['mild', MILD_BODY], ['emergency1', EMERGENCY_BODY], ['urgent', URGENT_BODY], ['emergency2', EMERGENCY_BODY]] as const) {
        refs[name] = (await assess(srv, { ...body, record: true })).body.record.ref;
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    afterAll(async () => { await srv?.close(true); });

    const get = async (p: string, auth = staff.token) => {
      const res = await srv.request('GET', p, { auth });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };

    it('lists newest emergencies first, then by level, newest first within a level', async () => {
      const { status, body } = await get('/api/records');
      expect(status).toBe(200);
      const order = body.records.map((r: any) => r.ref);
      expect(order.slice(0, 2)).toEqual([refs.emergency2, refs.emergency1]);
      const levels = body.records.map((r: any) => r.level);
      expect(levels).toEqual([...levels].sort((a: string, b: string) => rank(b) - rank(a)));
      expect(body.records[0]).toMatchObject({ level: 'emergency', status: 'new', redFlags: expect.arrayContaining(['seizure']) });
      expect(body.records[0].answers).toBeUndefined(); // the queue carries no answers
    });

    it('filters by level, status and since; bad filters are 400 naming them', async () => {
      expect((await get('/api/records?level=emergency')).body.records.map((r: any) => r.ref).sort()).toEqual([refs.emergency1, refs.emergency2].sort());
      expect((await get('/api/records?level=emergency,urgent')).body.records).toHaveLength(3);
      expect((await get('/api/records?status=reviewed')).body.records.every((r: any) => r.status === 'reviewed')).toBe(true);
      expect((await get('/api/records?since=2999-01-01T00:00:00Z')).body.records).toEqual([]);
      expect((await get(`/api/records?since=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`)).body.records.length).toBeGreaterThanOrEqual(4);
      for (const [q, name] of [['level=severe', 'level'], ['status=open', 'status'], ['since=yesterday', 'since'], ['limit=0', 'limit']]) {
        const r = await get(`/api/records?${q}`);
        expect(r.status).toBe(400);
        expect(r.body.error).toMatch(new RegExp(`^${name}\\b`));
      }
    });

    it('review with a note marks it reviewed; the note and reviewer are kept', async () => {
      const res = await srv.request('POST', `/api/records/${refs.urgent}/review`, { auth: staff.token, body: { note: 'Called back, clinic visit today.' } });
      expect(res.status).toBe(200);
      const r = (await res.json()) as Record<string, any>;
      expect(r.status).toBe('reviewed');
      expect(r.reviews).toEqual([{ by: 'nurse', at: expect.any(String), note: 'Called back, clinic visit today.' }]);
      expect((await get('/api/records?status=reviewed')).body.records.map((x: any) => x.ref)).toEqual([refs.urgent]);
      expect((await srv.request('POST', `/api/records/${refs.urgent}/review`, { auth: staff.token, body: { note: 5 } })).status).toBe(400);
      expect((await srv.request('POST', '/api/records/ZZZ-ZZZ/review', { auth: staff.token, body: {} })).status).toBe(404);
    });

    it('only admins delete; a deleted record is gone', async () => {
      expect((await srv.request('DELETE', `/api/records/${refs.mild}`, { auth: staff.token })).status).toBe(403);
      expect((await srv.request('DELETE', `/api/records/${refs.mild}`, { auth: admin.token })).status).toBe(204);
      expect((await get(`/api/records/${refs.mild}`)).status).toBe(404);
      expect((await srv.request('DELETE', `/api/records/${refs.mild}`, { auth: admin.token })).status).toBe(404);
    });

    it('every read, review, export, deletion and consent is in the audit trail; only admins read it; it cannot be changed', async () => {
      expect((await get(`/api/records/${refs.emergency1}/fhir`)).status).toBe(200);
      expect((await get('/api/audit')).status).toBe(403);
      const { status, body } = await get('/api/audit?limit=1000', admin.token);
      expect(status).toBe(200);
      const has = (action: string, ref?: string, actor?: string) => body.entries.some((e: any) => e.action === action && (!ref || e.ref === ref) && (!actor || e.actor === actor));
      expect(has('consent', refs.emergency1, 'integration')).toBe(true);
      expect(has('list', undefined, 'nurse')).toBe(true);
      expect(has('review', refs.urgent, 'nurse')).toBe(true);
      expect(has('export', refs.emergency1, 'nurse')).toBe(true);
      expect(has('delete', refs.mild, 'admin')).toBe(true);
      expect(body.chain).toEqual({ ok: true, entries: expect.any(Number) });
      // Newest first, each with who, what, which record and when; nothing of the content.
      expect(body.entries[0].seq).toBeGreaterThan(body.entries.at(-1).seq);
      expect(JSON.stringify(body.entries)).not.toMatch(/tramadol|seizure|Called back/);
      // No route changes it, and the table itself refuses.
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        expect([404, 405]).toContain((await srv.request(method, '/api/audit', { auth: admin.token, body: {} })).status);
      }
      await expect(srv.sql("UPDATE intake_audit SET actor = 'someone else'")).rejects.toThrow(/cannot be changed/);
      await expect(srv.sql('DELETE FROM intake_audit')).rejects.toThrow(/cannot be deleted/);
    });

    it('a staff page session: cookie HttpOnly, Secure, SameSite=Strict; logout ends it; cross-site writes are refused', async () => {
      const res = await srv.request('POST', '/api/staff/login', { body: { name: 'nurse', password: staff.password } });
      expect(res.status).toBe(200);
      const set = res.headers.get('set-cookie')!;
      expect(set).toMatch(/HttpOnly/);
      expect(set).toMatch(/Secure/);
      expect(set).toMatch(/SameSite=Strict/);
      const cookie = await login(srv, 'nurse', staff.password);
      expect((await srv.request('GET', '/api/records', { cookie })).status).toBe(200);
      const me = (await (await srv.request('GET', '/api/staff/me', { cookie })).json()) as Record<string, any>;
      expect(me).toMatchObject({ name: 'nurse', admin: false, centre: { id: 'main' } });
      const evil = await srv.request('POST', `/api/records/${refs.emergency1}/review`, { cookie, body: { note: 'x' }, headers: { origin: 'https://evil.example' } });
      expect(evil.status).toBe(403);
      expect((await srv.request('POST', '/api/staff/logout', { cookie })).status).toBe(204);
      expect((await srv.request('GET', '/api/records', { cookie })).status).toBe(401);
    });

    it('missing and wrong credentials get the same 401 on every staff route', async () => {
      const routes: [string, string][] = [
        ['GET', '/api/records'], ['GET', `/api/records/${refs.emergency1}`], ['POST', `/api/records/${refs.emergency1}/review`],
        ['DELETE', `/api/records/${refs.emergency1}`], ['GET', `/api/records/${refs.emergency1}/fhir`], ['GET', '/api/audit'],
        ['GET', '/api/records/events'], ['GET', '/api/alerts'], ['GET', '/api/staff/me'],
      ];
      const bodies = new Set<string>();
      for (const [method, p] of routes) {
        for (const o of [{}, { auth: 'trt_wrong' }, { auth: staff.token.slice(0, -2) + 'xx' }, { cookie: 'triage_staff=forged' }]) {
          const res = await srv.request(method, p, { ...o, body: method === 'POST' ? {} : undefined });
          expect(res.status, `${method} ${p} ${JSON.stringify(o)}`).toBe(401);
          bodies.add(await res.text());
        }
      }
      expect(bodies.size).toBe(1);
    });
  });

  describe('logging in', () => {
    let srv: RecordsServer;
    const throttle = new FailureThrottle({ free: 4, windowMs: 60_000, baseDelayMs: 600, maxDelayMs: 5_000, maxKeys: 100 });
    beforeAll(async () => {
      srv = await startRecordsServer({}, { store, throttle });
      await addStaff(srv.records, 'maria', { password: 'maria-real-password' });
    });
    afterAll(async () => { await srv?.close(true); });

    const attempt = async (name: string, password: string) => {
      const t = performance.now();
      const res = await srv.request('POST', '/api/staff/login', { body: { name, password } });
      return { status: res.status, ms: performance.now() - t, body: await res.text() };
    };

    it('a wrong password and an unknown name take the same time and give the same 401', async () => {
      const wrong: number[] = [];
      const unknown: number[] = [];
      const bodies = new Set<string>();
      for (let i = 0; i < 2; i++) {
        const a = await attempt('maria', `nope-${i}`);
        const b = await attempt(`nobody-${i}`, `nope-${i}`);
        expect([a.status, b.status]).toEqual([401, 401]);
        bodies.add(a.body).add(b.body);
        wrong.push(a.ms);
        unknown.push(b.ms);
      }
      throttle.clear();
      expect(bodies.size).toBe(1);
      const [w, u] = [Math.min(...wrong), Math.min(...unknown)];
      // Both run the same scrypt; an early "no such user" would answer many times faster.
      expect(u / w).toBeGreaterThan(1 / 3);
      expect(u / w).toBeLessThan(3);
    });

    it('repeated failures are slowed, for the right password too, and the audit trail keeps them', async () => {
      const times: number[] = [];
      for (let i = 0; i < 6; i++) times.push((await attempt('maria', 'guess')).ms);
      // Free attempts first, then a wait of 600 ms, 1.2 s... before the check itself.
      expect(Math.max(...times.slice(0, 4))).toBeLessThan(times[4]!);
      expect(times[4]).toBeGreaterThanOrEqual(590);
      expect(times[5]).toBeGreaterThanOrEqual(1190);
      const right = await attempt('maria', 'maria-real-password');
      expect(right.status).toBe(200);
      expect(right.ms).toBeGreaterThanOrEqual(2390); // still slowed: the wait says nothing about the password
      expect((await attempt('maria', 'maria-real-password')).ms).toBeLessThan(right.ms - 1_000); // a success clears it
      // Wrong API tokens from one address are slowed the same way.
      throttle.clear();
      const bearer: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        expect((await srv.request('GET', '/api/records', { auth: `trt_wrong${i}` })).status).toBe(401);
        bearer.push(performance.now() - t);
      }
      expect(Math.max(...bearer.slice(0, 4))).toBeLessThan(bearer[4]! - 300);
      expect(bearer[4]).toBeGreaterThanOrEqual(590);
      const failed = (await srv.records.audit.list({ limit: 100 })).filter((e) => e.action === 'login-failed');
      expect(failed.some((e) => e.actor === 'maria')).toBe(true);
      expect(failed.some((e) => e.actor === 'unknown')).toBe(true);
      expect(JSON.stringify(failed)).not.toMatch(/guess|nope/);
    });
  });

  describe('several centres', () => {
    let srv: RecordsServer;
    let north: string;
    let south: string;
    beforeAll(async () => {
      srv = await startRecordsServer({ INTAKE_CENTRES: 'north=North Clinic,south=South Clinic' }, { store });
      north = (await addStaff(srv.records, 'n-nurse', { centre: 'north' })).token;
      south = (await addStaff(srv.records, 's-admin', { centre: 'south', admin: true })).token;
    });
    afterAll(async () => { await srv?.close(true); });

    it("a staff member sees only their centre's records and audit", async () => {
      const a = (await assess(srv, { ...EMERGENCY_BODY, record: true, client: { centre: 'south' } })).body.record.ref;
      const b = (await assess(srv, { ...MILD_BODY, record: true })).body.record.ref; // first centre by default
      const list = async (t: string) => ((await (await srv.request('GET', '/api/records', { auth: t })).json()) as { records: { ref: string }[] }).records.map((r) => r.ref);
      expect(await list(north)).toEqual([b]);
      expect(await list(south)).toEqual([a]);
      for (const p of [`/api/records/${a}`, `/api/records/${a}/fhir`]) expect((await srv.request('GET', p, { auth: north })).status).toBe(404);
      expect((await srv.request('POST', `/api/records/${a}/review`, { auth: north, body: {} })).status).toBe(404);
      expect((await srv.request('DELETE', `/api/records/${b}`, { auth: south })).status).toBe(404);
      const audit = (await (await srv.request('GET', '/api/audit', { auth: south })).json()) as { entries: { centre: string | null; ref: string | null }[] };
      expect(audit.entries.some((e) => e.ref === b)).toBe(false);
      expect(audit.entries.every((e) => e.centre === 'south' || e.centre === null)).toBe(true);
    });
  });

  describe('live feed and retention', () => {
    let srv: RecordsServer;
    let token: string;
    let clock = Date.now();
    beforeAll(async () => {
      srv = await startRecordsServer({ RECORDS_TTL_DAYS: '2' }, { store, records: { now: () => clock } });
      ({ token } = await addStaff(srv.records, 'watcher'));
    });
    afterAll(async () => { await srv?.close(true); });

    it('a new emergency reaches an open event stream without reloading', async () => {
      const ctrl = new AbortController();
      const res = await fetch(`${srv.url}/api/records/events`, { headers: { authorization: `Bearer ${token}` }, signal: ctrl.signal });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = res.body!.getReader();
      const ref = (await assess(srv, { ...EMERGENCY_BODY, record: true })).body.record.ref;
      let text = '';
      const deadline = Date.now() + 5_000;
      while (!text.includes(ref) && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
      ctrl.abort();
      const event = text.split('\n\n').find((e) => e.includes(ref))!;
      expect(event).toMatch(/^event: change/m);
      const data = JSON.parse(/^data: (.*)$/m.exec(event)![1]!) as { kind: string; record: Record<string, unknown> };
      expect(data).toMatchObject({ kind: 'created', record: { ref, level: 'emergency', status: 'new' } });
      expect(data.record.answers).toBeUndefined();
    });

    it('records expire after RECORDS_TTL_DAYS, leaving nothing readable in the file', async () => {
      const marker = 'zebra-marker-retention-4417';
      const ref = (await assess(srv, { ...MILD_BODY, symptoms: `tired, ${marker}`, record: true })).body.record.ref;
      expect(await srv.records.purgeExpired()).toBe(0);
      clock += 2 * 86_400_000 + 1;
      expect(await srv.records.purgeExpired()).toBeGreaterThanOrEqual(1);
      expect((await srv.request('GET', `/api/records/${ref}`, { auth: token })).status).toBe(404);
      expect((await srv.records.audit.list({ ref })).map((e) => e.action)).toContain('expire');
      // Nothing of it is left in the table either (PostgreSQL: the row is gone; VACUUM reclaims its old version).
      expect(await srv.sql('SELECT ref FROM intake_records WHERE ref = $1', [ref])).toEqual([]);
      for (const f of ['records.sqlite', 'records.sqlite-wal']) {
        let bytes: Buffer;
        try { bytes = readFileSync(`${srv.dir}/${f}`); } catch { continue; }
        expect(bytes.includes(marker), f).toBe(false);
      }
    });
  });
});

function rank(level: string): number {
  return ['self-monitor', 'contact-clinician', 'urgent', 'emergency'].indexOf(level);
}
