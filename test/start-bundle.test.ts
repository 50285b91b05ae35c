// `npm start` runs the bundled server (scripts/bundle.ts): it must find knowledge/, the pages' files and Web Chat's
// bundle from dist/ as the sources do from src/, load the Bot Framework SDK from its own file on the first turn, and
// start from the compiled knowledge. Built here into a folder of its own under dist/, started as npm start starts it.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSignature } from '../src/channels/slack/verify.js';

const root = path.resolve(__dirname, '..');
const outdir = path.join(root, 'dist', `bundle-test-${process.pid}`);
const data = mkdtempSync(path.join(tmpdir(), 'bundle-test-'));

interface Started { url: string; child: ChildProcess; log: () => string }

let starts = 0;

/** `node <outdir>/server.cjs` on a port and a store of its own, once /healthz says 200. */
async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [path.join(outdir, 'server.cjs')], {
    cwd: data, stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', SQLITE_PATH: path.join(data, `${++starts}.sqlite`), ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  // The port it took is in its "listening" line.
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const m = /"port":(\d+).*"msg":"listening"/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  return { url, child, log: () => out };
}

function stop(s: Started | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => { s.child.once('exit', () => resolve()); s.child.kill(); });
}

beforeAll(() => {
  execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/bundle.ts'), '--outdir', outdir], { cwd: root, stdio: 'pipe' });
}, 120_000);
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

describe('the server as npm start runs it', () => {
  let server: Started | undefined;
  afterAll(() => stop(server));

  it('starts from the compiled knowledge, serves the web chat page with its Web Chat bundle, and holds a conversation', async () => {
    server = await start({});
    expect(server.log()).toMatch(/"knowledgeFromCompiledFile":true/);
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/webchat/webchat.js"></script>');
    const webchat = await fetch(`${server.url}/webchat/webchat.js`);
    expect(webchat.status).toBe(200);
    expect((await webchat.text()).length).toBeGreaterThan(1_000_000);
    expect((await fetch(`${server.url}/webchat/app.js`)).status).toBe(200);

    const turn = (id: string, text: string) => fetch(`${server!.url}/api/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', id, channelId: 'emulator', serviceUrl: 'http://localhost:1', deliveryMode: 'expectReplies',
        conversation: { id: 'bundle-test' }, from: { id: 'u' }, recipient: { id: 'bot' }, text, localTimestamp: '2026-03-08T09:00:00-05:00' }),
    }).then(async (r) => ({ status: r.status, body: await r.json() as { activities: { type: string; name?: string; value?: { level?: string } }[] } }));
    const greeting = await turn('m1', 'hi');
    expect(greeting.status).toBe(200);
    expect(greeting.body.activities.some((a) => a.type === 'message')).toBe(true);
    // A red flag at once: the safety gate answers in the same turn.
    const gate = await turn('m2', 'my husband is having a seizure');
    expect(gate.body.activities.find((a) => a.name === 'triage.result')?.value?.level).toBe('emergency');
  });

  it('answers a Slack direct message through Slack\'s Web API client, loaded from the SDK bundle', async () => {
    // Slack's Web API on loopback: takes chat.postMessage as Slack does.
    const posted: string[] = [];
    const fakeSlack = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        posted.push(new URLSearchParams(body).get('text') ?? JSON.parse(body || '{}').text);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, ts: '1.0001' }));
      });
    });
    await new Promise<void>((r) => fakeSlack.listen(0, '127.0.0.1', r));
    const secret = 'slack-signing-secret-for-the-bundle';
    const slack = await start({ SLACK_SIGNING_SECRET: secret, SLACK_BOT_TOKEN: 'xoxb-bundle', SLACK_API_URL: `http://127.0.0.1:${(fakeSlack.address() as AddressInfo).port}/api/` });
    try {
      const raw = JSON.stringify({
        type: 'event_callback', event_id: 'Ev1', team_id: 'T1', authorizations: [{ user_id: 'U0BOT' }],
        event: { type: 'message', channel_type: 'im', channel: 'D1', user: 'U1', text: 'hi', ts: `${Math.floor(Date.now() / 1000)}.000001`, team: 'T1' },
      });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const ack = await fetch(`${slack.url}/api/slack/events`, {
        method: 'POST', body: raw,
        headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': slackSignature(secret, timestamp, raw) },
      });
      expect(ack.status).toBe(200);
      for (let i = 0; i < 200 && !posted.length; i++) await new Promise((r) => setTimeout(r, 50));
      expect(posted[0]).toMatch(/not a diagnosis/);
    } finally {
      await stop(slack);
      await new Promise<void>((r) => { fakeSlack.closeAllConnections(); fakeSlack.close(() => r()); });
    }
  });

  it('serves the staff page from its files with INTAKE_RECORDS=on', async () => {
    const staff = await start({ INTAKE_RECORDS: 'on' });
    try {
      const page = await fetch(`${staff.url}/staff`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Intake queue</title>');
      expect((await fetch(`${staff.url}/staff/app.js`)).status).toBe(200);
    } finally {
      await stop(staff);
    }
  });
});
