// What stays on disk and what happens when the disk or the file misbehaves: "delete my data" everywhere and nothing
// readable left, private files, deletion after a restart, one process per SQLite file, a read-only path, a full
// database (/healthz 503, the log names the code), a full disk under the log (the server keeps answering).
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogDestination } from '../src/log.js';
import { SqliteStorage, StorageError } from '../src/storage/index.js';
import { freePort, runMain, sleep, startAbuseServer, webChat } from './abuse-helpers.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'triage-abuse-'));
  dirs.push(d);
  return d;
}

/** Every byte SQLite keeps for the file: the database, its write-ahead log and shared memory. */
const onDisk = (file: string) => Buffer.concat([file, `${file}-wal`, `${file}-shm`].filter(existsSync).map((f) => readFileSync(f))).toString('latin1');

type Json = Record<string, unknown>;
const idOf = async (r: Response) => ((await r.json()) as { id: string }).id;

describe('"delete my data" in a web chat', () => {
  it('erases the stored answers, the transcript and the tokens, says so, and leaves nothing readable in the file', async () => {
    const file = path.join(tempDir(), 'data', 'triage.sqlite');
    const srv = await startAbuseServer({ STORAGE: 'sqlite', SQLITE_PATH: file });
    try {
      const chat = await webChat(srv.url);
      await chat.replyTo(await idOf(await chat.send({ type: 'message', text: 'citalopram 20 mg and zolpidem' })));
      await chat.replyTo(await idOf(await chat.send({ type: 'message', text: 'started zolpidem yesterday' })));
      expect(onDisk(file)).toContain('zolpidem'); // the answers were on disk
      const key = `directline/conversations/${chat.conversationId}/`;
      expect(Object.keys(await srv.conversation.storage.read([key]))).toEqual([key]);

      const seen = await chat.replyTo(await idOf(await chat.send({ type: 'message', text: 'delete my data' })));
      const confirmation = seen.filter((a) => a.type === 'message' && (a.from as Json).role === 'bot').at(-1)!;
      expect(confirmation.text).toMatch(/deleted everything you told me/);
      expect(confirmation.text).toMatch(/transcript/);
      // The transcript is gone: nothing of the person's messages is served any more, and the tokens end.
      expect(JSON.stringify(seen)).not.toContain('zolpidem');
      await sleep(10);
      expect((await chat.poll()).status).toBe(403);
      expect((await fetch(`${srv.url}/v3/directline/tokens/refresh`, { method: 'POST', headers: chat.auth })).status).toBe(403);
      expect(await srv.conversation.storage.read([key])).toEqual({});
      // secure_delete and a WAL checkpoint: not in the file, its log or its free pages.
      const bytes = onDisk(file);
      expect(bytes).not.toContain('zolpidem');
      expect(bytes).not.toContain('citalopram');
    } finally {
      await srv.close();
    }
  });

  it('can be done after a restart with the conversation id and delete key the page kept', async () => {
    const file = path.join(tempDir(), 'triage.sqlite');
    const first = await startAbuseServer({ STORAGE: 'sqlite', SQLITE_PATH: file });
    const chat = await webChat(first.url);
    await chat.replyTo(await idOf(await chat.send({ type: 'message', text: 'lithium and tramadol' })));
    const key = `directline/conversations/${chat.conversationId}/`;
    for (let i = 0; i < 100 && !Object.keys(await first.conversation.storage.read([key])).length; i++) await sleep(20); // saved after the reply
    await first.close();

    const second = await startAbuseServer({ STORAGE: 'sqlite', SQLITE_PATH: file });
    try {
      expect(Object.keys(await second.conversation.storage.read([key]))).toEqual([key]);
      // The old tokens died with the process: the person cannot reach the conversation to say "delete my data".
      const old = await fetch(`${second.url}/v3/directline/conversations/${chat.conversationId}/activities`, { headers: chat.auth });
      expect(old.status).toBe(403);
      const wrong = await second.post('/api/webchat/delete', { conversationId: chat.conversationId, deleteKey: chat.deleteKey.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) });
      expect(wrong.status).toBe(403);
      const otherConversation = await second.post('/api/webchat/delete', { conversationId: 'someone-else', deleteKey: chat.deleteKey });
      expect(otherConversation.status).toBe(403);
      expect(Object.keys(await second.conversation.storage.read([key]))).toEqual([key]);

      const ok = await second.post('/api/webchat/delete', { conversationId: chat.conversationId, deleteKey: chat.deleteKey });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { deleted: { answers: boolean } }).deleted.answers).toBe(true);
      expect(await second.conversation.storage.read([key])).toEqual({});
      expect(onDisk(file)).not.toContain('lithium');
    } finally {
      await second.close();
    }
  });
});

