// Clause-level reading shared by every extractor: splitting, drug and symptom matches, ConText status, change words
// and vital signs. All of it is a pure function of the text (and of a mention's place in it), and a conversation
// re-reads its earlier answers on every turn, so an answer's reading is kept: one cache lookup per answer, and the
// same clause strings every time. Anything that depends on `now` (times) is left to the caller.
import { asksAboutRisk, ClauseCues, mentionContext, ownedByOther, patientIntroducedIn, speaksOfOwnMedicines, writerTookIt, type MentionContext } from './context.js';
import { changeWordsIn, type ChangeWords } from './doseChanges.js';
import type { DrugHit, DrugIndex } from './drugs.js';
import { BoundedCache, DEFAULT_CLAUSE_CACHE } from './memo.js';
import type { SentenceIntake, SentenceMention, SymptomReader } from './symptoms.js';
import { matchesOf, normalize, splitSentences, type Clause, type Sentence } from './text.js';
import { findTimeExpression, resolveExpression, type ResolvedTime, type TimeExpression, type WallClock } from './time.js';
import { extractHeartRate, extractTemperature } from './vitals.js';

export const PUMP = /\b(?:pump|intrathecal|itb|bomba|intratecal)\b/;
const SELF_REFERENCE = /\b(?:yo|not me|i'm|im|i am|i feel|i've|i have|i had|i was|i get|i read|my (?:legs?|arms?|body|head|heart|muscles?|mood|hands?|eyes|skin|jaw|back|stomach|chest)|me siento|me duele|estoy|tengo)\b/;
const NO_PUMP = /\b(?:no|not|don't|dont|doesn't|sin|ninguna?)\b(?: \w+){0,3} (?:pump|bomba)\b|^\s*(?:no|none|n\/a)\s*$/;
const STILL_TAKEN = /\b(?:anymore|any more|since|for (?:the )?(?:last |past )?\w+ (?:days?|hours?)|haven't taken|hasn't taken|didn't take|not taken|no longer|ya no|in (?:\w+ )?days)\b/;
const WRITER_FINE = /\b(?:i'm|im|i am|i feel|i'm feeling|i am feeling)(?: (?:totally|perfectly|completely|really|just|doing|still))? (?:fine|good|ok|okay|alright|all right|well|great|steady|normal)\b|\b(?:not me|yo no|yo nada|yo (?:\w+ ){0,3}bien|yo estoy (?:tranquil[oa]|perfect[oa]|normal)|i'm the one on .* and i'm fine|nothing (?:wrong )?with me|mine (?:look|looks|are|is|seem|seems) (?:normal|fine|ok|okay)|i,? however,? am|i'?m just here (?:about|for)|(?:i|me) (?:sleep|feel) (?:great|fine|well))\b/;
const DOSE_UNIT_WORD = /\b([a-z]{4,})\s+\d+(?:\.\d+)?\s*(?:mg|mcg|ml|milligrams?)\b/g;

/** A clause of the input as the extractors take it: where it sits, its reading and the findings that start in it. */
export type ReadClause = Clause & Omit<AnswerClause, 'sentence'>;

/** One clause of an answer: its reading, the index of its sentence within the answer, and what its sentence says in
 * it (findings are read over the whole sentence, then filed under the clause they start in, offsets clause-relative). */
export interface AnswerClause {
  sentence: number;
  reading: ClauseReading;
  mentions: readonly SentenceMention[];
  intakes: readonly SentenceIntake[];
  /** Its sentence is a question; 'follow-on' when a short question carries on one about risk ("what are the signs? fever?"). */
  question: boolean | 'follow-on';
}

/** What one clause says, computed when first asked for and then kept with the clause. */
export class ClauseReading {
  // Each property is read from the text when first asked for, then kept: a long answer of many clauses is not scanned
  // for what no request asks of most of them (who the patient is, once the first clause has said it; the pump, when
  // nobody takes baclofen).
  private temperature?: number | null;
  private rate?: number | null;
  private self?: boolean;
  private own?: boolean;
  private intro?: string | null;
  private pumpNamed?: boolean;
  private pumpDenied?: boolean;
  private taken?: boolean;
  private fine?: boolean;
  private unitWords?: readonly string[];
  private exactDrugs?: readonly DrugHit[];
  private anyDrugs?: readonly DrugHit[];
  private words?: ChangeWords;
  /** ConText statuses asked for, by the mention's span, each with the rest of what it was read against. */
  private readonly contexts = new Map<number, ContextEntry[]>();
  /** Whether a drug mention is someone else's medicine, by its span and the patient's relation to the writer. */
  private owners?: Map<number, { patientRelation: string | undefined; other: boolean }[]>;
  private cues?: ClauseCues;

  constructor(readonly text: string, private readonly index: DrugIndex) {}

  /** A temperature stated with a unit or a word like "fever" (a bare number counts only as an answer to that question). */
  get temperatureC(): number | undefined {
    if (this.temperature === undefined) this.temperature = extractTemperature(this.text, false) ?? null;
    return this.temperature ?? undefined;
  }

  get heartRate(): number | undefined {
    if (this.rate === undefined) this.rate = extractHeartRate(this.text) ?? null;
    return this.rate ?? undefined;
  }

  /** The writer speaks of themselves ("I'm", "my legs"). */
  get selfReference(): boolean {
    return (this.self ??= SELF_REFERENCE.test(this.text));
  }

  /** The writer speaks of their own medicines ("I take", "my meds"). */
  get ownMedicines(): boolean {
    return (this.own ??= speaksOfOwnMedicines(this.text));
  }

  /** A relative introduced as the one the answers are about. */
  get patientIntro(): string | undefined {
    if (this.intro === undefined) this.intro = patientIntroducedIn(this.text) ?? null;
    return this.intro ?? undefined;
  }

  get pump(): boolean {
    return (this.pumpNamed ??= PUMP.test(this.text));
  }

  get noPump(): boolean {
    return (this.pumpDenied ??= NO_PUMP.test(this.text));
  }

  /** Words that keep a negated drug current ("haven't taken it since monday"). */
  get stillTaken(): boolean {
    return (this.taken ??= STILL_TAKEN.test(this.text));
  }

  /** The writer says they themselves are well ("but I'm fine", "yo no", "im good"). */
  get writerFine(): boolean {
    return (this.fine ??= WRITER_FINE.test(this.text));
  }

  /** Words followed by a dose ("zolpiden 10 mg"): a drug name the index may not know. */
  get doseUnitWords(): readonly string[] {
    return (this.unitWords ??= matchesOf(DOSE_UNIT_WORD, this.text).map((m) => m[1]));
  }

  /** Drugs named in the clause; `fuzzy` also takes near-misses (only where drugs are expected). */
  drugs(fuzzy: boolean): readonly DrugHit[] {
    if (fuzzy) return (this.anyDrugs ??= Object.freeze(this.index.find(this.text, true)));
    return (this.exactDrugs ??= Object.freeze(this.index.find(this.text, false)));
  }

  get changeWords(): ChangeWords {
    return (this.words ??= changeWordsIn(this.text));
  }

  /** ConText status of the mention at [start, end) (see context.ts); `next` is the following clause of the sentence. */
  context(start: number, end: number, patientRelation: string | undefined, next?: string, question: boolean | 'follow-on' = false, previous?: string, writerFine = false): MentionContext {
    // Looked up on every request for every mention: a number for the span, then the few readings of it compared field
    // by field (the neighbouring clauses are the same strings each time), rather than a key string built each time.
    const span = start * SPAN_FACTOR + end;
    let list = this.contexts.get(span);
    if (!list) this.contexts.set(span, (list = []));
    for (const e of list) {
      if (e.patientRelation === patientRelation && e.next === next && e.question === question && e.previous === previous && e.writerFine === writerFine) return e.ctx;
    }
    const ctx = Object.freeze(mentionContext((this.cues ??= new ClauseCues(this.text)), start, end, patientRelation, next, question, previous, writerFine));
    list.push({ patientRelation, next, question, previous, writerFine, ctx });
    return ctx;
  }

  /** The drug mention at [start, end) is someone else's medicine ("my husband's ambien", "his xanax"), unless the writer
   * took it ("I took my roommate's xanax"): what stands just before the name decides, far text does not. */
  someoneElses(start: number, end: number, patientRelation: string | undefined): boolean {
    const owners = (this.owners ??= new Map());
    const span = start * SPAN_FACTOR + end;
    let list = owners.get(span);
    if (!list) owners.set(span, (list = []));
    for (const e of list) if (e.patientRelation === patientRelation) return e.other;
    const before = this.text.slice(Math.max(0, start - 160), start);
    const ctx = this.context(start, end, patientRelation);
    const other = (ownedByOther(before, patientRelation) || ctx.experiencer === 'other') && !writerTookIt(before, patientRelation);
    list.push({ patientRelation, other });
    return other;
  }
}

/** The clauses' times for one request: each clause's expression (kept by the reader) resolved against the request's
 * clock, once per clause text. */
export class ClauseTimes {
  private readonly resolved = new Map<string, ResolvedTime | undefined>();

  constructor(private readonly reader: TextReader, private readonly now: WallClock) {}

  of(text: string): ResolvedTime | undefined {
    if (!this.resolved.has(text)) this.resolved.set(text, resolveExpression(this.reader.timeExpression(text), this.now));
    return this.resolved.get(text);
  }
}

/** Spans are keyed as one number: clauses are far shorter than this. */
const SPAN_FACTOR = 2 ** 24;

interface ContextEntry {
  patientRelation: string | undefined;
  next: string | undefined;
  question: boolean | 'follow-on';
  previous: string | undefined;
  writerFine: boolean;
  ctx: MentionContext;
}

/** A finding belongs to the clause its first word is in (clauses and findings both in text order, so one pass); its end
 * may reach into the next clause. Offsets become clause-relative. */
function byClause<T extends { start: number; end: number }>(s: Sentence, items: readonly T[]): T[][] {
  const out: T[][] = s.clauses.map(() => []);
  for (const m of [...items].sort((a, b) => a.start - b.start)) {
    let i = 0;
    let lo = 0;
    let hi = s.clauses.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s.clauses[mid].start <= m.start) { i = mid; lo = mid + 1; } else hi = mid - 1;
    }
    const c = s.clauses[i];
    out[i].push({ ...m, start: m.start - c.start, end: Math.min(m.end, c.start + c.text.length) - c.start });
  }
  return out;
}

