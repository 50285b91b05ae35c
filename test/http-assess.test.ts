// POST /api/assess and /healthz through the real restify server (DESIGN.md "HTTP faces").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { createServer, MAX_BODY_BYTES } from '../src/server/app.js';
import { LEVELS, type Assessment, type Triage } from '../src/triage/index.js';
import { startServer, type RunningServer } from './helpers.js';

const baclofenRunOut = {
  medications: 'baclofen 20mg three times a day for my MS',
  doseChanges: 'ran out of my baclofen 2 days ago, the pharmacy did not have it',
  symptoms: 'itchy all over and my legs are much stiffer, spasms are worse',
  followUps: { temperature: 'no fever' },
  now: '2026-03-08T09:00:00-05:00',
  locale: 'en-US',
};

let srv: RunningServer;
beforeAll(async () => { srv = await startServer(); });
afterAll(async () => { await srv?.close(); });

async function expectError(res: Response, status: number, pattern: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await res.json()) as { error: string };
  expect(body.error).toMatch(pattern);
  // The server keeps answering after every bad request.
  expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
}

describe('GET /healthz', () => {
  it('answers 200 with the knowledge version', async () => {
    const res = await fetch(`${srv.url}/healthz`);
    expect(res.status).toBe(200);
    const body = await res.json() as { status: string; knowledgeVersion: string };
    expect(body.status).toBe('ok');
    expect(body.knowledgeVersion).toEqual(expect.any(String));
  });
});

