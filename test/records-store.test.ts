// The records store itself: private files and secure deletion (SQLite), the audit chain and `npm run staff` (SQLite
// and PostgreSQL), settings.
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { normaliseRef, newRef } from '../src/records/refs.js';
import { Records } from '../src/records/service.js';
import { freshDatabaseUrl, startRecordsServer, STORE_KINDS, stopTestCluster, tempDir, triage } from './records-helpers.js';

afterAll(stopTestCluster);

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

function open(dir: string, env: Record<string, string> = {}): Records {
  const config = loadConfig({ SQLITE_PATH: path.join(dir, 'triage.sqlite'), INTAKE_RECORDS: 'on', ...env });
  return new Records(config.records);
}

const assessment = (symptoms: string) => triage().assess({ medications: 'sertraline', symptoms, now: '2026-03-08T09:00:00Z' });
const answers = (symptoms: string) => ({ medications: 'sertraline', doseChanges: '', symptoms, followUps: {} });

describe('records file', () => {
  it('lives beside SQLITE_PATH, private to its user (folder 0700, files 0600)', async () => {
    const dir = path.join(tempDir(), 'nested', 'data');
    const r = open(dir);
    await r.saveFromApi({ centre: 'main', answers: answers('tired'), assessment: assessment('tired') });
    expect(r.config.path).toBe(path.join(dir, 'records.sqlite'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of ['records.sqlite', 'records.sqlite-wal']) expect(statSync(path.join(dir, f)).mode & 0o777, f).toBe(0o600);
    await r.close();
  });

  it('deletion overwrites: an admin deletion and a withdrawal leave no trace of the text in the file or its WAL', async () => {
    const dir = tempDir();
    const r = open(dir);
    const keep = await r.saveFromApi({ centre: 'main', answers: answers('kept-marker-1'), assessment: assessment('kept-marker-1') });
    const del = await r.saveFromApi({ centre: 'main', answers: answers('gone-marker-2'), assessment: assessment('gone-marker-2') });
    await r.saveFromConversation({ channelId: 'webchat', conversationId: 'c1', answers: answers('gone-marker-3'), assessment: assessment('gone-marker-3'), statement: 'ok?' });
    const bytes = () => Buffer.concat(['records.sqlite', 'records.sqlite-wal'].map((f) => { try { return readFileSync(path.join(dir, f)); } catch { return Buffer.alloc(0); } }));
    expect(bytes().includes('gone-marker-2')).toBe(true);
    expect(await r.store.delete('main', del, { centre: 'main', actor: 'admin', action: 'delete', ref: del })).toBe(true);
    expect(await r.withdrawConversation('webchat', 'c1')).toHaveLength(1);
    expect(await r.withdrawConversation('webchat', 'c1')).toHaveLength(0);
    const after = bytes();
    expect(after.includes('gone-marker-2')).toBe(false);
    expect(after.includes('gone-marker-3')).toBe(false);
    expect(after.includes('kept-marker-1')).toBe(true);
    expect((await r.store.get('main', keep))?.answers?.symptoms).toBe('kept-marker-1');
    await r.close();
  });

  it.each(STORE_KINDS)('%s: the audit chain shows an entry changed behind the API', async (store) => {
    const srv = await startRecordsServer({}, { store });
    const r = srv.records;
    await r.audit.append({ centre: 'main', actor: 'a', action: 'read', ref: 'K7F-2QX' });
    await r.audit.append({ centre: 'main', actor: 'b', action: 'review', ref: 'K7F-2QX' });
    expect(await r.audit.verify()).toEqual({ ok: true, entries: 2 });
    // Someone with the file (or a database login) drops the guard and edits an entry: the chain no longer holds.
    await srv.sql(store === 'sqlite' ? 'DROP TRIGGER audit_append_only_update' : 'DROP TRIGGER intake_audit_append_only ON intake_audit');
    await srv.sql("UPDATE intake_audit SET actor = 'c' WHERE seq = 1");
    expect(await r.audit.verify()).toEqual({ ok: false, brokenAt: 1 });
    await srv.close(true);
  });

  it('reference codes are short, readable and typed loosely', () => {
    const refs = new Set(Array.from({ length: 2000 }, newRef));
    expect(refs.size).toBeGreaterThan(1990);
    for (const ref of refs) expect(ref).toMatch(/^[2-9A-HJKMNP-TV-Z]{3}-[2-9A-HJKMNP-TV-Z]{3}$/);
    expect(normaliseRef('k7f 2qx')).toBe('K7F-2QX');
    expect(normaliseRef('K7F-2QO')).toBeUndefined(); // O is not in the alphabet
    expect(normaliseRef('../../etc')).toBeUndefined();
  });
});

describe('records settings', () => {
  it('are off by default with 30 days, json alerts for emergency and urgent, one centre', () => {
    const c = loadConfig({}).records;
    expect(c).toMatchObject({ enabled: false, ttlDays: 30, centres: [{ id: 'main', name: 'main' }], publicUrl: 'http://localhost:3978', alerts: undefined });
    expect(c.path).toBe(path.join('data', 'records.sqlite'));
  });

  it('read valid values', () => {
    const c = loadConfig({
      INTAKE_RECORDS: 'on', RECORDS_TTL_DAYS: '7', ALERT_WEBHOOK_URL: 'https://hooks.example.org/x', ALERT_WEBHOOK_FORMAT: 'slack',
      ALERT_LEVELS: 'emergency', INTAKE_CENTRES: 'north=North Clinic, south', PUBLIC_URL: 'https://triage.example.org/', SQLITE_PATH: '/var/lib/triage/t.sqlite',
    }).records;
    expect(c).toMatchObject({
      enabled: true, ttlDays: 7, path: '/var/lib/triage/records.sqlite', publicUrl: 'https://triage.example.org',
      centres: [{ id: 'north', name: 'North Clinic' }, { id: 'south', name: 'south' }],
      alerts: { url: 'https://hooks.example.org/x', format: 'slack', levels: ['emergency'] },
    });
  });

  it.each([
    ['INTAKE_RECORDS', { INTAKE_RECORDS: 'maybe' }],
    ['RECORDS_TTL_DAYS', { RECORDS_TTL_DAYS: '0' }],
    ['RECORDS_TTL_DAYS', { RECORDS_TTL_DAYS: 'a month' }],
    ['ALERT_WEBHOOK_URL', { ALERT_WEBHOOK_URL: 'ftp://x' }],
    ['ALERT_WEBHOOK_FORMAT', { ALERT_WEBHOOK_FORMAT: 'email' }],
    ['ALERT_WEBHOOK_SECRET', { ALERT_WEBHOOK_SECRET: 'short' }],
    ['ALERT_WEBHOOK_SECRET', { ALERT_WEBHOOK_URL: 'https://hooks.example.org/x' }],
    ['ALERT_LEVELS', { ALERT_LEVELS: 'emergency,severe' }],
    ['INTAKE_CENTRES', { INTAKE_CENTRES: 'North Clinic' }],
    ['INTAKE_CENTRES', { INTAKE_CENTRES: 'a,a' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'triage.example.org' }],
  ])('reject a bad %s with a ConfigError naming it', (name, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`\\b${name}\\b`));
  });
});

