// Scores a lay-phrase bank against the findings the core reports: recall per finding id and the share of clean
// controls (items with no finding, and the mustNot lists of the others). Used by `npm run eval` and the tests.
import type { Assessment } from '../triage/index.js';

export interface BankItem { id: string; text: string; findings: string[]; mustNot: string[] }
export interface FindingScore { id: string; found: number; total: number; recall: number; missed: string[] }
export interface CleanShare { clean: number; total: number; share: number; dirty: { id: string; got: string[] }[] }
export interface BankScore {
  perFinding: FindingScore[];
  /** Controls (items with no finding): clean when none of their mustNot ids is reported. */
  controls: CleanShare;
  /** Positive items that also list look-alikes: clean when none of those is reported. */
  lookAlikes: CleanShare;
}

/** Ids present in an assessment: not negated, the patient's, happening now (the bank's README). */
export function presentFindings(a: Pick<Assessment, 'findings'>): string[] {
  return [...new Set(a.findings.symptoms
    .filter((s) => !s.negated && s.experiencer !== 'other' && (s.temporality ?? 'current') === 'current')
    .map((s) => s.id))];
}

export function scoreBank(items: BankItem[], present: (item: BankItem) => string[]): BankScore {
  const per = new Map<string, FindingScore>();
  const controls: CleanShare = { clean: 0, total: 0, share: 1, dirty: [] };
  const lookAlikes: CleanShare = { clean: 0, total: 0, share: 1, dirty: [] };
  for (const item of items) {
    const got = present(item);
    for (const f of item.findings) {
      const s = per.get(f) ?? { id: f, found: 0, total: 0, recall: 0, missed: [] };
      s.total++;
      if (got.includes(f)) s.found++;
      else s.missed.push(item.id);
      per.set(f, s);
    }
    const tally = item.findings.length === 0 ? controls : item.mustNot.length ? lookAlikes : undefined;
    if (tally) {
      tally.total++;
      const bad = item.mustNot.filter((m) => got.includes(m));
      if (bad.length === 0) tally.clean++;
      else tally.dirty.push({ id: item.id, got: bad });
    }
  }
  const perFinding = [...per.values()].map((s) => ({ ...s, recall: s.total ? s.found / s.total : 1 }))
    .sort((a, b) => a.id.localeCompare(b.id));
  for (const t of [controls, lookAlikes]) t.share = t.total ? t.clean / t.total : 1;
  return { perFinding, controls, lookAlikes };
}
