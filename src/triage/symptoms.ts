// Symptom mentions: a sentence's tokens → lexicon classes → the findings' patterns (knowledge/findings/) and amounts
// taken at once → negation over the tokens. Who and when (experiencer, history, hypothetical) are read per clause
// afterwards, since they depend on who the whole answer is about.
import type { Lexicon, Occurrence, Token } from './lexicon.js';
import { NEGATION_CLASSES, NegationScopes } from './negation.js';
import { indexOccurrences, PatternMatcher, type Pattern, type PatternMatch } from './patterns.js';
import { readIntakes, type QuantityRule } from './quantities.js';
import type { ReadClause } from './reader.js';
import type { SymptomFinding } from './types.js';

/** A finding seen in a sentence; offsets are characters of the normalised sentence. */
export interface SentenceMention {
  id: string;
  text: string;
  start: number;
  end: number;
  negated: boolean;
}

/** An amount taken at once whose strength must be checked against the drug's maximum dose (extract.ts does it). */
export interface SentenceIntake { count: number; strengthMg: number; text: string; start: number; end: number; negated: boolean }

export interface SentenceReading { mentions: SentenceMention[]; intakes: SentenceIntake[] }

export class SymptomReader {
  private readonly matcher: PatternMatcher;
  private readonly fallbacks: Set<string>;

  constructor(private readonly lexicon: Lexicon, findings: { id: string; patterns: Pattern[]; fallback?: boolean }[], private readonly quantity?: QuantityRule) {
    this.matcher = new PatternMatcher(findings);
    this.fallbacks = new Set(findings.filter((f) => f.fallback).map((f) => f.id));
  }

  /** One slice of the look-ups built after start-up (typos); true once all are built. */
  prepare(budgetMs?: number): boolean {
    return this.lexicon.prepareTypos(budgetMs);
  }

  /**
   * Words of a drug's name are not symptoms ("cough syrup", "sleeping pills"); a fallback finding counts only where
   * no other finding or drug name covers the same words.
   */
  private withoutDrugNamesAndCovered(all: PatternMatch[], drugs: Occurrence[], n: number): PatternMatch[] {
    const drug = spanFlags(n, drugs);
    const kept = drugs.length ? all.filter((m) => !(drug.covered[m.start] && drug.coverEnd[m.start] >= m.end && drugs.some((d) => d.start <= m.start && d.end >= m.end))) : all;
    if (!this.fallbacks.size || !kept.some((m) => this.fallbacks.has(m.id))) return kept;
    const other = spanFlags(n, kept.filter((m) => !this.fallbacks.has(m.id)));
    return kept.filter((m) => !this.fallbacks.has(m.id) || !coveredBy(m, other.covered, drug.covered));
  }

  /** The sentence opens by denying what was said just before ("...nada de eso, la verdad", "None of that."). */
  deniesWhatCameBefore(sentence: string): boolean {
    const tokens = this.lexicon.tokenize(sentence).slice(0, 8);
    const index = indexOccurrences(this.lexicon.annotate(tokens));
    const pseudo = index.get(NEGATION_CLASSES.pseudo) ?? [];
    return (index.get(NEGATION_CLASSES.summary) ?? []).some((o) => o.start === 0 && !pseudo.some((p) => p.start === 0));
  }