describe.each(STORE_KINDS)('npm run staff (%s)', (store) => {
  it('adds an account (password from standard input), makes a token that the API accepts, lists, revokes and removes', async () => {
    const dir = tempDir();
    const databaseUrl = store === 'postgres' ? await freshDatabaseUrl() : undefined;
    const env = {
      ...process.env, SQLITE_PATH: path.join(dir, 'triage.sqlite'), INTAKE_RECORDS: 'on', INTAKE_CENTRES: 'north,south',
      ...(databaseUrl ? { STORAGE: 'postgres', DATABASE_URL: databaseUrl } : { STORAGE: 'sqlite' }),
    };
    const staff = (args: string[], input?: string) => {
      const child = run('npx', ['tsx', 'scripts/staff.ts', ...args], { cwd: ROOT, env });
      if (input !== undefined) { child.child.stdin!.end(`${input}\n`); } else child.child.stdin!.end();
      return child;
    };
    await expect(staff(['add', 'lee'], 'a-long-enough-password')).rejects.toMatchObject({ stderr: expect.stringMatching(/--centre/) });
    await expect(staff(['add', 'lee', '--centre', 'north'], 'short')).rejects.toMatchObject({ stderr: expect.stringMatching(/at least 12/) });
    expect((await staff(['add', 'lee', '--admin', '--centre', 'north'], 'a-long-enough-password')).stdout).toMatch(/Added lee \(admin\)/);
    const token = (await staff(['token', 'lee'])).stdout.trim();
    expect(token).toMatch(/^trt_[\w-]{43}$/);
    expect((await staff(['list'])).stdout).toMatch(/^lee\tnorth\tadmin\t1 token/m);

    const srv = await startRecordsServer({ INTAKE_CENTRES: 'north,south' }, { dir, store, databaseUrl });
    try {
      expect((await srv.request('GET', '/api/records', { auth: token })).status).toBe(200);
      expect((await srv.request('POST', '/api/staff/login', { body: { name: 'lee', password: 'a-long-enough-password' } })).status).toBe(200);
      // Changed while the server runs: the next request sees it.
      expect((await staff(['revoke', 'lee'])).stdout).toMatch(/Revoked 1/);
      expect((await srv.request('GET', '/api/records', { auth: token })).status).toBe(401);
      expect((await staff(['remove', 'lee'])).stdout).toMatch(/Removed lee/);
      expect((await srv.request('POST', '/api/staff/login', { body: { name: 'lee', password: 'a-long-enough-password' } })).status).toBe(401);
    } finally {
      await srv.close(true);
    }
  }, 60_000);
});