describe('POST /api/assess', () => {
  it('returns every contract field for a valid answer set', async () => {
    const res = await srv.post('/api/assess', baclofenRunOut);
    expect(res.status).toBe(200);
    const a = await res.json() as Assessment;
    expect(LEVELS).toContain(a.level);
    expect(a.headline).toEqual(expect.any(String));
    for (const list of [a.advice, a.safetyNet, a.contacts, a.patterns, a.redFlags]) expect(Array.isArray(list)).toBe(true);
    expect(a.contacts.length).toBeGreaterThan(0);
    expect(Array.isArray(a.findings.medications)).toBe(true);
    expect(Array.isArray(a.findings.doseChanges)).toBe(true);
    expect(Array.isArray(a.findings.symptoms)).toBe(true);
    expect(a.findings.medications.map((m) => m.name)).toContain('baclofen');
    expect(a.knowledgeVersion).toEqual(expect.any(String));
  });

  it('accepts empty fields and an empty object', async () => {
    for (const body of [{ medications: '', doseChanges: '', symptoms: '' }, {}]) {
      const res = await srv.post('/api/assess', body);
      expect(res.status).toBe(200);
      expect(LEVELS).toContain((await res.json() as Assessment).level);
    }
  });

  it('gives emergency with the seizure red flag for a seizure', async () => {
    const res = await srv.post('/api/assess', { medications: 'tramadol and sertraline', doseChanges: '', symptoms: "he's having a seizure right now, shaking all over" });
    const a = await res.json() as Assessment;
    expect(a.level).toBe('emergency');
    expect(a.redFlags.map((r) => r.id)).toContain('seizure');
  });

  it('400 on malformed JSON', async () => {
    await expectError(await srv.post('/api/assess', '{"symptoms": "itchy'), 400, /^Malformed JSON/);
  });

  it('400 naming the field on a wrong type or a non-object body', async () => {
    await expectError(await srv.post('/api/assess', { symptoms: 5 }), 400, /symptoms must be a string/);
    await expectError(await srv.post('/api/assess', { followUps: { pump: 1 } }), 400, /followUps\.pump must be a string/);
    await expectError(await srv.post('/api/assess', '["symptoms"]'), 400, /body must be a JSON object/);
    await expectError(await srv.post('/api/assess', { symptom: 'itchy' }), 400, /unknown field "symptom"/);
  });

  it('400 naming an unknown followUps topic', async () => {
    await expectError(await srv.post('/api/assess', { followUps: { mood: 'low' } }), 400, /followUps\.mood is not a known topic/);
  });

  it('400 on a bad now, a bad locale or an over-long answer', async () => {
    await expectError(await srv.post('/api/assess', { now: '2026-03-08T09:00:00' }), 400, /^now /);
    await expectError(await srv.post('/api/assess', { now: 'yesterday' }), 400, /^now /);
    await expectError(await srv.post('/api/assess', { locale: 'english please' }), 400, /^locale /);
    await expectError(await srv.post('/api/assess', { medications: 'x'.repeat(2_001) }), 400, /^medications .*2000 characters \(MAX_ANSWER_CHARS\)/);
  });

  it('413 at 64 KiB + 1 byte, not at 64 KiB', async () => {
    const bodyOf = (bytes: number) => `{"other":"${'a'.repeat(bytes - 12)}"}`;
    expect(bodyOf(MAX_BODY_BYTES + 1)).toHaveLength(65_537);
    await expectError(await srv.post('/api/assess', bodyOf(MAX_BODY_BYTES + 1)), 413, /larger than 65536 bytes/);
    // Exactly 64 KiB is read and then refused for its content, not its size.
    await expectError(await srv.post('/api/assess', bodyOf(MAX_BODY_BYTES)), 400, /unknown field "other"/);
  });

  it('415 unless the body is JSON; a charset is optional', async () => {
    await expectError(await srv.post('/api/assess', 'symptoms=itchy', { 'content-type': 'application/x-www-form-urlencoded' }), 415, /application\/json/);
    await expectError(await srv.post('/api/assess', 'itchy', { 'content-type': 'text/plain' }), 415, /application\/json/);
    const res = await srv.post('/api/assess', baclofenRunOut, { 'content-type': 'application/json; charset=utf-8' });
    expect(res.status).toBe(200);
  });

  it('500 without details when the core throws, and keeps serving', async () => {
    const broken: Triage = { knowledgeVersion: 'test', assess: () => { throw new Error('secret internal detail'); } };
    const other = await startServer({}, broken);
    try {
      const res = await other.post('/api/assess', baclofenRunOut);
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('{"error":"Internal error"}');
      expect((await fetch(`${other.url}/healthz`)).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('a handler that throws', () => {
  it('answers 500 without details and the process keeps serving (no domains: handlers are guarded)', async () => {
    const config = loadConfig({ PORT: '0', STORAGE: 'memory' });
    const logger = createLogger({ logLevel: 'silent', logHealthData: false });
    const triage: Triage = { knowledgeVersion: 'test', assess: () => { throw new Error('unused'); } } as unknown as Triage;
    const server = createServer({
      config, logger, triage,
      extraRoutes: (s) => {
        s.get('/sync-throw', (_req, _res, _next) => { throw new Error('secret sync detail'); });
        s.get('/async-throw', async () => { throw new Error('secret async detail'); });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const path of ['/sync-throw', '/async-throw', '/sync-throw']) {
        const res = await fetch(url + path);
        expect(res.status).toBe(500);
        expect(await res.text()).toBe('{"error":"Internal error"}');
      }
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('INTAKE_API_KEY', () => {
  it('401 without the right bearer key, 200 with it', async () => {
    const keyed = await startServer({ INTAKE_API_KEY: 's3cret-key' });
    try {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 's3cret-key' }] as Record<string, string>[]) {
        const res = await keyed.post('/api/assess', baclofenRunOut, headers);
        expect(res.status).toBe(401);
        expect((await res.json() as { error: string }).error).toMatch(/Bearer/);
      }
      const ok = await keyed.post('/api/assess', baclofenRunOut, { authorization: 'Bearer s3cret-key' });
      expect(ok.status).toBe(200);
    } finally {
      await keyed.close();
    }
  });
});

describe('unknown routes', () => {
  it('404 with a JSON error', async () => {
    await expectError(await fetch(`${srv.url}/nope`), 404, /Not found/);
  });
});
