// Start-up to /healthz: what `npm start` runs after its build, against a bare Node HTTP server (bench/bare-healthz.cjs)
// started the same way in the same run, taken in turn so that a busy moment on the machine falls on both; medians.
// Then a person's first turn (the bot and the Bot Framework SDK are built just after listening): sent the moment
// /healthz first says 200 (it waits for that build), and a second later (as a person who opens the page arrives).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './stats';

const ROOT = path.join(__dirname, '..');
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
/** Start-up target: within this many times a bare Node HTTP server's. */
const TARGET_RATIO = 4;

/** The node command `npm start` ends with, after its build: `node <file>` becomes [<file>]. */
export function startCommand(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const last = scripts.start!.split('&&').at(-1)!.trim().split(/\s+/);
  if (last[0] !== 'node') throw new Error(`npm start does not end with a node command: ${scripts.start}`);
  return last.slice(1);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

function request(port: number, method: string, url: string, body?: object): Promise<{ status: number; text: string }> {
  const data = body ? JSON.stringify(body) : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: url, method, agent: false,
      headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

interface Started { healthzMs: number; firstTurnMs?: number }

/** Spawns `node <args>` and polls /healthz every 2 ms until it answers 200; then times a first turn `firstTurnAfter`
 * ms later (none when undefined). */
async function startOnce(args: string[], env: Record<string, string>, firstTurnAfter?: number): Promise<Started> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'ignore', env: { ...process.env, ...env, PORT: String(port) } });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    let healthzMs: number | undefined;
    while (healthzMs === undefined) {
      const status = await request(port, 'GET', '/healthz').then((r) => r.status, () => 0);
      if (status === 200) healthzMs = performance.now() - t0;
      else if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
      else if (performance.now() - t0 > 20_000) throw new Error(`${args.join(' ')} did not answer /healthz`);
      else await new Promise((r) => setTimeout(r, 2));
    }
    if (firstTurnAfter === undefined) return { healthzMs };
    if (firstTurnAfter) await new Promise((r) => setTimeout(r, firstTurnAfter));
    const t1 = performance.now();
    const reply = await request(port, 'POST', '/api/messages', {
      type: 'message', id: 'm1', channelId: 'emulator', serviceUrl: 'http://localhost:1', deliveryMode: 'expectReplies',
      conversation: { id: 'startup-bench' }, from: { id: 'u' }, recipient: { id: 'bot' }, text: 'hi', localTimestamp: '2026-03-08T09:00:00-05:00',
    });
    const firstTurnMs = performance.now() - t1;
    if (reply.status !== 200 || !reply.text.includes('"activities"')) throw new Error(`first turn: HTTP ${reply.status}`);
    return { healthzMs, firstTurnMs };
  } finally {
    child.kill();
    await exited;
  }
}

export async function benchStartup(): Promise<void> {
  // The build `npm start` runs first; not timed (a deploy builds once).
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore' });
  const app = startCommand();
  const dir = mkdtempSync(path.join(tmpdir(), 'triage-startup-'));
  const bare: number[] = [];
  const bot: Started[] = [];
  const later: number[] = [];
  // A new SQLite file each time, as on a fresh clone; the default log level, as a plain `npm start` has it.
  const env = (run: string) => ({ SQLITE_PATH: path.join(dir, `startup-${run}.sqlite`), LOG_LEVEL: 'info', INTAKE_API_KEY: '' });
  try {
    for (let i = 0; i < RUNS; i++) {
      bare.push((await startOnce([path.join(__dirname, 'bare-healthz.cjs')], {})).healthzMs);
      bot.push(await startOnce(app, env(`${i}`), 0));
    }
    for (let i = 0; i < RUNS; i++) later.push((await startOnce(app, env(`later-${i}`), 1000)).firstTurnMs!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  const bareMs = median(bare);
  const botMs = median(bot.map((b) => b.healthzMs));
  const ratio = botMs / bareMs;
  console.log(`\nStart-up to /healthz answering 200 (median of ${RUNS}, taken in turn in this run):`);
  console.log(`  bare Node http server: ${bareMs.toFixed(0)} ms (${list(bare)})`);
  console.log(`  triage bot (node ${app.join(' ')}): ${botMs.toFixed(0)} ms (${list(bot.map((b) => b.healthzMs))})`);
  console.log(`  ratio ${ratio.toFixed(2)}x (target ≤ ${TARGET_RATIO}x: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'})`);
  console.log('  first turn (POST /api/messages "hi", expectReplies), median of 5:');
  console.log(`    sent when /healthz first says 200: ${median(bot.map((b) => b.firstTurnMs!)).toFixed(0)} ms (${list(bot.map((b) => b.firstTurnMs!))})`);
  console.log(`    sent a second later: ${median(later).toFixed(0)} ms (${list(later)})`);
}

if (require.main === module) void benchStartup();
