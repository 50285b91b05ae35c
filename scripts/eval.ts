// npm run eval: the phrase bank's recall per finding and its clean controls, and the development vignettes' levels,
// read by the core exactly as POST /api/assess reads them. `--bank FILE` scores another bank of the same format.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { presentFindings, scoreBank, type BankItem } from '../src/eval/phrases.js';
import { createTriage, LEVELS, type Level } from '../src/triage/index.js';

const RED_FLAG_FINDINGS = new Set(['hallucinations', 'confusion-severe', 'hard-to-wake', 'breathing-problem', 'cyanosis', 'chest-pain', 'seizure', 'suicidal-intent', 'overdose']);
const args = process.argv.slice(2);
const arg = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const root = path.resolve(__dirname, '..');
const bankFile = arg('--bank') ?? path.join(root, 'test/fixtures/phrases-dev.json');
const vignetteFile = arg('--vignettes') ?? path.join(root, 'test/fixtures/vignettes-dev.json');
const verbose = args.includes('--misses');

const triage = createTriage();
const bank = JSON.parse(readFileSync(bankFile, 'utf8')) as (BankItem & { lang: string })[];
const score = scoreBank(bank, (item) => presentFindings(triage.assess({ symptoms: item.text, now: '2026-03-08T09:00:00-05:00' })));
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
console.log(`Phrase bank ${path.relative(process.cwd(), bankFile)}: ${bank.length} items`);
console.table(score.perFinding.map((f) => ({ finding: f.id, redFlag: RED_FLAG_FINDINGS.has(f.id) ? 'yes' : '', found: `${f.found}/${f.total}`, recall: pct(f.recall) })));
const red = score.perFinding.filter((f) => RED_FLAG_FINDINGS.has(f.id));
const other = score.perFinding.filter((f) => !RED_FLAG_FINDINGS.has(f.id));
const sum = (xs: typeof red, k: 'found' | 'total') => xs.reduce((n, f) => n + f[k], 0);
console.log(`red-flag findings: ${pct(sum(red, 'found') / sum(red, 'total'))} (lowest ${red.length ? pct(Math.min(...red.map((f) => f.recall))) : '-'}); others together: ${pct(sum(other, 'found') / sum(other, 'total'))}`);
console.log(`controls clean: ${score.controls.clean}/${score.controls.total} (${pct(score.controls.share)}); look-alikes clean: ${score.lookAlikes.clean}/${score.lookAlikes.total} (${pct(score.lookAlikes.share)})`);
if (verbose) {
  const byId = new Map(bank.map((b) => [b.id, b]));
  for (const f of score.perFinding) for (const id of f.missed) console.log(`  miss ${f.id}: ${id} ${JSON.stringify(byId.get(id)!.text)}`);
  for (const d of [...score.controls.dirty, ...score.lookAlikes.dirty]) console.log(`  dirty ${d.id} got ${d.got.join(',')}: ${JSON.stringify(byId.get(d.id)!.text)}`);
}

try {
  const vignettes = JSON.parse(readFileSync(vignetteFile, 'utf8')) as { id: string; now: string; locale: string; answers: Record<string, string>; followUps?: Record<string, string>; expect: { level: Level } }[];
  const rank = (l: Level) => LEVELS.indexOf(l);
  let exact = 0; let emergencies = 0; let emergencyHit = 0;
  const misses: string[] = [];
  for (const v of vignettes) {
    const a = triage.assess({ ...v.answers, followUps: v.followUps as never, now: v.now, locale: v.locale });
    if (a.level === v.expect.level) exact++;
    else misses.push(`${v.id}: gold ${v.expect.level}, got ${a.level}${rank(a.level) < rank(v.expect.level) ? ' (under)' : ''}`);
    if (v.expect.level === 'emergency') { emergencies++; if (a.level === 'emergency') emergencyHit++; }
  }
  console.log(`Vignettes ${path.relative(process.cwd(), vignetteFile)}: exact ${exact}/${vignettes.length} (${pct(exact / vignettes.length)}), emergency sensitivity ${emergencyHit}/${emergencies}`);
  for (const m of misses) console.log(`  ${m}`);
} catch (e) {
  console.log(`Vignettes: ${(e as Error).message}`);
}
