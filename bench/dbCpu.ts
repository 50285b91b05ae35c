// CPU time a PostgreSQL server has used, from /proc (Linux): the postmaster found by its port, plus its children
// (live ones, and those already ended, which the postmaster's reaped-children counters hold). For the capacity model:
// database CPU per turn, so turns per second per database core.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function stat(pid: string): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), so index 0 is field 3 (state).
    return raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function postmasterOf(port: number): string | undefined {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (/postgres$/.test(cmd[0] ?? '') && cmd.includes('-p') && cmd[cmd.indexOf('-p') + 1] === String(port)) return pid;
    } catch { /* ended meanwhile */ }
  }
  return undefined;
}

/** Milliseconds of CPU the server on `port` has used so far, or undefined when it cannot be read (not Linux). */
export function databaseCpuMs(port: number): number | undefined {
  const root = postmasterOf(port);
  if (!root) return undefined;
  const rootStat = stat(root)!;
  // utime, stime, cutime, cstime are fields 14-17: indices 11-14 here.
  let ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(rootStat[i]), 0);
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const s = stat(pid);
    if (s && s[1] === root) ticks += Number(s[11]) + Number(s[12]);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
