// The real server with intake records on (records file in a fresh temporary folder unless given), on a random loopback
// port, plus small HTTP helpers for the staff API. No part of the database is mocked.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { startRecords } from '../src/records/index.js';
import { Records, type RecordsOptions } from '../src/records/service.js';
import { FailureThrottle } from '../src/records/staff.js';
import { createServer } from '../src/server/app.js';
import { mountConversation } from '../src/server/conversationFace.js';
import { mountRecordsFaces, SESSION_COOKIE } from '../src/server/records.js';
import { createTriage, type Triage } from '../src/triage/index.js';

let shared: Triage | undefined;
export const triage = () => (shared ??= createTriage());

export interface RecordsServer {
  url: string;
  dir: string;
  config: Config;
  records: Records;
  conversation: ReturnType<typeof mountConversation>;
  request(method: string, p: string, opts?: { body?: unknown; auth?: string; cookie?: string; headers?: Record<string, string> }): Promise<Response>;
  /** Closes the server and the records file; the folder stays unless `removeDir`. */
  close(removeDir?: boolean): Promise<void>;
}

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'records-'));
}

export async function startRecordsServer(
  env: Record<string, string> = {},
  opts: { dir?: string; records?: RecordsOptions; throttle?: FailureThrottle; logs?: string[] } = {},
): Promise<RecordsServer> {
  const dir = opts.dir ?? tempDir();
  const config = loadConfig({
    PORT: '0', STORAGE: 'sqlite', SQLITE_PATH: path.join(dir, 'triage.sqlite'), INTAKE_RECORDS: 'on',
    PUBLIC_URL: 'https://triage.example.org', ...env,
  });
  const logger = opts.logs
    ? createLogger({ logLevel: 'trace', logHealthData: false }, { write: (line: string) => { opts.logs!.push(line); } })
    : createLogger({ logLevel: 'silent', logHealthData: false });
  const records = opts.logs
    ? startRecords(config, logger, opts.records)!
    : new Records(config.records, opts.records);
  const core = triage();
  let conversation!: ReturnType<typeof mountConversation>;
  let faces!: ReturnType<typeof mountRecordsFaces>;
  const server = createServer({
    config, logger, triage: core, records,
    extraRoutes: (s) => {
      conversation = mountConversation(s, { config, logger, triage: core, records });
      faces = mountRecordsFaces(s, { records, logger, throttle: opts.throttle });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, dir, config, records, conversation,
    request: (method, p, o = {}) => fetch(url + p, {
      method,
      headers: {
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(o.auth ? { authorization: `Bearer ${o.auth}` } : {}),
        ...(o.cookie ? { cookie: o.cookie } : {}),
        ...o.headers,
      },
      body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
    }),
    close: async (removeDir = false) => {
      faces.close();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      conversation.storage.close?.();
      await records.close();
      if (removeDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Adds a staff member straight into the records file (as `npm run staff -- add` does) and returns an API token. */
export async function addStaff(records: Records, name: string, o: { admin?: boolean; centre?: string; password?: string } = {}): Promise<{ token: string; password: string }> {
  const password = o.password ?? `pw-${name}-correct-horse`;
  await records.staff.add(name, password, { centre: o.centre ?? records.config.centres[0]!.id, admin: Boolean(o.admin) });
  return { token: records.staff.newToken(name), password };
}

/** Logs in through the API; returns the session cookie to send back. */
export async function login(srv: RecordsServer, name: string, password: string): Promise<string> {
  const res = await srv.request('POST', '/api/staff/login', { body: { name, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  const set = res.headers.get('set-cookie') ?? '';
  const m = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(set);
  if (!m) throw new Error('no session cookie');
  return `${SESSION_COOKIE}=${m[1]}`;
}

export const EMERGENCY_BODY = {
  medications: 'citalopram 20 mg and tramadol',
  doseChanges: 'started tramadol 3 days ago',
  symptoms: 'he is having a seizure and is very hot, temperature 40.1',
  now: '2026-03-08T09:00:00-05:00',
  locale: 'en-US',
};

export const MILD_BODY = {
  medications: 'sertraline',
  doseChanges: 'none',
  symptoms: 'a bit tired',
  now: '2026-03-08T09:00:00-05:00',
  locale: 'en-US',
};
