// Drug-name recognition: exact terms (generic, brand, street, Spanish, curated misspellings) from an index built once,
// then a fuzzy pass (Double Metaphone codes and Jaro-Winkler/Damerau-Levenshtein from `natural`) that always asks
// for confirmation and never silently turns into a look-alike drug (RedMed caution, clinical.md 7.1).
import { DamerauLevenshteinDistance, JaroWinklerDistance } from 'natural/lib/natural/distance';
import { DoubleMetaphone } from 'natural/lib/natural/phonetics';
import type { Medication } from './knowledge/schema.js';
import { BoundedCache } from './memo.js';
import type { MatchKind } from './types.js';
import { matchesOf, normalize, words } from './text.js';

const WORD = /[a-z0-9]+(?:'[a-z]+)?/g;

export interface DrugHit {
  med: Medication;
  text: string;
  match: MatchKind;
  start: number;
  end: number;
  alternatives: string[];
}

interface Term { med: Medication; kind: MatchKind }

// Words of five letters or more that people type in these answers and that sit close to a drug name.
const NOT_DRUGS = new Set(words(normalize(`
  ambient normal nothing anything something morning evening tonight before started stopped stopping changes change
  pills pill tablets tablet doctor nurse clinic pharmacy refill alarms alarm beeping pump patch daily times twice
  every night weeks months years about around since until while still really always usually sometimes spasms
  muscle muscles shaking sweating fever seizure breathing sleepy drowsy anxious little sister mother father
  husband daughter cough syrup prescribed prescription orthopedist psychiatrist surgery gallbladder
  shoulder sober drinking glasses dinner cabinet sleeping taking having making feeling better worse going
  medicine medicines medication medications otras otros ningun cambio tengo tiene desde semana cambios
  lyric methods season lemon lexical trazo panel colder
  suspendio suspendi suspendieron suspender suspendido suspendida dejaron lunes martes miercoles jueves viernes sabado domingo
`)));

// "drink water" is not alcohol; nor is "I drink a lot of water" (another drink within the next few words).
const NOT_ALCOHOL_AFTER = /^(?:water|fluids?|coffee|tea|juice|milk|soda|gatorade|electrolytes|lots|plenty|agua)$/;
const OTHER_DRINK_SOON = /^(?:water|fluids?|coffee|tea|juice|milk|soda|gatorade|electrolytes|agua|cafe|jugo|leche|refresco)$/;
const BARE_DRINK_VERB = new Set(['drink', 'drinks', 'drinking', 'drank']);
// Street names that are also everyday words, and the words before them that make them everyday ("behind bars").
const NOT_AFTER: Record<string, RegExp> = {
  bars: /^(?:behind|at|to|in|from|between|granola|candy|protein|chocolate|energy|cereal|snack|sports|dive|gay)$/,
};

/** Apostrophes dropped so "st john's wort" and "st johns wort" meet. */
function termKey(tokens: string[]): string {
  return tokens.map((t) => t.replace(/'/g, '')).join(' ');
}

/**
 * Every name of every medicine as the index looks it up (its words normalised, apostrophes dropped), the first holder
 * of a name keeping it, in the knowledge's order; with the Double Metaphone codes of the names that fuzzy matching may
 * reach. Kept in knowledge/compiled.json (normalising 1,500 brand and street names, and their codes, cost a start
 * tens of ms).
 */
export interface DrugNames { key: string[]; med: number[]; kind: MatchKind[]; codes: (string[] | null)[] }

export function indexDrugNames(meds: Medication[]): DrugNames {
  const out: DrugNames = { key: [], med: [], kind: [], codes: [] };
  const seen = new Set<string>();
  const metaphone = new DoubleMetaphone();
  meds.forEach((med, i) => {
    const add = (raw: string, kind: MatchKind) => {
      const key = termKey(words(normalize(raw)));
      if (!key || seen.has(key)) return;
      seen.add(key);
      const fuzzy = !key.includes(' ') && key.length >= 5 && kind !== 'street';
      out.key.push(key);
      out.med.push(i);
      out.kind.push(kind);
      out.codes.push(fuzzy ? [...new Set(metaphone.process(key))].filter(Boolean) : null);
    };
    add(med.id.replace(/-/g, ' '), 'exact');
    med.brands.forEach((b) => add(b, 'brand'));
    med.spanish.forEach((s) => add(s, 'spanish'));
    med.street.forEach((s) => add(s, 'street'));
    med.misspellings.forEach((s) => add(s, 'misspelling'));
  });
  return out;
}

export class DrugIndex {
  private readonly terms = new Map<string, Term>();
  /** Every first part of a term of several words ("st", "st johns"), so a lookup stops as soon as nothing can follow. */
  private readonly prefixes = new Set<string>();
  private readonly maxWords: number;
  private readonly phonetic = new Map<string, Set<Term & { key: string }>>();
  private readonly byFirst = new Map<string, (Term & { key: string })[]>();
  private readonly metaphone = new DoubleMetaphone();

  /** `names`: indexDrugNames(meds), made ahead of the start. */
  constructor(meds: Medication[], names: DrugNames = indexDrugNames(meds)) {
    let maxWords = 1;
    names.key.forEach((key, i) => {
      const term = { med: meds[names.med[i]], kind: names.kind[i] };
      this.terms.set(key, term);
      const parts = key.split(' ');
      for (let n = 1; n < parts.length; n++) this.prefixes.add(parts.slice(0, n).join(' '));
      maxWords = Math.max(maxWords, parts.length);
      const codes = names.codes[i];
      if (codes) this.indexFuzzy(key, term, codes);
    });
    this.maxWords = maxWords;
  }

  private indexFuzzy(key: string, term: Term, codes: string[]): void {
    const entry = { ...term, key };
    for (const code of codes) {
      if (!this.phonetic.has(code)) this.phonetic.set(code, new Set());
      this.phonetic.get(code)!.add(entry);
    }
    const first = key[0];
    if (!this.byFirst.has(first)) this.byFirst.set(first, []);
    this.byFirst.get(first)!.push(entry);
  }


  /** Every drug named in a clause, longest term first; `fuzzy` allows near-misses (only where drugs are expected). */
  find(clause: string, fuzzy: boolean): DrugHit[] {
    const toks = matchesOf(WORD, clause);
    const keys = toks.map((t) => t[0].replace(/'/g, ''));
    const hits: DrugHit[] = [];
    for (let i = 0; i < toks.length; i++) {
      let found: DrugHit | undefined;
      // Grow the term word by word while some term starts this way; keep the longest that is a term.
      let key = '';
      let longest = 0;
      for (let n = 1; n <= this.maxWords && i + n <= toks.length; n++) {
        key = n === 1 ? keys[i] : `${key} ${keys[i + n - 1]}`;
        const term = this.terms.get(key);
        if (term && !this.everydayWord(term, key, toks, i, n)) longest = n;
        if (!this.prefixes.has(key)) break;
      }
      if (longest) {
        const term = this.terms.get(keys.slice(i, i + longest).join(' '))!;
        const end = toks[i + longest - 1].index + toks[i + longest - 1][0].length;
        found = { med: term.med, text: clause.slice(toks[i].index, end), match: term.kind, start: toks[i].index, end, alternatives: [] };
        i += longest - 1;
      }
      if (!found && fuzzy) found = this.fuzzy(toks[i][0], toks[i].index);
      if (found) hits.push(Object.freeze(found));
    }
    return hits;
  }

  /** A term read as an everyday word here: a drink that is water or coffee, "bars" after "behind". */
  private everydayWord(term: Term, key: string, toks: RegExpMatchArray[], i: number, n: number): boolean {
    if (term.med.id === 'alcohol') {
      if (NOT_ALCOHOL_AFTER.test(toks[i + n]?.[0] ?? '')) return true;
      if (BARE_DRINK_VERB.has(key)) for (let j = i + n; j < Math.min(toks.length, i + n + 4); j++) if (OTHER_DRINK_SOON.test(toks[j][0])) return true;
    }
    const before = NOT_AFTER[key];
    return Boolean(before && i > 0 && before.test(toks[i - 1][0]));
  }

  // Tokens repeat across turns and answers; a bounded cache keeps the fuzzy pass off the hot path.
  private readonly fuzzyCache = new BoundedCache<string, Omit<DrugHit, 'start' | 'end'> | null>(5000);

  private fuzzy(token: string, start: number): DrugHit | undefined {
    if (token.length < 5 || /\d/.test(token) || NOT_DRUGS.has(token)) return undefined;
    const hit = this.fuzzyCache.get(token, () => this.fuzzyLookup(token));
    return hit ? { ...hit, start, end: start + token.length } : undefined;
  }

  private fuzzyLookup(token: string): Omit<DrugHit, 'start' | 'end'> | null {
    const candidates = new Set<Term & { key: string }>();
    for (const code of this.metaphone.process(token)) for (const c of this.phonetic.get(code) ?? []) candidates.add(c);
    for (const c of this.byFirst.get(token[0]) ?? []) candidates.add(c);
    const scored: { term: Term & { key: string }; dist: number; jw: number }[] = [];
    for (const term of candidates) {
      if (Math.abs(term.key.length - token.length) > 2) continue;
      // Jaro-Winkler is cheap; the edit distance runs only on the few close candidates.
      const jw = JaroWinklerDistance(token, term.key);
      if (jw < 0.8) continue;
      const dist = DamerauLevenshteinDistance(token, term.key, { restricted: true });
      const limit = token.length >= 8 ? 2 : 1;
      if (dist <= limit || (dist <= limit + 1 && jw >= 0.93)) scored.push({ term, dist, jw });
    }
    if (!scored.length) return null;
    scored.sort((a, b) => a.dist - b.dist || b.jw - a.jw);
    const best = scored[0];
    const alternatives = [...new Set(scored.filter((s) => s.term.med.id !== best.term.med.id && s.dist <= best.dist + 1).map((s) => s.term.med.id))];
    return { med: best.term.med, text: token, match: 'fuzzy', alternatives };
  }
}
