// The lexicon: word classes (knowledge/lexicon/*.json) looked up in a sentence's tokens. Every entry is stemmed when
// loaded (natural's Porter stemmers, English and Spanish), so inflections need no entries of their own; a long word
// that is not in the lexicon's vocabulary, nor a real word, is matched to a vocabulary stem one edit away with the same
// first letter (Damerau-Levenshtein via a deletion index, so a lookup costs a few hash probes, not a scan of the
// vocabulary). Two edits were tried and read too many ordinary long words as symptoms.
import { DamerauLevenshteinDistance } from 'natural/lib/natural/distance';
import stemEn from 'natural/lib/natural/stemmers/porter_stemmer.js';
import stemEs from 'natural/lib/natural/stemmers/porter_stemmer_es.js';
import { BoundedCache } from './memo.js';
import { matchesOf, normalize } from './text.js';

export type Lang = 'en' | 'es';
export const LANGS: readonly Lang[] = ['en', 'es'];

/** One word of a sentence with its place and its lookup keys per language. */
export interface Token {
  word: string;
  start: number;
  end: number;
  /** The stem used for lookup per language: the word's own stem, or the vocabulary stem it was corrected to. */
  key: Record<Lang, string>;
  /** A comma: list separator and a soft boundary for ConText scopes. */
  comma: boolean;
  /** A number written in digits or words ("40", "forty", "cuarenta"). */
  value?: number;
}

/** A class found in a sentence: tokens [start, end). */
export interface Occurrence { cls: string; start: number; end: number }

interface TrieNode { next: Map<string, TrieNode>; classes: string[] }
const node = (): TrieNode => ({ next: new Map(), classes: [] });

