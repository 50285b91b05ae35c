// Turn cost through /api/messages (expectReplies), 20 concurrent conversations, same client for every server:
// bare restify (the machine's limit), a minimal botbuilder bot (the SDK's floor), the triage bot on SQLite, and on
// PostgreSQL with one instance and with two (turns alternating between them), with database round trips per turn.
// Also: memory and stored state with 1,000 conversations held half-way. Start-up is bench/startup.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { median, percentile } from './stats';
import { startTestDatabase } from '../test/postgres-cluster';
import { databaseCpuMs } from './dbCpu';

const CONCURRENCY = 20;
const WARMUP_MS = 1500;
/** Load each server takes once, before the measured rounds. */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 6000);
const MEASURE_MS = Number(process.env.BENCH_MS ?? 4000);
/** Rounds per server, taken in turn (bare, minimal, triage, bare, ...) so that a busy moment on the machine does not
 * fall on one server only; medians are reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

interface Reply { activities?: { type: string; channelData?: { triage?: { question?: string } } }[] }

function post(port: number, body: object): Promise<Reply> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/messages', method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text || '{}')) : reject(new Error(`HTTP ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(data);
  });
}

let seq = 0;
const activity = (conv: string, text: string) => ({
  type: 'message', id: `m${++seq}`, channelId: 'webchat', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies',
  conversation: { id: conv }, from: { id: 'u' }, recipient: { id: 'bot' }, text, localTimestamp: '2026-03-08T09:00:00-05:00',
});

/**
 * A person's answers, different in each conversation (doses, times), so that reading a new message costs what it
 * costs in real use, where the core's clause caches only help with answers it has already read.
 */
function script(n: number): Record<string, string> {
  const ssri = 25 + (n % 151);
  const tramadol = 25 + (n % 176);
  return {
    medications: `sertraline ${ssri} mg and tramadol ${tramadol} mg for my knee`,
    doseChanges: `started the tramadol ${tramadol} mg ${2 + (n % 3)} days ago`,
    symptoms: `sweating, shaky hands and diarrhoea since about ${5 + (n % 6)}:${String(n % 60).padStart(2, '0')} this morning`,
    temperature: `37.${n % 10}`,
    screen: 'none',
  };
}

/** One whole conversation; every request is a timed turn. With several ports (instances), turns alternate between
 * them, as behind a load balancer without sticky sessions. */
async function conversation(kind: string, ports: number[], latencies: number[], stop: () => boolean): Promise<void> {
  const n = ++seq;
  const conv = `${kind}-${n}-${Math.random().toString(36).slice(2, 8)}`;
  const answers = script(n);
  let text = 'hi';
  for (let turn = 0; turn < 20 && !stop(); turn++) {
    const t0 = performance.now();
    const port = ports[(n + turn) % ports.length]!;
    const reply = await post(port, kind === 'bare' ? { conversation: { id: conv }, text } : activity(conv, text));
    latencies.push(performance.now() - t0);
    if (kind === 'bare' && turn >= 3) return;
    if (kind === 'minimal' && turn >= 3) return;
    if (kind === 'triage') {
      const q = reply.activities?.map((a) => a.channelData?.triage?.question).filter(Boolean).at(-1);
      if (!q || q === 'restart') return;
      text = answers[q] ?? 'not sure';
    } else text = `answer ${turn}`;
  }
}

/** `cpuUs`: the servers' CPU time per turn, which other work on a shared machine moves far less than turns per second. */
interface Load { tps: number; p50: number; p99: number; turns: number; cpuUs: number }

async function load(kind: string, procs: { child: ChildProcess; port: number }[], warmupMs = WARMUP_MS): Promise<Load> {
  const ports = procs.map((p) => p.port);
  const cpuNow = async () => (await Promise.all(procs.map((p) => cpuOf(p.child)))).reduce((n, c) => n + c.user + c.system, 0);
  const run = async (ms: number) => {
    const latencies: number[] = [];
    const end = performance.now() + ms;
    const stop = () => performance.now() > end;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (!stop()) await conversation(kind, ports, latencies, stop); }));
    return { latencies, secs: (performance.now() - t0) / 1000 };
  };
  const warm = await run(warmupMs);
  const before = await cpuNow();
  const { latencies, secs } = await run(MEASURE_MS);
  latencies.sort((a, b) => a - b);
  const cpuUs = ((await cpuNow()) - before) / latencies.length;
  return { tps: latencies.length / secs, p50: percentile(latencies, 50), p99: percentile(latencies, 99), turns: warm.latencies.length + latencies.length, cpuUs };
}