describe('SQLite file', () => {
  it('is private: folder 0700, files 0600', async () => {
    const dir = path.join(tempDir(), 'data');
    const file = path.join(dir, 'triage.sqlite');
    const store = new SqliteStorage({ path: file, ttlHours: 1 });
    await store.write({ k: { v: 1 } });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of [file, `${file}-wal`].filter(existsSync)) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    store.close();
  });

  it('refuses a second store on the same file, naming SQLITE_PATH, and the first keeps working', async () => {
    const file = path.join(tempDir(), 'triage.sqlite');
    const store = new SqliteStorage({ path: file, ttlHours: 1 });
    expect(() => new SqliteStorage({ path: file, ttlHours: 1 })).toThrow(StorageError);
    expect(() => new SqliteStorage({ path: file, ttlHours: 1 })).toThrow(/^SQLITE_PATH ".*": the file is in use by another process/);
    await store.write({ k: { v: 2 } });
    expect((await store.read(['k'])).k).toMatchObject({ v: 2 });
    store.close();
    new SqliteStorage({ path: file, ttlHours: 1 }).close(); // free again once the first is closed
  });

  it('a second server process on the file stops at start with one line naming SQLITE_PATH', async () => {
    const file = path.join(tempDir(), 'triage.sqlite');
    const store = new SqliteStorage({ path: file, ttlHours: 1 });
    try {
      const run = runMain({ PORT: '0', SQLITE_PATH: file });
      const code = await Promise.race([run.exited, sleep(20_000).then(() => 'timeout')]);
      run.child.kill('SIGKILL');
      expect(code).toBe(1);
      const err = run.output().stderr.trim();
      expect(err.split('\n')).toHaveLength(1);
      expect(err).toMatch(/^SQLITE_PATH ".*triage\.sqlite": the file is in use by another process/);
    } finally {
      store.close();
    }
  });

  it.each([
    ['a folder that cannot be made', '/proc/triage-abuse/triage.sqlite', /cannot be created or opened there/],
    ['a folder that is a file', '/etc/hostname/triage.sqlite', /cannot be created or opened there/],
    ['a file that is not a database', '/etc/hostname', /not a database/],
  ])('%s stops the start with one line naming SQLITE_PATH, no stack trace', async (_what, file, why) => {
    const run = runMain({ PORT: '0', SQLITE_PATH: file });
    const code = await Promise.race([run.exited, sleep(20_000).then(() => 'timeout')]);
    run.child.kill('SIGKILL');
    expect(code).toBe(1);
    const err = run.output().stderr.trim();
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toMatch(new RegExp(`^SQLITE_PATH "${file.replace(/[./]/g, (c) => `\\${c}`)}": `));
    expect(err).toMatch(why);
  });
});

