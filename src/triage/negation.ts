// Negation over a sentence's tokens, after NegEx and ConText (Chapman 2001, Harkema 2009; clinical.md 6.4): a trigger
// ("no", "don't have", "sin") negates what follows until a termination term, a new subject, or the end of its
// scope; a list carries the negation on ("no vomiting, diarrhoea, rash or headache"; "not twitching or sweating"),
// while a comma that does not continue a list ends it ("shaking, no fever" keeps the shaking). A trigger after a
// mention ("fever: none") negates it when nothing follows; a summary denial ("none of that", "nada de eso") negates
// everything named before it in the sentence. Pseudo-triggers ("not sure", "can't stop") negate nothing.
// Trigger words are lexicon classes (knowledge/lexicon/context.json); each scope is bounded, so the work is linear.
import type { Token } from './lexicon.js';
import type { ClassIndex } from './patterns.js';

export const NEGATION_CLASSES = {
  before: 'NEG_BEFORE',
  after: 'NEG_AFTER',
  pseudo: 'NEG_PSEUDO',
  end: 'SCOPE_END',
  subject: 'NEW_SUBJECT',
  or: 'LIST_OR',
  and: 'LIST_AND',
  summary: 'NEG_SUMMARY',
} as const;

const MAX_SCOPE = 30;
const MAX_ITEM = 5;

/** Where the words that end or carry on a negation's scope start, as token flags of one sentence. */
interface ScopeWords { end: Uint8Array; subject: Uint8Array; or: Uint8Array; and: Uint8Array }

/** Tokens covered by a class's occurrences. */
function flagged(n: number, index: ClassIndex, cls: string): Uint8Array {
  const f = new Uint8Array(n);
  for (const o of index.get(cls) ?? []) for (let i = o.start; i < o.end; i++) f[i] = 1;
  return f;
}

/** Tokens where a class's occurrence starts, unless a pseudo-trigger covers it. */
function startsOf(n: number, index: ClassIndex, cls: string, pseudo: Uint8Array): Uint8Array {
  const f = new Uint8Array(n);
  for (const o of index.get(cls) ?? []) if (!pseudo[o.start]) f[o.start] = 1;
  return f;
}

function stops(words: ScopeWords, i: number): boolean {
  return words.end[i] === 1 || words.subject[i] === 1;
}

/** Does the list that a comma at i opens end in a conjunction ("..., rash, itching or headache")? */
function listContinues(tokens: Token[], words: ScopeWords, i: number): boolean {
  let item = 0;
  for (let j = i + 1; j < tokens.length && j <= i + MAX_SCOPE; j++) {
    if (stops(words, j)) return false;
    if (tokens[j].comma) { if (item === 0) return false; item = 0; continue; }
    if (words.or[j] || words.and[j]) return item > 0;
    if (++item > MAX_ITEM) return false;
  }
  return false;
}

/** Token flags for one sentence: where negation triggers sit and which tokens a negation covers. */
export class NegationScopes {
  private readonly covered: Uint8Array;
  private readonly trigger: Uint8Array;
  private readonly afterTrigger: Uint8Array;

  /** `elements`: tokens that belong to a finding's own pattern ("not" in "not breathing"): never triggers. */
  constructor(private readonly tokens: Token[], index: ClassIndex, elements: Set<number>) {
    const n = tokens.length;
    const pseudo = flagged(n, index, NEGATION_CLASSES.pseudo);
    this.trigger = new Uint8Array(n);
    this.afterTrigger = new Uint8Array(n);
    for (const o of index.get(NEGATION_CLASSES.before) ?? []) {
      let own = false;
      for (let i = o.start; i < o.end; i++) own ||= elements.has(i) || pseudo[i] === 1;
      if (!own) for (let i = o.start; i < o.end; i++) this.trigger[i] = 1;
    }
    for (const o of index.get(NEGATION_CLASSES.after) ?? []) if (!elements.has(o.start) && !pseudo[o.start]) this.afterTrigger[o.start] = 1;
    const words: ScopeWords = {
      end: startsOf(n, index, NEGATION_CLASSES.end, pseudo),
      subject: startsOf(n, index, NEGATION_CLASSES.subject, pseudo),
      or: startsOf(n, index, NEGATION_CLASSES.or, pseudo),
      and: startsOf(n, index, NEGATION_CLASSES.and, pseudo),
    };
    const { or, and } = words;

    this.covered = new Uint8Array(n);
    // "the shaking, the sweating, the jerky legs - he's had none of them": a denial of everything named before it.
    let lastSummary = -1;
    for (const o of index.get(NEGATION_CLASSES.summary) ?? []) if (!pseudo[o.start]) lastSummary = Math.max(lastSummary, o.start);
    for (let i = 0; i < lastSummary; i++) this.covered[i] = 1;
    for (let t = 0; t < n; t++) {
      if (!this.trigger[t] || (t > 0 && this.trigger[t - 1])) continue;
      let commaSeen = false;
      let item = 0;
      let i = t;
      while (i < n && this.trigger[i]) i++;
      for (; i < n && i < t + MAX_SCOPE; i++) {
        if (stops(words, i)) break;
        if (tokens[i].comma) {
          if (!listContinues(tokens, words, i)) break;
          commaSeen = true;
          item = 0;
          continue;
        }
        if (or[i]) { item = 0; continue; }
        if (and[i]) { if (!commaSeen) break; item = 0; continue; }
        if (++item > MAX_ITEM + 2) break;
        this.covered[i] = 1;
      }
    }
  }

  /** A mention over tokens [start, end) is negated: covered by a scope, a trigger inside it, or a trigger right after. */
  negates(start: number, end: number, elements: number[]): boolean {
    if (this.covered[start]) return true;
    for (let i = start; i < end; i++) if (this.trigger[i] && !elements.includes(i)) return true;
    // "fever: no", "seizures - none": the trigger ends the sentence or its list item.
    const next = end;
    return next < this.tokens.length && this.afterTrigger[next] === 1 && (next + 1 === this.tokens.length || this.tokens[next + 1].comma);
  }
}
