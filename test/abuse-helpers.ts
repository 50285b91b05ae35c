// The whole server as `npm start` wires it, on a random loopback port, for the attack tests: with its store and its log
// lines at hand, a loopback stand-in for Slack's Web API, signed Slack events and a Direct Line client over fetch.
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { mountChannels, type Channels } from '../src/channels/index.js';
import { slackSignature } from '../src/channels/slack/verify.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { createServer } from '../src/server/app.js';
import { mountConversation } from '../src/server/conversationFace.js';
import { createTriage, type Triage } from '../src/triage/index.js';

let shared: Triage | undefined;
export const triage = () => (shared ??= createTriage());

export interface AbuseServer {
  url: string;
  channels: Channels;
  conversation: ReturnType<typeof mountConversation>;
  /** Every log line, parsed. */
  logs: Record<string, unknown>[];
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** `botFramework`: further options for the SDK's authentication (tests point its OpenID metadata at loopback). */
export async function startAbuseServer(env: Record<string, string> = {}, botFramework: Record<string, string> = {}): Promise<AbuseServer> {
  const config = loadConfig({ PORT: '0', STORAGE: 'memory', ...env });
  Object.assign(config.botFramework, botFramework);
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line)); cb(); } });
  const logger = createLogger({ logLevel: 'debug', logHealthData: false }, sink);
  const core = triage();
  let channels!: Channels;
  let conversation!: ReturnType<typeof mountConversation>;
  const server = createServer({
    config, logger, triage: core,
    extraRoutes: (s) => {
      conversation = mountConversation(s, { config, logger, triage: core });
      channels = mountChannels(s, { config, logger, triage: core, bot: conversation.bot });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, channels, conversation, logs,
    post: (path, body, headers = {}) => fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => { conversation.storage.close?.(); resolve(); });
    }),
  };
}

/** A loopback HTTP server that records what it is sent and answers 200 `{ ok: true, ts }` (Slack's Web API, a connector). */
export async function startRecorder() {
  const calls: { path: string; body: Record<string, unknown> }[] = [];
  let n = 0;
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const json = (req.headers['content-type'] ?? '').includes('json');
      calls.push({ path: req.url ?? '', body: json ? JSON.parse(body || '{}') : Object.fromEntries(new URLSearchParams(body)) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, id: `r${++n}`, ts: `${1000 + n}.0001` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export const SLACK_SECRET = 'slack-signing-secret-for-abuse-tests';
let eventSeq = 0;

/** A Slack direct-message event, as Slack's Events API delivers it. */
export function slackDm(text: string, opts: { team?: string; channel?: string; user?: string } = {}) {
  const ts = `${Math.floor(Date.now() / 1000)}.${String(++eventSeq).padStart(6, '0')}`;
  const team = opts.team ?? 'T0CLINIC';
  return {
    team_id: team, type: 'event_callback', event_id: `EvAbuse${eventSeq}`, event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: team, user_id: 'U0BOT', is_bot: true }],
    event: { type: 'message', channel_type: 'im', channel: opts.channel ?? 'D0PERSON', user: opts.user ?? 'U0PERSON', text, ts, team },
  };
}

export function signedSlack(url: string, body: unknown): Promise<Response> {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  return fetch(`${url}/api/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': slackSignature(SLACK_SECRET, timestamp, raw) },
    body: raw,
  });
}

/** The local Direct Line as Web Chat drives it: a token from the page's endpoint, the conversation started. */
export async function webChat(url: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${url}/api/webchat/token`, { method: 'POST', headers });
  if (r.status !== 200) throw new Error(`token: ${r.status}`);
  const grant = (await r.json()) as { token: string; conversationId: string; userId: string; deleteKey: string };
  const auth = { authorization: `Bearer ${grant.token}` };
  const started = await fetch(`${url}/v3/directline/conversations`, { method: 'POST', headers: auth });
  if (started.status !== 201) throw new Error(`start: ${started.status}`);
  let watermark = '';
  const base = `${url}/v3/directline/conversations/${grant.conversationId}/activities`;
  const client = {
    ...grant,
    auth,
    send: (activity: Record<string, unknown>) => fetch(base, {
      method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ from: { id: grant.userId }, ...activity }),
    }),
    /** New activities since the last poll (status and body). */
    poll: async () => {
      const res = await fetch(`${base}?watermark=${watermark}`, { headers: auth });
      if (res.status !== 200) return { status: res.status, activities: [] as Record<string, unknown>[] };
      const page = (await res.json()) as { activities: Record<string, unknown>[]; watermark: string };
      watermark = page.watermark;
      return { status: 200, activities: page.activities };
    },
    /** The page's join event once connected, with its locale (the start carried none): the bot greets and asks its
     * first question; returns every activity seen until then. */
    join: async (locale = 'en-US') => {
      const r = await client.send({ type: 'event', name: 'webchat/join', locale, value: { locale } });
      if (r.status !== 200) throw new Error(`join: ${r.status}`);
      return client.replyTo(((await r.json()) as { id: string }).id);
    },
    /** Polls until a bot message arrives that answers `id`; returns every activity seen meanwhile. */
    replyTo: async (id: string) => {
      const seen: Record<string, unknown>[] = [];
      for (let i = 0; i < 200; i++) {
        const { activities } = await client.poll();
        seen.push(...activities);
        if (seen.some((a) => a.replyToId === id && (a.from as { role?: string })?.role === 'bot')) return seen;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`no reply to ${id}`);
    },
  };
  return client;
}

/** Runs `npm start`'s entry point (src/server/main.ts under tsx) with the given environment; resolves when it exits or
 * after `ms`, with what it printed. */
export function runMain(env: Record<string, string>, opts: { ms?: number; stdout?: 'pipe' | number } = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c) => { stdout += c; });
  child.stderr?.on('data', (c) => { stderr += c; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    stop: async () => { if (child.exitCode === null) { child.kill('SIGTERM'); await exited; } },
  };
}

/** A free loopback port (listen on 0, close). */
export async function freePort(): Promise<number> {
  const s = createHttpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