  read(sentence: string): SentenceReading {
    const tokens = this.lexicon.tokenize(sentence);
    if (!tokens.length) return { mentions: [], intakes: [] };
    const index = indexOccurrences(this.lexicon.annotate(tokens));
    const matches = this.withoutDrugNamesAndCovered(this.matcher.matches(index), index.get('DRUG') ?? [], tokens.length);
    const intakes = this.quantity ? readIntakes(tokens, index, this.quantity) : [];
    const elements = new Set<number>();
    for (const m of matches) for (const e of m.elements) elements.add(e);
    const negation = new NegationScopes(tokens, index, elements);
    const mentions: SentenceMention[] = matches.map((m) => ({
      id: m.id, text: textOf(sentence, tokens, m.start, m.end), start: tokens[m.start].start, end: tokens[m.end - 1].end,
      negated: negation.negates(m.start, m.end, m.elements),
    }));
    const measured: SentenceIntake[] = [];
    for (const intake of intakes) {
      const negated = negation.negates(intake.start, intake.end, []);
      const span = { text: textOf(sentence, tokens, intake.start, intake.end), start: tokens[intake.start].start, end: tokens[intake.end - 1].end };
      if (intake.count >= this.quantity!.tabletsAtOnce) mentions.push({ id: this.quantity!.finding, ...span, negated });
      else if (intake.strengthMg !== undefined) measured.push({ count: intake.count, strengthMg: intake.strengthMg, ...span, negated });
    }
    return { mentions, intakes: measured };
  }
}

/** The words of tokens [start, end) as written in the sentence. */
function textOf(sentence: string, tokens: Token[], start: number, end: number): string {
  return sentence.slice(tokens[start].start, tokens[end - 1].end);
}

/** Whether any token of the match is covered by one of the flag sets. */
function coveredBy(m: PatternMatch, a: Uint8Array, b: Uint8Array): boolean {
  for (let i = m.start; i < m.end; i++) if (a[i] || b[i]) return true;
  return false;
}

/** Token flags per sentence, so that each check below is one look-up rather than a scan of every other match. */
function spanFlags(n: number, spans: { start: number; end: number }[]): { covered: Uint8Array; coverEnd: Int32Array } {
  const covered = new Uint8Array(n);
  const coverEnd = new Int32Array(n);
  for (const sp of spans) {
    for (let i = sp.start; i < sp.end; i++) { covered[i] = 1; if (sp.end > coverEnd[i]) coverEnd[i] = sp.end; }
  }
  return { covered, coverEnd };
}

/** Symptom mentions of the clauses, each with its ConText status, one per phrase and status. */
/**
 * `emergencyFindings`: findings that lead to a red flag. When the writer says they are well ("my roommate keeps
 * throwing up, I'm fine"), someone else's symptoms are that person's, but an emergency sign is never set aside.
 */
export function findSymptoms(clauses: ReadClause[], patientRelation: string | undefined, emergencyFindings: ReadonlySet<string> = new Set()): SymptomFinding[] {
  const out: SymptomFinding[] = [];
  const writerFine = patientRelation === undefined && clauses.some((c) => c.reading.writerFine);
  // One per finding, phrase, negation and status: the statuses seen for each finding and phrase, as bits.
  const seen = new Map<string, Map<string, number>>();
  clauses.forEach((clause, i) => {
    const next = clauses[i + 1]?.sentence === clause.sentence ? clauses[i + 1].text : undefined;
    const previous = i > 0 && clauses[i - 1].sentence === clause.sentence ? clauses[i - 1].text : undefined;
    for (const m of clause.mentions) {
      const ctx = clause.reading.context(m.start, m.end, patientRelation, next, clause.question, previous, writerFine && !emergencyFindings.has(m.id));
      let byText = seen.get(m.id);
      if (!byText) seen.set(m.id, (byText = new Map()));
      const bit = STATUS_BITS[ctx.experiencer][ctx.temporality] << (m.negated ? 6 : 0);
      const bits = byText.get(m.text) ?? 0;
      if (bits & bit) continue;
      byText.set(m.text, bits | bit);
      out.push({ id: m.id, text: m.text.trim(), negated: m.negated, experiencer: ctx.experiencer, temporality: ctx.temporality });
    }
  });
  return out;
}

/** One bit per ConText status (shifted by six when negated). */
const STATUS_BITS = {
  patient: { current: 1, historical: 2, hypothetical: 4 },
  other: { current: 8, historical: 16, hypothetical: 32 },
} as const;

/** Mentions that count: affirmed, about the patient, happening now. */
export function isPresent(s: SymptomFinding): boolean {
  return !s.negated && s.experiencer !== 'other' && s.temporality === 'current';
}
