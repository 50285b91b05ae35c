// Vignette sets (the shared dev vignettes, and the addiction-treatment intake vignettes) through POST /api/assess on
// the real server. Each set on its own: 100% emergency sensitivity and at least 90% exact level.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEVELS, type Assessment, type Level } from '../src/triage/index.js';
import { vignetteSets, type Vignette } from './devVignettes.js';
import { startServer, type RunningServer } from './helpers.js';

const rank = (l: Level) => LEVELS.indexOf(l);

let srv: RunningServer | undefined;
beforeAll(async () => { srv = await startServer(); });
afterAll(async () => { await srv?.close(); });

function printTable(name: string, vignettes: Vignette[], results: Map<string, Assessment>): void {
  const rows = [...LEVELS].reverse().map((level) => {
    const gold = vignettes.filter((v) => v.expect.level === level);
    const exact = gold.filter((v) => results.get(v.id)!.level === level).length;
    return {
      level,
      gold: gold.length,
      got: vignettes.filter((v) => results.get(v.id)!.level === level).length,
      exact: gold.length ? `${exact}/${gold.length} (${Math.round((100 * exact) / gold.length)}%)` : '-',
      underByOne: gold.filter((v) => rank(results.get(v.id)!.level) === rank(level) - 1).length,
    };
  });
  console.log(`Vignettes (${name}) by gold level:`);
  console.table(rows);
  const misses = vignettes.filter((v) => results.get(v.id)!.level !== v.expect.level);
  for (const v of misses) console.log(`  ${v.id}: gold ${v.expect.level}, got ${results.get(v.id)!.level}`);
}

describe.each(vignetteSets.map((s) => [s.name, s] as const))('%s vignettes through /api/assess', (name, set) => {
  const { file, present, vignettes } = set;
  const results = new Map<string, Assessment>();

  beforeAll(async () => {
    if (!present) throw new Error(`${file} not found: run scripts/refresh-fixtures.sh`);
    for (const v of vignettes) {
      const res = await srv!.post('/api/assess', { ...v.answers, followUps: v.followUps, now: v.now, locale: v.locale });
      if (res.status !== 200) throw new Error(`${v.id}: HTTP ${res.status} ${await res.text()}`);
      results.set(v.id, await res.json() as Assessment);
    }
    printTable(name, vignettes, results);
  });

  it('finds its vignettes in the repository', () => {
    expect(present, `${file} not found`).toBe(true);
    expect(vignettes.length).toBeGreaterThan(0);
  });

  it('never under-triages an emergency', () => {
    const under = vignettes
      .filter((v) => v.expect.level === 'emergency' && results.get(v.id)!.level !== 'emergency')
      .map((v) => `${v.id} got ${results.get(v.id)!.level}`);
    expect(under).toEqual([]);
  });

  it('agrees exactly on at least 90% of levels', () => {
    const exact = vignettes.filter((v) => results.get(v.id)!.level === v.expect.level).length;
    expect(exact / vignettes.length).toBeGreaterThanOrEqual(0.9);
  });

  it.each(vignettes.map((v) => [v.id, v] as const))('%s: expected red flags, medications and patterns', (id, v) => {
    const a = results.get(id)!;
    const ctx = `${id} (got level ${a.level})`;
    const flags = a.redFlags.map((r) => r.id);
    for (const flag of v.expect.redFlags ?? []) expect.soft(flags, `${ctx}: red flag ${flag}`).toContain(flag);
    const meds = a.findings.medications.map((m) => m.name);
    for (const med of v.expect.medications ?? []) expect.soft(meds, `${ctx}: medication ${med}`).toContain(med);
    for (const med of v.expect.notMedications ?? []) expect.soft(meds, `${ctx}: must not find ${med}`).not.toContain(med);
    for (const [pattern, status] of Object.entries(v.expect.patterns ?? {})) {
      const got = a.patterns.find((p) => p.id === pattern)?.status ?? 'absent';
      expect.soft(got, `${ctx}: pattern ${pattern}`).toBe(status);
    }
  });
});
