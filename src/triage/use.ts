// How much and how often alcohol or a drug is used, when it was last used, and past withdrawal seizures or DTs, read
// from lay text with the word classes of knowledge/use.json ("a fifth a day", "a handle every two days", "last drink
// saturday night", "sober 3 days", "dejé de tomar", "had the DTs last time"). A clause's words are read once: each
// position is looked up in a map of phrases of at most the longest phrase's length, so the cost is linear in the text;
// the reading is a pure function of the clause and is kept in a bounded cache.
import { subDays } from 'date-fns/subDays';
import { subHours } from 'date-fns/subHours';
import { subMonths } from 'date-fns/subMonths';
import { subWeeks } from 'date-fns/subWeeks';
import { subYears } from 'date-fns/subYears';
import type { DrugHit } from './drugs.js';
import type { Knowledge } from './knowledge/load.js';
import type { Medication, UseClass } from './knowledge/schema.js';
import { BoundedCache, DEFAULT_CLAUSE_CACHE } from './memo.js';
import type { ClauseTimes, ReadClause } from './reader.js';
import { matchesOf, parseCount } from './text.js';
import type { ResolvedTime, WallClock } from './time.js';

interface Token { text: string; start: number; end: number }
/** One phrase of a class found in a clause: token span [from, to) and character span [start, end). */
interface UseMatch { cls: UseClass; from: number; to: number; start: number; end: number }

/** A clause's words and the classes its phrases belong to. */
export interface ClauseUse {
  tokens: readonly Token[];
  matches: readonly UseMatch[];
  /** Matches by class, in text order. */
  of(cls: UseClass): readonly UseMatch[];
  /** Whether a phrase of the class starts at token `i`. */
  startsAt(cls: UseClass, i: number): boolean;
  /** The token starting at a character offset. */
  tokenAt(start: number): number | undefined;
  /** A phrase that can say something on its own (a container, a stop, the last drink, a seizure...): without one, and
   * without a drug, the clause is skipped. */
  anchored: boolean;
  /** An intention or a non-substance word ("want to", "smoking"), which matters only next to change words. */
  qualifiesChanges: boolean;
}

const ANCHORS = new Set<UseClass>([
  'LARGE_CONTAINER', 'STOPPED_DRINKING', 'SOBER', 'SOBER_ALCOHOL', 'NO_LONGER', 'LAST', 'STOP_VERB', 'COMPLICATION', 'DT',
]);
/** Phrases that matter only next to change words ("want to quit", "quit smoking"). */
const CHANGE_QUALIFIERS = new Set<UseClass>(['NOT_SUBSTANCE', 'INTENT']);
/** Answers whose clauses are always read: they are about alcohol, its amount, the last use or past withdrawals. */
const ALWAYS_READ = new Set(['withdrawal-history', 'last-use', 'alcohol', 'amount']);

