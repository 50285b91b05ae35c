// Clause-level reading shared by every extractor: splitting, drug and symptom matches, ConText status and vital signs.
// Each is a pure function of the clause text (and the mention's place in it), and a conversation re-reads its earlier
// answers on every turn, so results are kept in bounded caches. Anything that depends on `now` is not cached here.
import { mentionContext, patientIntroducedIn, speaksOfOwnMedicines, type MentionContext } from './context.js';
import { changeWordsIn, type ChangeWords } from './doseChanges.js';
import type { DrugIndex } from './drugs.js';
import { BoundedCache, DEFAULT_CLAUSE_CACHE } from './memo.js';
import type { SymptomMatcher } from './symptoms.js';
import { normalize, splitSentences, type Clause } from './text.js';
import { extractHeartRate, extractTemperature } from './vitals.js';

export class TextReader {
  private readonly sentences: BoundedCache<string, readonly (readonly string[])[]>;
  private readonly contexts: BoundedCache<string, MentionContext>;
  private readonly traitCache: BoundedCache<string, ClauseTraits>;
  private readonly changeWords: BoundedCache<string, ChangeWords>;

  constructor(readonly drugs: DrugIndex, readonly symptoms: SymptomMatcher, cacheSize = DEFAULT_CLAUSE_CACHE) {
    this.sentences = new BoundedCache(cacheSize);
    this.contexts = new BoundedCache(cacheSize);
    this.traitCache = new BoundedCache(cacheSize);
    this.changeWords = new BoundedCache(cacheSize);
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

  /** What a clause says that the extractor asks of every clause (see ClauseTraits). */
  traits(clause: string): ClauseTraits {
    return this.traitCache.get(clause, () => Object.freeze({
      temperatureC: extractTemperature(clause, false),
      heartRate: extractHeartRate(clause),
      selfReference: SELF_REFERENCE.test(clause),
      ownMedicines: speaksOfOwnMedicines(clause),
      patientIntro: patientIntroducedIn(clause),
      pump: PUMP.test(clause),
      noPump: NO_PUMP.test(clause),
      stillTaken: STILL_TAKEN.test(clause),
      doseUnitWords: [...clause.matchAll(DOSE_UNIT_WORD)].map((m) => m[1]),
    }));
  }

  /** Dose-change words of a clause (see doseChanges.ts); a field, to be passed around as is. */
  readonly changeWordsOf = (clause: string): ChangeWords => this.changeWords.get(clause, () => changeWordsIn(clause));
}

const SELF_REFERENCE = /\b(?:i'm|im|i am|i feel|i've|i have|i had|i was|i get|i read|my (?:legs?|arms?|body|head|heart|muscles?|mood|hands?|eyes|skin|jaw|back|stomach|chest)|me siento|me duele|estoy|tengo)\b/;
export const PUMP = /\b(?:pump|intrathecal|itb|bomba|intratecal)\b/;
const NO_PUMP = /\b(?:no|not|don't|dont|doesn't|sin|ninguna?)\b(?: \w+){0,3} (?:pump|bomba)\b|^\s*(?:no|none|n\/a)\s*$/;
const STILL_TAKEN = /\b(?:anymore|any more|since|for (?:the )?(?:last |past )?\w+ (?:days?|hours?)|haven't taken|hasn't taken|didn't take|not taken|no longer|ya no|in (?:\w+ )?days)\b/;
const DOSE_UNIT_WORD = /\b([a-z]{4,})\s+\d+(?:\.\d+)?\s*(?:mg|mcg|ml|milligrams?)\b/g;

export interface ClauseTraits {
  /** A temperature stated with a unit or a word like "fever" (a bare number counts only as an answer to that question). */
  temperatureC?: number;
  heartRate?: number;
  /** The writer speaks of themselves ("I'm", "my legs"). */
  selfReference: boolean;
  /** The writer speaks of their own medicines ("I take", "my meds"). */
  ownMedicines: boolean;
  /** A relative introduced as the one the answers are about. */
  patientIntro?: string;
  pump: boolean;
  noPump: boolean;
  /** Words that keep a negated drug current ("haven't taken it since monday"). */
  stillTaken: boolean;
  /** Words followed by a dose ("zolpiden 10 mg"): a drug name the index may not know. */
  doseUnitWords: string[];
}
