// The lay-phrase bank through POST /api/assess on the real server: each phrase is the symptoms answer (no
// medications); a finding counts when reported present (not negated, the patient's, current). Thresholds from the
// understanding issue: every red-flag finding at least 95% recall, the others together at least 90%, controls at
// least 95% clean. The table is printed so a change can be compared finding by finding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presentFindings, scoreBank, type BankScore } from '../src/eval/phrases.js';
import type { Assessment } from '../src/triage/index.js';
import { startServer, type RunningServer } from './helpers.js';
import { loadPhraseBank, phraseBankFile } from './phraseBank.js';

const RED_FLAG_FINDINGS = ['hallucinations', 'confusion-severe', 'hard-to-wake', 'breathing-problem', 'cyanosis', 'chest-pain', 'seizure', 'suicidal-intent', 'overdose'];
const bank = loadPhraseBank();
let srv: RunningServer;
let score: BankScore;

beforeAll(async () => {
  srv = await startServer();
  const got = new Map<string, string[]>();
  for (const item of bank) {
    const res = await srv.post('/api/assess', { symptoms: item.text, now: '2026-03-08T09:00:00-05:00', locale: item.lang === 'es' ? 'es-US' : 'en-US' });
    if (res.status !== 200) throw new Error(`${item.id}: HTTP ${res.status}`);
    got.set(item.id, presentFindings(await res.json() as Assessment));
  }
  score = scoreBank(bank, (item) => got.get(item.id)!);
  console.log(`Phrase bank ${phraseBankFile}`);
  console.table(score.perFinding.map((f) => ({ finding: f.id, found: `${f.found}/${f.total}`, recall: `${Math.round(100 * f.recall)}%` })));
  console.log(`controls clean ${score.controls.clean}/${score.controls.total}; look-alikes clean ${score.lookAlikes.clean}/${score.lookAlikes.total}`);
}, 120_000);
afterAll(async () => { await srv?.close(); });

describe('lay-phrase bank through /api/assess', () => {
  it('has phrases for every red-flag finding and controls', () => {
    for (const id of RED_FLAG_FINDINGS) expect(score.perFinding.find((f) => f.id === id)?.total ?? 0, id).toBeGreaterThan(5);
    expect(score.controls.total).toBeGreaterThan(50);
  });

  it.each(RED_FLAG_FINDINGS)('red-flag finding %s: at least 95% recall', (id) => {
    const f = score.perFinding.find((x) => x.id === id)!;
    expect(f.recall, `${id} missed ${f.missed.join(', ')}`).toBeGreaterThanOrEqual(0.95);
  });

  it('the other findings together: at least 90% recall', () => {
    const others = score.perFinding.filter((f) => !RED_FLAG_FINDINGS.includes(f.id));
    const found = others.reduce((n, f) => n + f.found, 0);
    const total = others.reduce((n, f) => n + f.total, 0);
    expect(found / total, others.filter((f) => f.recall < 0.9).map((f) => `${f.id} ${f.found}/${f.total}`).join('; ')).toBeGreaterThanOrEqual(0.9);
  });

  it('controls: at least 95% report none of what they must not', () => {
    expect(score.controls.share, score.controls.dirty.map((d) => `${d.id}: ${d.got.join(',')}`).join('; ')).toBeGreaterThanOrEqual(0.95);
  });

  it('look-alikes on positive phrases: at least 95% clean', () => {
    expect(score.lookAlikes.share, score.lookAlikes.dirty.map((d) => `${d.id}: ${d.got.join(',')}`).join('; ')).toBeGreaterThanOrEqual(0.95);
  });
});
