// Symptom mentions from the lay phrases in knowledge/findings.json, each with its ConText status.
import type { Finding } from './knowledge/schema.js';
import type { ReadClause } from './reader.js';
import type { SymptomFinding } from './types.js';

interface CompiledFinding { id: string; pattern: RegExp; quick: RegExp }
export interface PhraseMatch { id: string; text: string; start: number; end: number }

/** The pattern without its lookbehinds: a cheaper test that any full match must also pass. */
function withoutLookbehinds(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    if (source[i] === '\\') { out += source.slice(i, i + 2); i++; continue; }
    if (source.startsWith('(?<!', i) || source.startsWith('(?<=', i)) {
      let depth = 0;
      for (; i < source.length; i++) {
        if (source[i] === '\\') { i++; continue; }
        if (source[i] === '(') depth++;
        else if (source[i] === ')' && --depth === 0) break;
      }
      continue;
    }
    out += source[i];
  }
  return out;
}

export class SymptomMatcher {
  private readonly compiled: CompiledFinding[];

  constructor(findings: Finding[]) {
    // One alternation per finding, English and Spanish together: people mix languages within a message.
    // Lookbehinds are tried at every position, so a clause is first screened without them.
    this.compiled = findings.map((f) => {
      const source = [...f.en, ...f.es].join('|');
      return {
        id: f.id,
        pattern: new RegExp(`\\b(?:${source})\\b`, 'gi'),
        quick: new RegExp(`\\b(?:${withoutLookbehinds(source)})\\b`, 'i'),
      };
    });
  }

  /** Phrase matches in one clause: the costly part (about 40 large patterns), and a pure function of the text. */
  matches(text: string): PhraseMatch[] {
    const found: PhraseMatch[] = [];
    for (const { id, pattern, quick } of this.compiled) {
      if (!quick.test(text)) continue;
      for (const m of text.matchAll(pattern)) {
        if (m[0].trim()) found.push({ id, text: m[0], start: m.index, end: m.index + m[0].length });
      }
    }
    return found;
  }
}

/** Symptom mentions of the clauses, each with its ConText status, one per phrase and status. */
export function findSymptoms(clauses: ReadClause[], patientRelation: string | undefined): SymptomFinding[] {
  const out: SymptomFinding[] = [];
  const seen = new Set<string>();
  clauses.forEach((clause, i) => {
    const next = clauses[i + 1]?.sentence === clause.sentence ? clauses[i + 1].text : undefined;
    for (const m of clause.reading.symptoms) {
      const ctx = clause.reading.context(m.start, m.end, patientRelation, next);
      const key = `${m.id}|${m.text}|${ctx.negated}|${ctx.experiencer}|${ctx.temporality}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ id: m.id, text: m.text.trim(), negated: ctx.negated, experiencer: ctx.experiencer, temporality: ctx.temporality });
    }
  });
  return out;
}

/** Mentions that count: affirmed, about the patient, happening now. */
export function isPresent(s: SymptomFinding): boolean {
  return !s.negated && s.experiencer !== 'other' && s.temporality === 'current';
}