const DENIAL_START = /^(?:(?:also|and|still|again|y|tampoco) )?(?:no|nope|nah|not really|none|nada|para nada)\b/;

/** A short question right after a question about risk, or after another such follow-on ("...signs of it? fever? sweating?"). */
function followsRiskQuestion(sentences: Sentence[], i: number): boolean {
  let j = i;
  while (j > 0 && sentences[j].question && sentences[j].text.split(' ').length <= 4) {
    j--;
    if (sentences[j].question && asksAboutRisk(sentences[j].text)) return true;
  }
  return false;
}

export class TextReader {
  private readonly answers: BoundedCache<string, readonly AnswerClause[]>;
  private readonly clauses: BoundedCache<string, ClauseReading>;
  private readonly times: BoundedCache<string, TimeExpression | null>;

  constructor(private readonly drugs: DrugIndex, private readonly symptoms: SymptomReader, cacheSize = DEFAULT_CLAUSE_CACHE) {
    this.answers = new BoundedCache(cacheSize);
    this.clauses = new BoundedCache(cacheSize);
    this.times = new BoundedCache(cacheSize);
  }

  /** The time expression of a clause, still to be read against the request's clock (time.ts). */
  timeExpression(clause: string): TimeExpression | undefined {
    return (this.times.peek(clause) ?? this.times.get(clause, () => findTimeExpression(clause) ?? null)) ?? undefined;
  }

