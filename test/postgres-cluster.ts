// A real PostgreSQL server for the tests that need one: a throw-away cluster (initdb + pg_ctl from Debian's
// `postgresql` package) in a temporary folder, on a free loopback port, removed afterwards. With DATABASE_URL set,
// the tests use that server instead and each gets a database of its own, dropped afterwards.
//
// Root cannot run PostgreSQL: as root the cluster belongs to the `postgres` user (runuser), as CI and this
// workplace run.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  /** postgres://… of a database nobody else uses. */
  url: string;
  /** Stops the server (the database becomes unreachable) without losing its data; throw-away clusters only. */
  stopServer(): void;
  /** Starts it again on the same port. */
  startServer(): void;
  /** Drops the database, or stops and removes the throw-away cluster. */
  remove(): Promise<void>;
}

export interface ClusterOptions {
  /** Durable settings (fsync, synchronous commit) as a production server has them; tests default to fast ones. */
  durable?: boolean;
}

/** The folder of PostgreSQL's server programs: on PATH, or Debian's /usr/lib/postgresql/<version>/bin. */
export function postgresBinDir(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).stdout.trim();
  if (onPath && existsSync(path.join(path.dirname(onPath), 'initdb'))) return path.dirname(onPath);
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(path.join(root, v, 'bin', 'initdb'))) return path.join(root, v, 'bin');
  throw new Error('PostgreSQL is not installed: the database tests need initdb and pg_ctl (Debian: apt-get install postgresql), or DATABASE_URL naming a server');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL program as a user allowed to (the `postgres` user when this process is root). */
function runAsOwner(bin: string, args: string[]): void {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A database of its own for one test file: a fresh cluster, or a new database on DATABASE_URL's server. */
export async function startTestDatabase(options: ClusterOptions = {}): Promise<TestDatabase> {
  const external = process.env.DATABASE_URL;
  if (external) return createDatabaseOn(external);
  return startCluster(options);
}

async function startCluster(options: ClusterOptions): Promise<TestDatabase> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(path.join(tmpdir(), 'triage-pg-'));
  const data = path.join(dir, 'data');
  if (asRoot) {
    const ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  runAsOwner(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const port = await freePort();
  const settings = [
    `-p ${port}`, "-c listen_addresses=127.0.0.1", `-k ${dir}`, '-c max_connections=200',
    ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ].join(' ');
  const log = path.join(dir, 'server.log');
  const start = () => runAsOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-o', settings, '-l', log, '-w', '-t', '60', 'start']);
  const stop = () => runAsOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
  start();
  let running = true;
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    stopServer: () => { if (running) { stop(); running = false; } },
    startServer: () => { if (!running) { start(); running = true; } },
    remove: async () => {
      try { if (running) stop(); } catch { /* already gone */ }
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createDatabaseOn(serverUrl: string): Promise<TestDatabase> {
  const name = `triage_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const unsupported = () => { throw new Error('stopping the server needs the throw-away cluster (leave DATABASE_URL unset)'); };
  return {
    url: url.toString(),
    stopServer: unsupported,
    startServer: unsupported,
    remove: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
