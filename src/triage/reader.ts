// Clause-level reading shared by every extractor: splitting, drug and symptom matches, ConText status and vital signs.
// Each is a pure function of the clause text (and the mention's place in it), and a conversation re-reads its earlier
// answers on every turn, so results are kept in bounded caches. Anything that depends on `now` is not cached here.
import { mentionContext, type MentionContext } from './context.js';
import type { DrugIndex } from './drugs.js';
import { BoundedCache, DEFAULT_CLAUSE_CACHE } from './memo.js';
import type { SymptomMatcher } from './symptoms.js';
import { normalize, splitSentences, type Clause } from './text.js';
import { extractHeartRate, extractTemperature } from './vitals.js';

export class TextReader {
  private readonly sentences: BoundedCache<string, readonly (readonly string[])[]>;
  private readonly contexts: BoundedCache<string, MentionContext>;
  private readonly vitals: BoundedCache<string, { temperatureC?: number; heartRate?: number }>;

  constructor(readonly drugs: DrugIndex, readonly symptoms: SymptomMatcher, cacheSize = DEFAULT_CLAUSE_CACHE) {
    this.sentences = new BoundedCache(cacheSize);
    this.contexts = new BoundedCache(cacheSize);
    this.vitals = new BoundedCache(cacheSize);
  }

  /** An answer's clauses, numbered on from `firstSentence`. */
  clauses(text: string, source: string, firstSentence: number): Clause[] {
    const out: Clause[] = [];
    this.sentences.get(text, () => splitSentences(normalize(text))).forEach((parts, i) => {
      for (const t of parts) out.push({ text: t, sentence: firstSentence + i, source });
    });
    return out;
  }

  /** ConText status of the mention at [start, end) of a clause (see context.ts); a field, to be passed around as is. */
  readonly context = (clause: string, start: number, end: number, patientRelation: string | undefined, next?: string): MentionContext => {
    const key = `${start}|${end}|${patientRelation ?? ''}|${next ?? ''}|${clause}`;
    return this.contexts.get(key, () => Object.freeze(mentionContext(clause, start, end, patientRelation, next)));
  };

  /** A temperature or heart rate stated in a clause (a bare number is not a temperature here). */
  vitalsIn(clause: string): { temperatureC?: number; heartRate?: number } {
    return this.vitals.get(clause, () => Object.freeze({ temperatureC: extractTemperature(clause, false), heartRate: extractHeartRate(clause) }));
  }
}