  /** An answer's clauses with their readings; sentences numbered from 0 within the answer. */
  answer(text: string): readonly AnswerClause[] {
    return this.answers.peek(text) ?? this.answers.get(text, () => Object.freeze(splitSentences(normalize(text)).flatMap((s, sentence, all) => {
      const read = this.symptoms.read(s.text);
      // "heart racing? no, just nervous": a question answered no by the writer straight after.
      // "fiebre, mareos, dolor de cabeza... nada de eso": the next sentence denies all of this one.
      const following = all[sentence + 1]?.text ?? '';
      const deniedAfter = (s.question && DENIAL_START.test(following)) || (following !== '' && this.symptoms.deniesWhatCameBefore(following));
      const mentions = deniedAfter ? read.mentions.map((m) => ({ ...m, negated: true })) : read.mentions;
      const intakes = deniedAfter ? read.intakes.map((m) => ({ ...m, negated: true })) : read.intakes;
      const mentionsOf = byClause(s, mentions);
      const intakesOf = byClause(s, intakes);
      return s.clauses.map((c, i) => ({
        sentence,
        reading: this.clauses.get(c.text, () => new ClauseReading(c.text, this.drugs)),
        mentions: mentionsOf[i],
        intakes: intakesOf[i],
        question: followsRiskQuestion(all, sentence) ? 'follow-on' as const : s.question,
      }));
    })));
  }
}