describe('a full database', () => {
  it('turns /healthz 503 naming the SQLite code, logs the code, and recovers when writes work again', async () => {
    const file = path.join(tempDir(), 'triage.sqlite');
    const srv = await startAbuseServer({ STORAGE: 'sqlite', SQLITE_PATH: file });
    try {
      const db = (srv.conversation.storage as unknown as { db: { pragma(s: string): unknown } }).db;
      const pages = (db.pragma('page_count', ) as { page_count: number }[])[0]!.page_count;
      db.pragma(`max_page_count = ${pages}`); // the file cannot grow: as good as a full disk
      const say = (id: string, text: string) => srv.post('/api/messages', {
        type: 'message', channelId: 'webchat', serviceUrl: 'http://127.0.0.1:1', deliveryMode: 'expectReplies',
        conversation: { id }, from: { id: 'u' }, recipient: { id: 'bot' }, text,
      });
      for (let i = 0; i < 40 && (await fetch(`${srv.url}/healthz`)).status === 200; i++) await say(`full-${i}`, 'x'.repeat(1500));
      const health = await fetch(`${srv.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'unhealthy', problems: [{ component: 'storage', code: 'SQLITE_FULL' }] });
      const logged = srv.logs.find((l) => l.msg === 'storage write failed');
      expect(logged).toMatchObject({ code: 'SQLITE_FULL' });
      expect(JSON.stringify(srv.logs)).not.toContain('xxxxxxxxxx');

      db.pragma('max_page_count = 1000000');
      await say('full-again', 'hello');
      expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    } finally {
      await srv.close();
    }
  });
});

describe('a full disk under the log', () => {
  it('the log destination never blocks or throws: lines past its buffer are dropped and counted', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const dest = createLogDestination(fd, 64 * 1024);
      const line = `${JSON.stringify({ msg: 'x'.repeat(200) })}\n`;
      const t = performance.now();
      for (let i = 0; i < 5_000; i++) dest.stream.write(line);
      expect(performance.now() - t).toBeLessThan(1_000);
      await sleep(100);
      const stats = dest.stats();
      expect(stats.dropped).toBeGreaterThan(4_000);
      expect(stats.failedWrites).toBeGreaterThan(0);
    } finally {
      await sleep(50);
      closeSync(fd);
    }
  });

  it('the server keeps answering /healthz while its stdout is a full disk', async () => {
    const port = await freePort();
    const out = openSync('/dev/full', 'w');
    const run = runMain({ PORT: String(port), STORAGE: 'memory', LOG_LEVEL: 'debug' }, { stdout: out });
    try {
      let up = false;
      for (let i = 0; i < 150 && !up; i++) {
        await sleep(100);
        up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
      }
      expect(up).toBe(true);
      // Requests that log (404s at debug), then health probes: each answered at once.
      await Promise.all(Array.from({ length: 50 }, () => fetch(`http://127.0.0.1:${port}/nope`)));
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
        expect(performance.now() - t).toBeLessThan(500);
      }
      expect(run.child.exitCode).toBeNull();
      // And it stops on SIGTERM (pino's exit flush used to retry the full disk for ever).
      run.child.kill('SIGTERM');
      const code = await Promise.race([run.exited, sleep(5_000).then(() => 'hung')]);
      expect(code).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
      closeSync(out);
    }
  });
});

describe('the log', () => {
  it('keeps what libraries print to the console (PEMs, tokens, activities) out of it', async () => {
    const { captureConsole, createLogger } = await import('../src/log.js');
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info', logHealthData: false }, new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }) as never);
    const saved = { error: console.error, warn: console.warn };
    try {
      captureConsole(logger, false);
      console.error('Error finding key for token. Available keys: -----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIQ\n-----END CERTIFICATE-----');
      console.error(new Error('jwt malformed eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln'));
      console.warn('BadRequest', { text: 'my husband took 30 of his pills' });
    } finally {
      console.error = saved.error;
      console.warn = saved.warn;
    }
    const all = lines.join('');
    expect(lines).toHaveLength(3);
    expect(all).toContain('a library wrote to the console');
    expect(all).not.toMatch(/BEGIN CERTIFICATE|MIIDBT|eyJhbGci|30 of his pills/);
  });
});
