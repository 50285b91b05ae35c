// The real server with intake records on, on a random loopback port, plus small HTTP helpers for the staff API. The
// records live in a SQLite file in a fresh temporary folder, or (store: 'postgres') in a fresh database of a real
// PostgreSQL server: one throw-away cluster per test file (stopTestCluster in afterAll), one database per server
// unless a server is given another's `databaseUrl` (a restart). No part of either database is mocked.
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
import { mountChannels } from '../src/channels/index.js';
import { mountConversation } from '../src/server/conversationFace.js';
import { mountRecordsFaces, SESSION_COOKIE } from '../src/server/records.js';
import { createTriage, type Triage } from '../src/triage/index.js';
import { createPool, migrate, type Pool } from '../src/storage/postgres/index.js';
import pg from 'pg';
import { startTestDatabase, type TestDatabase } from './postgres-cluster.js';

export type StoreKind = 'sqlite' | 'postgres';
/** Both stores, for describe.each: the records behave the same on either. */
export const STORE_KINDS: StoreKind[] = ['sqlite', 'postgres'];

let cluster: Promise<TestDatabase> | undefined;

/** A new, empty database on this file's PostgreSQL server (started on first use). */
export async function freshDatabaseUrl(): Promise<string> {
  const server = await (cluster ??= startTestDatabase());
  const name = `records_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The file's PostgreSQL server (after freshDatabaseUrl): stop and start it to take the database away and back. */
export const testCluster = () => cluster;

/** Removes this file's PostgreSQL server, if one was started. */
export async function stopTestCluster(): Promise<void> {
  const c = cluster;
  cluster = undefined;
  await (await c)?.remove();
}

/** A pool on `url` with the schema migrated, as main.ts makes one. */
export async function migratedPool(url: string): Promise<Pool> {
  const pool = createPool({ url, poolSize: 5, statementTimeoutMs: 5_000, connectTimeoutMs: 2_000, turnLockWaitMs: 2_000 });
  await migrate(pool);
  return pool;
}

let shared: Triage | undefined;
export const triage = () => (shared ??= createTriage());

export interface RecordsServer {
  url: string;
  dir: string;
  store: StoreKind;
  /** PostgreSQL: the database the records are in (give it to another server to share it, or to restart on it). */
  databaseUrl?: string;
  /** Runs SQL on the records database directly, as someone with the file or a database login could (tests only).
   * Written for PostgreSQL (table names, $1 parameters); turned into the SQLite file's names there. */
  sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
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
  opts: { dir?: string; records?: RecordsOptions; throttle?: FailureThrottle; logs?: string[]; store?: StoreKind; databaseUrl?: string; channels?: boolean } = {},
): Promise<RecordsServer> {
  const dir = opts.dir ?? tempDir();
  const store = opts.store ?? (opts.databaseUrl ? 'postgres' : 'sqlite');
  const databaseUrl = store === 'postgres' ? opts.databaseUrl ?? (await freshDatabaseUrl()) : undefined;
  const pool = databaseUrl ? await migratedPool(databaseUrl) : undefined;
  const recordsOptions: RecordsOptions = { ...opts.records, ...(pool ? { pool } : {}) };
  const config = loadConfig({
    PORT: '0', STORAGE: 'sqlite', SQLITE_PATH: path.join(dir, 'triage.sqlite'), INTAKE_RECORDS: 'on',
    PUBLIC_URL: 'https://triage.example.org', ...env,
  });
  const logger = opts.logs
    ? createLogger({ logLevel: 'trace', logHealthData: false }, { write: (line: string) => { opts.logs!.push(line); } })
    : createLogger({ logLevel: 'silent', logHealthData: false });
  const records = opts.logs
    ? startRecords(config, logger, recordsOptions)!
    : new Records(config.records, recordsOptions);
  const core = triage();
  let conversation!: ReturnType<typeof mountConversation>;
  let faces!: ReturnType<typeof mountRecordsFaces>;
  const server = createServer({
    config, logger, triage: core, records,
    extraRoutes: (s) => {
      conversation = mountConversation(s, { config, logger, triage: core, records });
      // The web chat page and its local Direct Line, when a test talks as a person on the page.
      if (opts.channels) mountChannels(s, { config, logger, triage: core, bot: conversation.bot });
      faces = mountRecordsFaces(s, { records, logger, throttle: opts.throttle });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, dir, config, records, conversation, store, databaseUrl,
    sql: (text, values = []) => runSql(records, pool, text, values),
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
      await pool?.end();
      if (removeDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Adds a staff member straight into the records file (as `npm run staff -- add` does) and returns an API token. */
export async function addStaff(records: Records, name: string, o: { admin?: boolean; centre?: string; password?: string } = {}): Promise<{ token: string; password: string }> {
  const password = o.password ?? `pw-${name}-correct-horse`;
  await records.staff.add(name, password, { centre: o.centre ?? records.config.centres[0]!.id, admin: Boolean(o.admin) });
  return { token: await records.staff.newToken(name), password };
}

const SQLITE_TABLES: Record<string, string> = { intake_records: 'records', intake_audit: 'audit', alert_outbox: 'outbox', staff_accounts: 'staff', staff_tokens: 'tokens', staff_sessions: 'sessions' };

async function runSql(records: Records, pool: Pool | undefined, text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
  if (pool) return (await pool.query(text, values)).rows as Record<string, unknown>[];
  const sqlite = text.replace(/\b(intake_records|intake_audit|alert_outbox|staff_accounts|staff_tokens|staff_sessions)\b/g, (t) => SQLITE_TABLES[t]!).replace(/\$\d+/g, '?');
  const st = records.db!.prepare(sqlite);
  return st.reader ? (st.all(...values) as Record<string, unknown>[]) : (st.run(...values), []);
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