/** Database round trips an instance has made (0 without PostgreSQL). */
function roundTripsOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const answer = (m: unknown) => {
      if (typeof m !== 'object' || m === null || !('roundTrips' in m)) return;
      child.off('message', answer);
      resolve((m as { roundTrips: number }).roundTrips);
    };
    child.on('message', answer);
    child.send('roundTrips');
  });
}

function start(kind: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--no-deprecation', '--expose-gc', '--import', 'tsx', path.join(__dirname, 'servers.ts'), kind], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve({ child, port: Number(String(d).trim()) }));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

/** The server's CPU time so far (user and system, microseconds). */
function cpuOf(child: ChildProcess): Promise<NodeJS.CpuUsage> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      if ((m as { cpu?: NodeJS.CpuUsage }).cpu) {
        child.off('message', onMessage);
        resolve((m as { cpu: NodeJS.CpuUsage }).cpu);
      }
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

/** The server's memory after a full collection: what it really holds, not what V8 has yet to give back. */
function memoryOf(child: ChildProcess): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as NodeJS.MemoryUsage));
    child.send('memory');
  });
}
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

export async function benchTurns(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'triage-bench-'));
  try {
    const kinds = ['bare', 'minimal', 'triage'] as const;
    // PostgreSQL: a throw-away cluster with a production server's durable settings (fsync, synchronous commit).
    const db = await startTestDatabase({ durable: true });
    const pgEnv = { STORAGE: 'postgres', DATABASE_URL: db.url };
    const servers = await Promise.all(kinds.map((kind) => start(kind, { SQLITE_PATH: path.join(dir, 'turns.sqlite') })));
    const pgServers = await Promise.all([start('triage', pgEnv), start('triage', pgEnv)]);
    const targets: [string, string, { child: ChildProcess; port: number }[]][] = [
      ...kinds.map((k, i): [string, string, { child: ChildProcess; port: number }[]] => [k === 'triage' ? 'triage (SQLite)' : k, k, [servers[i]!]]),
      ['triage (PostgreSQL, 1 instance)', 'triage', pgServers.slice(0, 1)],
      ['triage (PostgreSQL, 2 instances)', 'triage', pgServers],
    ];
    const dbPort = Number(new URL(db.url).port);
    const rounds: Record<string, (Load & { roundTrips: number; dbCpuMs: number })[]> = Object.fromEntries(targets.map(([name]) => [name, []]));
    try {
      // Each server first runs long enough for V8 to have compiled its hot code (a bot with more code than the SDK's
      // minimal one takes longer), so that the rounds compare servers in the steady state a long-running server is in.
      for (const [, kind, procs] of targets) await load(kind, procs, SETTLE_MS);
      for (let r = 0; r < ROUNDS; r++) {
        for (const [name, kind, procs] of targets) {
          const trips = async () => (await Promise.all(procs.map((p) => roundTripsOf(p.child)))).reduce((x, y) => x + y, 0);
          const before = await trips();
          const cpuBefore = name.includes('PostgreSQL') ? databaseCpuMs(dbPort) : undefined;
          const result = await load(kind, procs);
          const cpu = cpuBefore === undefined ? NaN : (databaseCpuMs(dbPort)! - cpuBefore) / result.turns;
          rounds[name]!.push({ ...result, roundTrips: ((await trips()) - before) / result.turns, dbCpuMs: cpu });
        }
      }
    } finally {
      for (const { child } of [...servers, ...pgServers]) child.kill();
      await Promise.all([...servers, ...pgServers].map(({ child }) => new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)))));
      await db.remove();
    }
    const results: Record<string, Load & { roundTrips: number; dbCpuMs: number }> = Object.fromEntries(targets.map(([k]) => [k, {
      tps: median(rounds[k]!.map((x) => x.tps)), p50: median(rounds[k]!.map((x) => x.p50)), p99: median(rounds[k]!.map((x) => x.p99)),
      turns: 0, roundTrips: median(rounds[k]!.map((x) => x.roundTrips)), dbCpuMs: median(rounds[k]!.map((x) => x.dbCpuMs)),
      cpuUs: median(rounds[k]!.map((x) => x.cpuUs)),
    }]));
    console.log(`\nTurn cost through /api/messages (expectReplies, 20 concurrent conversations; each server settled for ${(SETTLE_MS / 1000).toFixed(0)} s first; median of ${ROUNDS} interleaved rounds;`
      + ' with 2 instances the turns of each conversation alternate between them):');
    console.table(Object.fromEntries(Object.entries(results).map(([k, r]) => [k, {
      'turns/s': Math.round(r.tps), 'p50 ms': +r.p50.toFixed(2), 'p99 ms': +r.p99.toFixed(2), 'server CPU µs/turn': Math.round(r.cpuUs),
      'DB round trips/turn': k.includes('PostgreSQL') ? +r.roundTrips.toFixed(2) : '',
      'DB CPU ms/turn': Number.isFinite(r.dbCpuMs) ? +r.dbCpuMs.toFixed(3) : '',
    }])));
    const dbCpu = results['triage (PostgreSQL, 1 instance)']!.dbCpuMs;
    if (Number.isFinite(dbCpu)) console.log(`capacity: one database core carries about ${Math.round(1000 / dbCpu)} turns/s (its CPU per turn, warm-up included, under this load)`);
    results.triage = results['triage (SQLite)']!;
    const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)} %`;
    console.log(`minimal bot / bare restify: ${pct(results.minimal!.tps, results.bare!.tps)}`);
    console.log(`triage bot / bare restify:  ${pct(results.triage!.tps, results.bare!.tps)}`);
    console.log(`triage bot / minimal bot:   ${pct(results.triage!.tps, results.minimal!.tps)} (target ≥ 100 %; p99 target < 30 ms: ${results.triage!.p99.toFixed(1)} ms)`);
    // Turns per second follow whatever else the machine runs; the CPU each server spends on a turn much less.
    console.log(`server CPU per turn, triage bot / minimal bot: ${pct(results.triage!.cpuUs, results.minimal!.cpuUs)} (lower is cheaper)`);

    // 1,000 conversations held half-way (greeted, medicines and dose changes answered).
    const sqlite = path.join(dir, 'held.sqlite');
    const { child, port } = await start('triage', { SQLITE_PATH: sqlite });
    try {
      const before = await memoryOf(child);
      for (let i = 0; i < 1000; i += CONCURRENCY) {
        await Promise.all(Array.from({ length: CONCURRENCY }, async (_, j) => {
          const conv = `held-${i + j}`;
          const answers = script(i + j);
          for (const text of ['hi', answers.medications!, answers.doseChanges!]) await post(port, activity(conv, text));
        }));
      }
      const after = await memoryOf(child);
      // The server holds its file exclusively (one process per SQLite file): read it once the server has stopped.
      await new Promise((resolve) => { child.once('exit', resolve); child.kill(); });
      const db = new Database(sqlite);
      const { n, bytes } = db.prepare('SELECT COUNT(*) AS n, SUM(LENGTH(data)) AS bytes FROM items').get() as { n: number; bytes: number };
      db.close();
      console.log(`1,000 held conversations: stored state ${(bytes / n / 1024).toFixed(2)} KB per conversation (${n} rows; target < 5 KB); `
        + `live heap after a full GC ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB (${((after.heapUsed - before.heapUsed) / 1000 / 1024).toFixed(1)} KB per conversation, caches included); `
        + `RSS ${mb(before.rss)} → ${mb(after.rss)} MB`);
    } finally {
      child.kill();
    }
  } finally {
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void benchTurns();
