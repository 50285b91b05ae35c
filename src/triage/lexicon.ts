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
  /** Per language, the key's number among the words of the lexicon's entries; -1 when no entry has it. */
  ids: Record<Lang, number>;
  /** A comma: list separator and a soft boundary for ConText scopes. */
  comma: boolean;
  /** A number written in digits or words ("40", "forty", "cuarenta"). */
  value?: number;
}

/** A class found in a sentence: tokens [start, end). */
export interface Occurrence { cls: string; start: number; end: number }

const TOKEN = /\d+(?:[.,]\d+)?|[a-z]+(?:'[a-z]+)*|,/g;
const COMMA_KEYS: Pick<Token, 'key' | 'ids'> = { key: { en: ',', es: ',' }, ids: { en: -1, es: -1 } };
// Long words only: short ones sit too close to each other ("hot"/"hit") for an edit to be a typo.
const MIN_FUZZY_LENGTH = 6;

export interface LexiconClass { en: string[]; es: string[] }

const STEMS: Record<Lang, Map<string, string>> = { en: new Map(), es: new Map() };

/**
 * The lexicon as the start needs it, made from the classes by `indexLexicon` and kept in knowledge/compiled.json by
 * `npm run knowledge:index`: normalising and stemming 25,000 entries, and the tens of thousands of small maps a trie of
 * them took, were most of a start. Every list keeps the order in which the entries first reach it, so a lookup built
 * from it matches, and picks among typo candidates, exactly as one built from the classes.
 */
export interface LexiconIndex {
  /** Class names, in the knowledge's order. */
  classes: string[];
  /** Per language, the lookup's nodes: each a path of stems that starts one or more entries (a word of an entry, then
   * the next...), given by the node it extends (-1: none) and its last stem (an index into `words`), with the classes
   * (indexes into `classes`) of the entries that end there. */
  paths: Record<Lang, { words: string[]; parent: number[]; word: number[]; ends: number[][] }>;
  /** Per language, the stems of the entries of classes open to typos: what a long unknown word may be corrected to. */
  known: Record<Lang, string[]>;
  /** Per language, the stems of the exact classes' entries (drug names have their own matching): never corrected. */
  exactKnown: Record<Lang, string[]>;
  /** The longest entry, in words: how far a lookup walks from one token. */
  maxTerm: number;
  /** Already normalised words that are never corrected: real words (knowledge/real-words.json) and `stable` entries. */
  stable: string[];
  /** Number words, normalised, and their values. */
  numbers: Record<string, number>;
}

/** `exact`: classes looked up only as written. `realWords`: already normalised words that are never corrected. */
export function indexLexicon(classes: Record<string, LexiconClass>, opts: { stable?: string[]; realWords?: string[]; numbers?: Record<string, number>; exact?: string[] } = {}): LexiconIndex {
  const names = Object.keys(classes);
  const exact = new Set(opts.exact);
  const paths = { en: emptyPaths(), es: emptyPaths() };
  const known = { en: new Set<string>(), es: new Set<string>() };
  const exactKnown = { en: new Set<string>(), es: new Set<string>() };
  let maxTerm = 1;
  // Texting drops the g of -ing. An unknown "-in" word is read as its -ing word (keysOf), but one the lexicon lists
  // on its own ("talkin", "chillin") is read as written: entries of several words get the written form too, so that
  // "talkin to" matches "talking to".
  const listed = new Set<string>();
  for (const name of names) for (const term of classes[name].en) for (const w of tokenTexts(normalize(term))) listed.add(w);
  const withTexting = (lang: Lang, terms: string[]) => {
    if (lang !== 'en') return terms;
    const out = [...terms];
    for (const term of terms) {
      const words = tokenTexts(normalize(term));
      if (words.length < 2 || !words.some((w) => w.endsWith('ing') && listed.has(w.slice(0, -1)))) continue;
      out.push(words.map((w) => (w.endsWith('ing') && listed.has(w.slice(0, -1)) ? w.slice(0, -1) : w)).join(' '));
    }
    return out;
  };
  names.forEach((name, cls) => {
    for (const lang of LANGS) {
      const at = paths[lang];
      for (const term of withTexting(lang, classes[name][lang])) {
        const words = tokenTexts(normalize(term));
        let node = -1;
        for (const w of words) {
          const key = Lexicon.stem(lang, w);
          (exact.has(name) ? exactKnown : known)[lang].add(key);
          let word = at.wordIds.get(key);
          if (word === undefined) at.wordIds.set(key, (word = at.words.push(key) - 1));
          const edge = `${node} ${word}`;
          let next = at.nodes.get(edge);
          if (next === undefined) {
            at.nodes.set(edge, (next = at.parent.push(node) - 1));
            at.word.push(word);
            at.ends.push([]);
          }
          node = next;
        }
        if (node >= 0 && !at.ends[node].includes(cls)) at.ends[node].push(cls);
        maxTerm = Math.max(maxTerm, words.length);
      }
    }
  });
  const stable = new Set(opts.realWords);
  for (const w of opts.stable ?? []) stable.add(normalize(w));
  const numbers: Record<string, number> = {};
  for (const [w, n] of Object.entries(opts.numbers ?? {})) numbers[normalize(w)] = n;
  const lookup = ({ words, parent, word, ends }: ReturnType<typeof emptyPaths>) => ({ words, parent, word, ends });
  return {
    classes: names,
    paths: { en: lookup(paths.en), es: lookup(paths.es) },
    known: { en: [...known.en], es: [...known.es] },
    exactKnown: { en: [...exactKnown.en], es: [...exactKnown.es] },
    maxTerm,
    stable: [...stable],
    numbers,
  };
}

function emptyPaths() {
  return { words: [] as string[], wordIds: new Map<string, number>(), parent: [] as number[], word: [] as number[], ends: [] as number[][], nodes: new Map<string, number>() };
}

/** One language's lookup: a node and the next token's word number lead to the next node, in one map of numbers. */
interface Paths {
  wordIds: Map<string, number>;
  /** (node + 1) * width + word → the node that continues it. */
  next: Map<number, number>;
  width: number;
  ends: number[][];
}

function pathsOf({ words, parent, word, ends }: LexiconIndex['paths'][Lang]): Paths {
  const width = words.length;
  const next = new Map<number, number>();
  for (let node = 0; node < parent.length; node++) next.set((parent[node] + 1) * width + word[node], node);
  return { wordIds: new Map(words.map((w, i) => [w, i])), next, width, ends };
}

export class Lexicon {
  private readonly paths: Record<Lang, Paths>;
  private readonly classList: readonly string[];
  private readonly known: Record<Lang, Set<string>>;
  /** Stems of the exact classes: real words that are never taken for a typo. */
  private readonly exactKnown: Record<Lang, Set<string>>;
  /** Typo look-up by deletion, built after start-up in slices (prepareTypos) so that neither the start nor the first
   * answer with a typo waits for all of it; a typo read before it is complete finishes it first. */
  private readonly deletions: Record<Lang, Map<string, string[]>> = { en: new Map(), es: new Map() };
  /** Stems not yet in `deletions`, taken from the end. */
  private readonly unindexed: [Lang, string][];
  private readonly stable: Set<string>;
  private readonly numbers: Map<string, number>;
  private readonly wordKeys: BoundedCache<string, Pick<Token, 'key' | 'ids'>>;
  readonly classNames: ReadonlySet<string>;
  /** Longest entry in words: how far a lookup walks from one token. */
  private readonly maxTerm: number;

  constructor(index: LexiconIndex, opts: { cacheSize?: number } = {}) {
    this.wordKeys = new BoundedCache(opts.cacheSize ?? 50_000);
    this.paths = { en: pathsOf(index.paths.en), es: pathsOf(index.paths.es) };
    this.known = { en: new Set(index.known.en), es: new Set(index.known.es) };
    this.exactKnown = { en: new Set(index.exactKnown.en), es: new Set(index.exactKnown.es) };
    this.maxTerm = index.maxTerm;
    this.stable = new Set(index.stable);
    this.numbers = new Map(Object.entries(index.numbers));
    this.classList = index.classes;
    this.classNames = new Set(index.classes);
    this.unindexed = LANGS.flatMap((lang) => [...this.known[lang]].map((stem): [Lang, string] => [lang, stem]));
  }

  /** Indexes more vocabulary stems for typo look-up, for about `budgetMs` (all of them without one); true once every
   * stem is indexed. */
  prepareTypos(budgetMs = Infinity): boolean {
    if (!this.unindexed.length) return true;
    const until = performance.now() + budgetMs;
    while (this.unindexed.length) {
      // The clock is read every few stems (a stem takes some 15 µs).
      for (let n = 0; n < 16 && this.unindexed.length; n++) {
        const [lang, stem] = this.unindexed.pop()!;
        this.indexDeletions(lang, stem);
      }
      if (performance.now() >= until) break;
    }
    return this.unindexed.length === 0;
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
      // Spanish stems of three letters join unrelated words ("mate" the drink and "matar", "mar" and "mareado",
      // "agua" and "aguado"): such a word is looked up as written, and the lexicon lists its forms.
      if (lang === 'es' && stem.length < 4) stem = word;
      if (memo.size < 200_000) memo.set(word, stem);
    }
    return stem;
  }

  private deletionIndex(): Record<Lang, Map<string, string[]>> {
    this.prepareTypos();
    return this.deletions;
  }

  private indexDeletions(lang: Lang, stem: string): void {
    if (stem.length < MIN_FUZZY_LENGTH - 2) return;
    // One deletion on each side reaches every stem one edit away (a swap of two letters included).
    for (const variant of deletionsOf(stem, 1)) {
      const list = this.deletions[lang].get(variant);
      if (!list) this.deletions[lang].set(variant, [stem]);
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
      const { key, ids } = comma ? COMMA_KEYS : this.keysOf(word);
      const token: Token = { word, start: m.index!, end: m.index! + word.length, comma, key, ids };
      if (value !== undefined) token.value = value;
      tokens.push(token);
    }
    return tokens;
  }

  private keysOf(word: string): Pick<Token, 'key' | 'ids'> {
    return this.wordKeys.get(word, () => {
      const key = { en: Lexicon.stem('en', word), es: Lexicon.stem('es', word) };
      if (!this.stable.has(word) && !/\d/.test(word)) {
        for (const lang of LANGS) {
          if (this.known[lang].has(key[lang]) || this.exactKnown[lang].has(key[lang])) continue;
          // Texting drops the g of -ing ("shakin", "hallucinatin").
          const dropped = lang === 'en' && word.endsWith('in') ? Lexicon.stem('en', `${word}g`) : undefined;
          key[lang] = dropped && this.known.en.has(dropped) ? dropped : this.correct(lang, dropped ?? key[lang], word.length) ?? key[lang];
        }
      }
      return { key, ids: { en: this.paths.en.wordIds.get(key.en) ?? -1, es: this.paths.es.wordIds.get(key.es) ?? -1 } };
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
    const deletions = this.deletionIndex()[lang];
    for (const variant of deletionsOf(stem, maxEdits)) {
      for (const candidate of deletions.get(variant) ?? []) {
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
        const { next, width, ends } = this.paths[lang];
        let node = -1;
        for (let j = i; j < tokens.length && j - i < this.maxTerm; j++) {
          const word = tokens[j].ids[lang];
          const reached = word < 0 ? undefined : next.get((node + 1) * width + word);
          if (reached === undefined) break;
          node = reached;
          for (const c of ends[node]) {
            const cls = this.classList[c];
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