const TOKEN = /[a-z0-9]+(?:'[a-z]+)?/g;

export class UseLexicon {
  private readonly phrases = new Map<string, UseClass[]>();
  /** Every first part of a phrase of several words, so a look-up stops as soon as no phrase can go on. */
  private readonly prefixes = new Set<string>();
  private readonly maxLen: number;
  private readonly cache: BoundedCache<string, ClauseUse>;

  /** The alcohol entry of the medications, for alcohol shown only by a container or a stop. */
  readonly alcohol?: Medication;

  constructor(classes: Knowledge['use'], medications: readonly Medication[], cacheSize = DEFAULT_CLAUSE_CACHE) {
    this.alcohol = medications.find((m) => m.id === 'alcohol');
    let maxLen = 1;
    for (const [cls, lists] of Object.entries(classes) as [UseClass, { en: string[]; es: string[] }][]) {
      for (const phrase of [...lists.en, ...lists.es]) {
        const key = phrase.split(' ').filter(Boolean).join(' ');
        if (!key) continue;
        const list = this.phrases.get(key) ?? [];
        if (!list.includes(cls)) list.push(cls);
        this.phrases.set(key, list);
        const words = key.split(' ');
        for (let n = 1; n < words.length; n++) this.prefixes.add(words.slice(0, n).join(' '));
        maxLen = Math.max(maxLen, words.length);
      }
    }
    this.maxLen = maxLen;
    this.cache = new BoundedCache(cacheSize);
  }

  read(text: string): ClauseUse {
    return this.cache.peek(text) ?? this.cache.get(text, () => this.readNow(text));
  }

  private readNow(text: string): ClauseUse {
    const tokens: Token[] = [];
    for (const m of matchesOf(TOKEN, text)) tokens.push({ text: m[0], start: m.index, end: m.index + m[0].length });
    const matches: UseMatch[] = [];
    for (let i = 0; i < tokens.length; i++) {
      let key = '';
      for (let n = 1; n <= this.maxLen && i + n <= tokens.length; n++) {
        key = n === 1 ? tokens[i].text : `${key} ${tokens[i + n - 1].text}`;
        const classes = this.phrases.get(key);
        if (classes) for (const cls of classes) matches.push({ cls, from: i, to: i + n, start: tokens[i].start, end: tokens[i + n - 1].end });
        if (!this.prefixes.has(key)) break;
      }
    }
    const byClass = new Map<UseClass, UseMatch[]>();
    const starts = new Set<string>();
    for (const m of matches) {
      let list = byClass.get(m.cls);
      if (!list) byClass.set(m.cls, (list = []));
      list.push(m);
      starts.add(`${m.cls}@${m.from}`);
    }
    return Object.freeze(new ClauseUseReading(tokens, matches, byClass, starts, new Map(tokens.map((t, i) => [t.start, i]))));
  }
}

class ClauseUseReading implements ClauseUse {
  readonly anchored: boolean;
  readonly qualifiesChanges: boolean;

  constructor(
    readonly tokens: readonly Token[],
    readonly matches: readonly UseMatch[],
    private readonly byClass: Map<UseClass, UseMatch[]>,
    private readonly starts: Set<string>,
    private readonly tokenIndex: Map<number, number>,
  ) {
    this.anchored = matches.some((m) => ANCHORS.has(m.cls));
    this.qualifiesChanges = matches.some((m) => CHANGE_QUALIFIERS.has(m.cls));
  }

  of(cls: UseClass): readonly UseMatch[] {
    return this.byClass.get(cls) ?? [];
  }

  startsAt(cls: UseClass, i: number): boolean {
    return this.starts.has(`${cls}@${i}`);
  }

  tokenAt(start: number): number | undefined {
    return this.tokenIndex.get(start);
  }
}

/** A stop or a last use of a substance ('alcohol' or a medication id; null when the text does not say which). */
export interface UseEvent { substance: string | null; at?: Date; text: string; kind: 'stop' | 'last-use' }

export interface SubstanceUse {
  /** Alcohol spoken of as taken now: a drink word, a container, "yes" to the alcohol question (evidence). */
  alcoholUse: string[];
  /** Alcohol named anywhere, taken or not ("I don't drink", "used to drink"): the alcohol question is answered. */
  alcoholMentioned: boolean;
  /** How each substance ('alcohol' or a medication id) is used, with the words that say so. */
  frequency: Map<string, { daily: string[]; heavy: string[]; occasional: string[] }>;
  /** Stops and last uses the dose-change words do not cover, with their times. */
  events: UseEvent[];
  /** The answer to "when was the last drink or dose?", with its time when it gives one. */
  lastUseAnswer?: { text: string; at?: Date };
  /** Past withdrawal seizures or DTs (text, or a yes to the question). */
  history: string[];
  /** Drugs named in a sentence that speaks of a prescribed form or setting (a patch, a prescription, a hospital). */
  prescribedForm: Set<string>;
  /** The words that first showed alcohol when no drink word did ("a 30 pack", "deje de tomar"). */
  alcoholText?: string;
  /** Clauses whose change words are not a stop of alcohol or a drug ("want to quit drinking", "quit smoking"). */
  notAStop: Set<string>;
}

/** Who the reading needs: the drug hits of each clause and how to read times and ConText. */
export interface UseReadingInput {
  clauses: ReadClause[];
  hits: (readonly DrugHit[])[];
  patientRelation: string | undefined;
  now: WallClock;
  times: ClauseTimes;
}

const WITHDRAWAL_CLASSES = new Set(['alcohol', 'benzodiazepine', 'opioid']);
/** Clauses on each side of a clause where its time or a prescribed form may be told. */
const NEIGHBOURS = 3;
const UNIT: Record<string, 'h' | 'd' | 'w' | 'm' | 'y'> = {
  hour: 'h', hours: 'h', hr: 'h', hrs: 'h', hora: 'h', horas: 'h',
  day: 'd', days: 'd', night: 'd', nights: 'd', dia: 'd', dias: 'd', noche: 'd', noches: 'd',
  week: 'w', weeks: 'w', wk: 'w', wks: 'w', semana: 'w', semanas: 'w',
  month: 'm', months: 'm', mes: 'm', meses: 'm',
  year: 'y', years: 'y', ano: 'y', anos: 'y',
};
const AFFIRMATIVE = /^\s*(?:yes|yeah|yep|yup|si|sí|i do|i did|he did|she did|he has|she has|i have|once|twice|a few times|several|one time|una vez|varias veces|claro)\b/i;
const NEGATIVE = /^\s*(?:no|nope|none|never|not that i know|not really|nah|nunca|ninguna?|jamas)\b/i;

/** Reads the substance use of all clauses of an input, in order. */
export function readSubstanceUse(lexicon: UseLexicon, input: UseReadingInput): SubstanceUse {
  const { clauses, hits, patientRelation, now, times } = input;
  const out: SubstanceUse = { alcoholUse: [], alcoholMentioned: false, frequency: new Map(), events: [], history: [], prescribedForm: new Set(), notAStop: new Set() };
  // Which clauses need reading: a drug that can cause withdrawal, a phrase that speaks on its own, an answer about
  // use, or a clause that continues one of those. Most inputs have none, and are done here.
  const needs = new Array<boolean>(clauses.length);
  const reads = new Array<ClauseUse>(clauses.length);
  let anyNeeded = false;
  for (let i = 0; i < clauses.length; i++) {
    const c = clauses[i];
    const u = (reads[i] = lexicon.read(c.text));
    let need = u.anchored || ALWAYS_READ.has(c.source) || (u.qualifiesChanges && c.reading.changeWords.hits.length > 0);
    for (const h of hits[i]) if (withdrawalDrug(h.med)) need = true;
    if (!need && !hits[i].length && i > 0 && needs[i - 1] && clauses[i - 1].sentence === c.sentence && clauses[i - 1].source === c.source) need = true;
    needs[i] = need;
    if (need) anyNeeded = true;
  }
  if (!anyNeeded) return out;


  // Whether each answer opens with "no" (the first clause of each source).
  const answerIsNo = new Map<string, boolean>();
  for (const c of clauses) if (!answerIsNo.has(c.source)) answerIsNo.set(c.source, NEGATIVE.test(c.text));

  let carried: string[] = [];
  for (let i = 0; i < clauses.length; i++) {
    const clause = clauses[i];
    const prevClause = clauses[i - 1];
    const continuing = !hits[i].length && prevClause !== undefined && prevClause.sentence === clause.sentence && prevClause.source === clause.source;
    if (!needs[i]) {
      if (!continuing) carried = [];
      continue;
    }
    const u = reads[i];
    const reading = clause.reading;
    const answerNo = answerIsNo.get(clause.source) === true;

    if (clause.source === 'withdrawal-history') {
      if (AFFIRMATIVE.test(clause.text) && !NEGATIVE.test(clause.text)) out.history.push(clause.text);
    }
    if (clause.source === 'last-use' && !out.lastUseAnswer) out.lastUseAnswer = { text: clause.text, at: timeNear(clauses, times, i)?.at };

    // Substances this clause speaks of as taken now; negated ones are kept apart ("haven't had a drink in 3 days").
    const taken: { id: string; start: number; end: number }[] = [];
    // Drug mentions about the patient, now (taken or negated), for the stop and last-use words.
    const usable: DrugHit[] = [];
    const negated: { id: string; start: number; end: number }[] = [];
    const veto = u.of('OTHER_DRINK').length > 0;
    const relevant = hits[i].length ? hits[i].filter((h) => withdrawalDrug(h.med)) : hits[i];
    if (relevant.some((h) => h.med.depressantClass === 'opioid') && prescribedSentence(clauses, reads, i)) for (const h of relevant) out.prescribedForm.add(h.med.id);
    for (const h of relevant) {
      if (h.med.id === 'alcohol') {
        out.alcoholMentioned = true;
        // "I drink a lot of water": a bare drinking verb next to another drink is not alcohol.
        const t = u.tokenAt(h.start);
        if (veto && t !== undefined && u.startsAt('DRINK_VERB', t) && !h.text.includes(' ')) continue;
      }
      const ctx = reading.context(h.start, h.end, patientRelation);
      if (ctx.experiencer === 'other' || ctx.temporality === 'hypothetical') continue;
      if (ctx.temporality === 'historical') continue;
      (ctx.negated ? negated : taken).push({ id: h.med.id, start: h.start, end: h.end });
      usable.push(h);
    }
    for (const cls of ['LARGE_CONTAINER', 'STOPPED_DRINKING', 'SOBER_ALCOHOL'] as const) {
      for (const m of u.of(cls)) {
        out.alcoholMentioned = true;
        out.alcoholText ??= clause.text.slice(m.start, m.end);
        const ctx = reading.context(m.start, m.end, patientRelation);
        if (cls === 'LARGE_CONTAINER' && !ctx.negated && ctx.experiencer !== 'other' && ctx.temporality === 'current') taken.push({ id: 'alcohol', start: m.start, end: m.end });
      }
    }
    if (clause.source === 'alcohol' || clause.source === 'amount') {
      out.alcoholMentioned = true;
      if (!answerNo && (clause.source === 'amount' || AFFIRMATIVE.test(clause.text) || taken.some((t) => t.id === 'alcohol'))) taken.push({ id: 'alcohol', start: 0, end: 0 });
    }
    // A clause naming no drug continues the one before it in its sentence ("beer, about 12 a day").
    const substances = taken.length ? [...new Set(taken.map((t) => t.id))] : continuing ? carried : [];
    carried = substances;
    if (substances.includes('alcohol') && out.alcoholUse[out.alcoholUse.length - 1] !== clause.text) out.alcoholUse.push(clause.text);

    // How often and how much.
    for (const s of substances) {
      const f = freq(out, s);
      for (const m of [...u.of('DAILY'), ...u.of('LONG_TIME'), ...u.of('EVERY_FEW_DAYS')]) {
        if (u.tokens[m.to]?.text === 'ago') continue; // "a day ago" is a time, not a frequency
        f.daily.push(clause.text);
      }
      for (const m of [...u.of('HEAVY'), ...(s === 'alcohol' ? u.of('LARGE_CONTAINER') : [])]) {
        const ctx = reading.context(m.start, m.end, patientRelation);
        if (!ctx.negated) f.heavy.push(clause.text);
      }
      if (u.of('OCCASIONAL').length) f.occasional.push(clause.text);
    }

    // Change words that are not a stop: an intention ("want to quit drinking"), or about smoking, work or food.
    const words = reading.changeWords;
    for (const hit of words.hits) {
      const t = u.tokenAt(hit.index);
      const intent = t !== undefined && [1, 2, 3].some((k) => u.startsAt('INTENT', t - k));
      if (intent || (u.of('NOT_SUBSTANCE').length && !hits[i].length)) out.notAStop.add(clause.text);
    }
    // A symptoms answer that begins with the drug: "klonopin 2 mg three times a day, ran out 3 days ago, shaking".
    if (clause.source === 'symptoms' && !hits[i].length && substances.length && !out.notAStop.has(clause.text)) {
      for (const hit of words.hits) {
        const said = clause.text.slice(hit.index, hit.end);
        const stop = hit.kind === 'ran-out' || hit.kind === 'missed' || hit.kind === 'decreased' || (hit.kind === 'stopped' && !/^stop(?:s|ping)?$/.test(said));
        if (!stop || reading.context(hit.index, hit.end, patientRelation).negated) continue;
        for (const s of substances) out.events.push({ substance: s, at: timeNear(clauses, times, i)?.at, text: clause.text, kind: 'stop' });
      }
    }

    // Stops: "quit drinking", "dejé de tomar", "sober since friday", "haven't had a drink in 3 days".
    for (const m of u.of('STOPPED_DRINKING')) {
      const ctx = reading.context(m.start, m.end, patientRelation);
      if (intended(u, m) || ctx.negated || ctx.experiencer === 'other' || ctx.temporality === 'hypothetical') continue;
      // "dejé de tomar el clonazepam", "dejó de tomar sus pastillas": tomar is taking a medicine here, not drinking.
      if (medicineAfter(u, m, hits[i])) continue;
      out.events.push({ substance: 'alcohol', at: timeNear(clauses, times, i)?.at ?? durationBefore(u, now), text: clause.text, kind: 'stop' });
    }
    for (const cls of ['SOBER_ALCOHOL', 'SOBER'] as const) {
      for (const m of u.of(cls)) {
        const ctx = reading.context(m.start, m.end, patientRelation);
        const at = timeNear(clauses, times, i)?.at ?? durationBefore(u, now);
        if (!at || intended(u, m) || ctx.negated || ctx.experiencer === 'other' || ctx.temporality === 'hypothetical') continue;
        const subject = cls === 'SOBER_ALCOHOL' ? ['alcohol'] : substances.length ? substances : [null];
        for (const s of subject) out.events.push({ substance: s, at, text: clause.text, kind: 'stop' });
      }
    }
    // "I've been out for 3 days", "hace 4 días que no tengo": none left, with a time; of the drugs named, else any.
    for (const m of u.of('NO_LONGER')) {
      const at = times.of(clause.text)?.at ?? durationBefore(u, now);
      const ctx = reading.context(m.start, m.end, patientRelation);
      if (!at || intended(u, m) || ctx.experiencer === 'other' || ctx.temporality === 'hypothetical') continue;
      for (const s of substances.length ? substances : [null]) out.events.push({ substance: s, at, text: clause.text, kind: 'stop' });
    }
    for (const n of negated) {
      const at = times.of(clause.text)?.at ?? durationBefore(u, now);
      if (at) out.events.push({ substance: n.id, at, text: clause.text, kind: 'stop' });
    }

    // The last drink or dose: "last drink saturday night", "my last xanax was monday", "la última vez que tomé".
    for (const m of u.of('LAST')) {
      if (!u.tokens[m.to] || u.startsAt('NOT_AFTER_LAST', m.to)) continue;
      // A use word or a drug name within the next three words.
      const window = [m.to, m.to + 1, m.to + 2];
      const drug = usable.find((h) => window.includes(u.tokenAt(h.start) ?? -1));
      const alcoholWord = window.some((t) => u.startsAt('ALCOHOL_UNIT', t));
      const used = alcoholWord || window.some((t) => u.startsAt('USE_WORD', t));
      if (!drug && !used) continue;
      // "last drink saturday night", "it's been 36 hours since my last drink"
      const at = timeNear(clauses, times, i)?.at ?? durationBefore(u, now);
      if (!at) continue;
      // "last drink" is alcohol; "last hit", "last dose" is the drug named nearby, else whatever else is taken.
      const others = substances.filter((s) => s !== 'alcohol');
      const subject = drug ? [drug.med.id] : alcoholWord ? ['alcohol'] : others.length ? others : [null];
      for (const s of subject) out.events.push({ substance: s, at, text: clause.text, kind: 'last-use' });
    }

    // "dejó la metadona", "kicked heroin": a stop verb right before a drug.
    for (const m of u.of('STOP_VERB')) {
      const drug = usable.find((h) => { const t = u.tokenAt(h.start) ?? -1; return t >= m.to && t <= m.to + 2; });
      if (!drug || intended(u, m)) continue;
      const ctx = reading.context(m.start, m.end, patientRelation);
      if (ctx.negated || ctx.experiencer === 'other' || ctx.temporality === 'hypothetical') continue;
      out.events.push({ substance: drug.med.id, at: timeNear(clauses, times, i)?.at ?? durationBefore(u, now), text: clause.text, kind: 'stop' });
    }

    // Past withdrawal seizures or DTs.
    const historyWords = u.of('HISTORY').length > 0 || clause.source === 'withdrawal-history';
    for (const m of [...u.of('DT'), ...u.of('COMPLICATION')]) {
      const ctx = reading.context(m.start, m.end, patientRelation);
      if (ctx.negated || ctx.experiencer === 'other' || ctx.temporality === 'hypothetical') continue;
      if (m.cls === 'DT' || historyWords || ctx.temporality === 'historical') {
        if (out.history[out.history.length - 1] !== clause.text) out.history.push(clause.text);
      }
    }
  }
  return out;
}

// The helpers below take the clauses as arguments rather than closing over them: the reading runs several times a turn.

/** Neighbours looked at around a clause (same sentence and answer): a few, so the reading stays linear in the text. */
function near(clauses: ReadClause[], i: number, j: number): boolean {
  return j >= 0 && j < clauses.length && Math.abs(i - j) <= NEIGHBOURS
    && clauses[j].sentence === clauses[i].sentence && clauses[j].source === clauses[i].source;
}

/** Whether the sentence around clause i speaks of a prescribed form or setting. */
function prescribedSentence(clauses: ReadClause[], reads: ClauseUse[], i: number): boolean {
  for (let j = i - NEIGHBOURS; j <= i + NEIGHBOURS; j++) if (near(clauses, i, j) && reads[j].of('PRESCRIBED_FORM').length) return true;
  return false;
}

function freq(out: SubstanceUse, substance: string): { daily: string[]; heavy: string[]; occasional: string[] } {
  let f = out.frequency.get(substance);
  if (!f) out.frequency.set(substance, (f = { daily: [], heavy: [], occasional: [] }));
  return f;
}

/** A time for a clause: its own, else another clause of its sentence and answer. */
function timeNear(clauses: ReadClause[], times: ClauseTimes, i: number): ResolvedTime | undefined {
  const own = times.of(clauses[i].text);
  if (own) return own;
  for (let j = i + 1; near(clauses, i, j); j++) {
    const t = times.of(clauses[j].text);
    if (t) return t;
  }
  for (let j = i - 1; near(clauses, i, j); j--) {
    const t = times.of(clauses[j].text);
    if (t) return t;
  }
  return undefined;
}

/** A drug named, or a word for medicines, within the three words after a phrase. */
function medicineAfter(u: ClauseUse, m: UseMatch, hits: readonly DrugHit[]): boolean {
  for (let t = m.to; t < m.to + 3 && t < u.tokens.length; t++) if (u.startsAt('MEDICINE_WORD', t)) return true;
  for (const h of hits) {
    const t = u.tokenAt(h.start);
    if (h.med.id !== 'alcohol' && t !== undefined && t >= m.to && t < m.to + 3) return true;
  }
  return false;
}

/** "want to quit drinking", "voy a dejar de tomar": an intention just before, not a stop. */
function intended(u: ClauseUse, m: UseMatch): boolean {
  return u.startsAt('INTENT', m.from - 1) || u.startsAt('INTENT', m.from - 2) || u.startsAt('INTENT', m.from - 3);
}

/** Alcohol, a benzodiazepine or an opioid: the drugs whose stop can bring withdrawal at intake. */
function withdrawalDrug(med: Medication): boolean {
  return med.id === 'alcohol' || med.depressantClass === 'benzodiazepine' || med.depressantClass === 'opioid'
    || med.classes.some((c) => WITHDRAWAL_CLASSES.has(c));
}

/** "for 3 days", "in 2 weeks", "3 days sober", "llevo 3 días sin tomar": the start of that span, counted back from now. */
function durationBefore(u: ClauseUse, now: WallClock): Date | undefined {
  const toks = u.tokens;
  for (let j = 0; j < toks.length - 1; j++) {
    const n = parseCount(toks[j].text);
    if (n === undefined) continue;
    const k = toks[j + 1].text === 'of' ? j + 2 : j + 1;
    const unit = UNIT[toks[k]?.text ?? ''];
    if (!unit || toks[k + 1]?.text === 'ago') continue;
    switch (unit) {
      case 'h': return subHours(now, n);
      case 'd': return subDays(now, n);
      case 'w': return subWeeks(now, n);
      case 'm': return subMonths(now, n);
      default: return subYears(now, n);
    }
  }
  return undefined;
}