const TOKEN = /\d+(?:[.,]\d+)?|[a-z]+(?:'[a-z]+)*|,/g;
// Long words only: short ones sit too close to each other ("hot"/"hit") for an edit to be a typo.
const MIN_FUZZY_LENGTH = 6;

export interface LexiconClass { en: string[]; es: string[] }

const STEMS: Record<Lang, Map<string, string>> = { en: new Map(), es: new Map() };

/** Stems worked out before (knowledge/lexicon-stems.json): Porter stemming of thousands of entries is the slow part
 * of start-up. A word missing from them is simply stemmed, so an old list costs time, never a wrong reading. */
export function preloadStems(stems: Partial<Record<Lang, Record<string, string>>>): void {
  for (const lang of LANGS) for (const [word, stem] of Object.entries(stems[lang] ?? {})) STEMS[lang].set(word, stem);
}

/** Every word of the entries with its stem per language, for knowledge/lexicon-stems.json. */
export function stemsOf(classes: Record<string, LexiconClass>): Record<Lang, Record<string, string>> {
  const out: Record<Lang, Record<string, string>> = { en: {}, es: {} };
  for (const cls of Object.values(classes)) {
    for (const lang of LANGS) for (const term of cls[lang]) for (const w of tokenTexts(normalize(term))) out[lang][w] ??= Lexicon.stem(lang, w);
  }
  for (const lang of LANGS) out[lang] = Object.fromEntries(Object.entries(out[lang]).sort(([a], [b]) => a.localeCompare(b)));
  return out;
}

export class Lexicon {
  private readonly tries: Record<Lang, TrieNode> = { en: node(), es: node() };
  private readonly known: Record<Lang, Set<string>> = { en: new Set(), es: new Set() };
  /** Stems of the exact classes: real words that are never taken for a typo. */
  private readonly exactKnown: Record<Lang, Set<string>> = { en: new Set(), es: new Set() };
  /** Built on the first typo it is needed for, not at start-up (most answers need none). */
  private deletions?: Record<Lang, Map<string, string[]>>;
  private readonly stable: Set<string>;
  private readonly numbers = new Map<string, number>();
  private readonly wordKeys: BoundedCache<string, Token['key']>;
  readonly classNames: ReadonlySet<string>;
  /** Longest entry in words: how far a lookup walks from one token. */
  private maxTerm = 1;

  /** `exact`: classes looked up only as written, never as the target of a typo (drug names have their own matching). */
  /** `realWords`: already normalised words that are never corrected (knowledge/real-words.json). */
  constructor(classes: Record<string, LexiconClass>, opts: { stable?: string[]; realWords?: string[]; numbers?: Record<string, number>; cacheSize?: number; exact?: string[] } = {}) {
    this.wordKeys = new BoundedCache(opts.cacheSize ?? 50_000);
    this.stable = new Set(opts.realWords);
    for (const w of opts.stable ?? []) this.stable.add(normalize(w));
    for (const [w, n] of Object.entries(opts.numbers ?? {})) this.numbers.set(normalize(w), n);
    const exact = new Set(opts.exact ?? []);
    for (const [name, cls] of Object.entries(classes)) {
      for (const lang of LANGS) for (const term of cls[lang]) this.addTerm(lang, term, name, !exact.has(name));
    }
    this.classNames = new Set(Object.keys(classes));
  }

  static stem(lang: Lang, word: string): string {
    // "breathing's", "head's": the word itself; other apostrophe words ("don't", "i'm") are kept whole.
    if (word.endsWith("'s") && word.length > 4) word = word.slice(0, -2);
    // Short words are left as they are: Porter turns "ate" into "at".
    if (word.includes("'") || /^\d/.test(word) || word.length <= 3) return word;
    // Entries share most of their words ("my", "giving me", "head"): each is stemmed once per process.
    const memo = STEMS[lang];
    let stem = memo.get(word);
    if (stem === undefined) {
      stem = lang === 'en' ? stemEn.stem(word) : stemEs.stem(word);
      if (memo.size < 200_000) memo.set(word, stem);
    }
    return stem;
  }

  private addTerm(lang: Lang, term: string, cls: string, fuzzy: boolean): void {
    const words = tokenTexts(normalize(term));
    if (!words.length) return;
    let at = this.tries[lang];
    for (const w of words) {
      const key = Lexicon.stem(lang, w);
      (fuzzy ? this.known : this.exactKnown)[lang].add(key);
      if (!at.next.has(key)) at.next.set(key, node());
      at = at.next.get(key)!;
    }
    if (!at.classes.includes(cls)) at.classes.push(cls);
    this.maxTerm = Math.max(this.maxTerm, words.length);
  }

  private deletionIndex(): Record<Lang, Map<string, string[]>> {
    if (!this.deletions) {
      this.deletions = { en: new Map(), es: new Map() };
      for (const lang of LANGS) for (const stem of this.known[lang]) this.indexDeletions(lang, stem);
    }
    return this.deletions;
  }

  private indexDeletions(lang: Lang, stem: string): void {
    if (stem.length < MIN_FUZZY_LENGTH - 2) return;
    // One deletion on each side reaches every stem one edit away (a swap of two letters included).
    for (const variant of deletionsOf(stem, 1)) {
      const list = this.deletions![lang].get(variant);
      if (!list) this.deletions![lang].set(variant, [stem]);
      else if (!list.includes(stem)) list.push(stem);
    }
  }

  /** The sentence's tokens with their lookup keys (cached per word). */
  tokenize(sentence: string): Token[] {
    const tokens: Token[] = [];
    for (const m of matchesOf(TOKEN, sentence)) {
      const word = m[0];
      const comma = word === ',';
      const value = /^\d/.test(word) ? Number(word.replace(',', '.')) : this.numbers.get(word);
      const token: Token = { word, start: m.index!, end: m.index! + word.length, comma, key: comma ? COMMA_KEY : this.keysOf(word) };
      if (value !== undefined) token.value = value;
      tokens.push(token);
    }
    return tokens;
  }

  private keysOf(word: string): Token['key'] {
    return this.wordKeys.get(word, () => {
      const key = { en: Lexicon.stem('en', word), es: Lexicon.stem('es', word) };
      if (this.stable.has(word) || /\d/.test(word)) return key;
      for (const lang of LANGS) {
        if (this.known[lang].has(key[lang]) || this.exactKnown[lang].has(key[lang])) continue;
        // Texting drops the g of -ing ("shakin", "hallucinatin").
        const dropped = lang === 'en' && word.endsWith('in') ? Lexicon.stem('en', `${word}g`) : undefined;
        key[lang] = dropped && this.known.en.has(dropped) ? dropped : this.correct(lang, dropped ?? key[lang], word.length) ?? key[lang];
      }
      return key;
    });
  }

  /** Whether a word would be read as a typo of a lexicon word (for knowledge/real-words.json, made by a script). */
  wouldCorrect(word: string): boolean {
    if (word.length < MIN_FUZZY_LENGTH || this.stable.has(word)) return false;
    return LANGS.some((lang) => {
      const stem = Lexicon.stem(lang, word);
      return !this.known[lang].has(stem) && !this.exactKnown[lang].has(stem) && this.correct(lang, stem, word.length) !== undefined;
    });
  }

  /** The vocabulary stem one edit from an unknown stem, with the same first letter; undefined when none. */
  private correct(lang: Lang, stem: string, wordLength: number): string | undefined {
    if (wordLength < MIN_FUZZY_LENGTH) return undefined;
    const maxEdits = 1;
    let best: string | undefined;
    let bestDistance = maxEdits + 1;
    for (const variant of deletionsOf(stem, maxEdits)) {
      for (const candidate of this.deletionIndex()[lang].get(variant) ?? []) {
        if (candidate === best || Math.abs(candidate.length - stem.length) > maxEdits) continue;
        // People rarely mistype the first letter of a word; a different first letter is another word ("eating"/"beat").
        if (candidate[0] !== stem[0]) continue;
        const score = DamerauLevenshteinDistance(stem, candidate, { restricted: true });
        if (score < bestDistance) { best = candidate; bestDistance = score; }
      }
    }
    return best;
  }

  /** Every class entry found in the tokens, in order of start. Linear in the tokens (entries are at most a few words). */
  annotate(tokens: Token[]): Occurrence[] {
    const found: Occurrence[] = [];
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i].comma) continue;
      const fromHere = found.length;
      for (const lang of LANGS) {
        let at: TrieNode | undefined = this.tries[lang];
        for (let j = i; j < tokens.length && j - i < this.maxTerm; j++) {
          at = at.next.get(tokens[j].key[lang]);
          if (!at) break;
          for (const cls of at.classes) {
            let seen = false;
            for (let k = fromHere; k < found.length && !seen; k++) seen = found[k].end === j + 1 && found[k].cls === cls;
            if (!seen) found.push({ cls, start: i, end: j + 1 });
          }
        }
      }
    }
    return found;
  }
}

/** A comma's look-up key, the same in both languages (never changed). */
const COMMA_KEY: Token['key'] = Object.freeze({ en: ',', es: ',' });

/** Words of an entry as the tokenizer sees them. */
function tokenTexts(text: string): string[] {
  return (text.match(TOKEN) ?? []).filter((w) => w !== ',');
}

function deletionsOf(word: string, edits: number): Set<string> {
  const out = new Set<string>([word]);
  let frontier = [word];
  for (let e = 0; e < edits; e++) {
    const next: string[] = [];
    for (const w of frontier) {
      for (let i = 0; i < w.length; i++) {
        const d = w.slice(0, i) + w.slice(i + 1);
        if (!out.has(d)) { out.add(d); next.push(d); }
      }
    }
    frontier = next;
  }
  return out;
}
