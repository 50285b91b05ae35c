// Findings as patterns over word classes, after spaCy's Matcher and medspaCy's TargetRules: a pattern names classes,
// never spellings. `all`: every class, in any order, their first words at most `within` tokens apart; `seq`: the
// classes in this order, each after the one before, the last starting at most `within` tokens after the first; `not`: the match does not count when one of these classes
// touches it. Work per sentence is linear in its length: each anchor looks only `within` tokens around itself.
import type { Occurrence } from './lexicon.js';

export interface Pattern { all?: string[]; seq?: string[]; within?: number; not?: string[] }

export interface PatternMatch {
  id: string;
  /** Tokens [start, end) the match covers. */
  start: number;
  end: number;
  /** Token indexes that are the pattern's own elements (a negation word inside "not breathing" is not a trigger). */
  elements: number[];
}

interface Compiled { id: string; classes: string[]; ordered: boolean; within: number; not: string[] }

/** Occurrences of each class, in order of start. */
export type ClassIndex = Map<string, Occurrence[]>;

export function indexOccurrences(occurrences: Occurrence[]): ClassIndex {
  const index: ClassIndex = new Map();
  for (const o of occurrences) {
    const list = index.get(o.cls);
    if (list) list.push(o);
    else index.set(o.cls, [o]);
  }
  return index;
}

export class PatternMatcher {
  private readonly compiled: Compiled[] = [];
  /** The patterns that name each class, by their place in `compiled`: a sentence tries only those whose classes it has. */
  private readonly byClass = new Map<string, number[]>();

  constructor(findings: { id: string; patterns: Pattern[] }[]) {
    for (const f of findings) {
      for (const p of f.patterns) {
        const ordered = Boolean(p.seq);
        const classes = p.seq ?? p.all ?? [];
        const at = this.compiled.push({ id: f.id, classes, ordered, within: p.within ?? 6, not: p.not ?? [] }) - 1;
        const first = classes[0];
        if (!this.byClass.has(first)) this.byClass.set(first, []);
        this.byClass.get(first)!.push(at);
      }
    }
  }

  /** Every pattern match in a sentence, at most one per finding and anchor. */
  matches(index: ClassIndex): PatternMatch[] {
    const out: PatternMatch[] = [];
    const seen = new Set<string>();
    // Patterns whose first class the sentence has, in the knowledge's order (the order of the findings reported).
    const found: number[] = [];
    for (const cls of index.keys()) for (const at of this.byClass.get(cls) ?? []) found.push(at);
    // A typed array sorts numbers without a comparison function.
    const candidates = Int32Array.from(found).sort();
    for (const at of candidates) {
      const c = this.compiled[at];
      const first = index.get(c.classes[0]);
      if (!first || !c.classes.every((cls) => index.has(cls))) continue;
      for (const anchor of first) {
        const m = c.ordered ? matchSeq(c, anchor, index) : matchAll(c, anchor, index);
        if (!m || touches(c.not, m, index)) continue;
        const key = `${c.id}|${m.start}|${m.end}`;
        if (!seen.has(key)) { seen.add(key); out.push({ id: c.id, ...m }); }
      }
    }
    return out;
  }
}

type Span = Omit<PatternMatch, 'id'>;

function matchSeq(c: Compiled, anchor: Occurrence, index: ClassIndex): Span | undefined {
  const used: Occurrence[] = [anchor];
  let end = anchor.end;
  for (const cls of c.classes.slice(1)) {
    // The earliest occurrence after the previous element keeps the span shortest.
    const next = firstFrom(index.get(cls)!, end);
    // A window counts the words from the first element on; a multiword term ("hair on my arms") counts as one word.
    if (!next || next.start - anchor.start - (anchor.end - anchor.start - 1) > c.within) return undefined;
    used.push(next);
    end = next.end;
  }
  return span(used);
}

function matchAll(c: Compiled, anchor: Occurrence, index: ClassIndex): Span | undefined {
  const used: Occurrence[] = [anchor];
  for (const cls of c.classes.slice(1)) {
    let best: Occurrence | undefined;
    let bestGap = Infinity;
    for (const o of around(index.get(cls)!, anchor.start - c.within, anchor.end - 1 + c.within)) {
      if (used.some((u) => overlaps(u, o))) continue;
      const gap = o.start >= anchor.end ? o.start - anchor.end : anchor.start - o.end;
      if (gap < bestGap) { best = o; bestGap = gap; }
    }
    if (!best) return undefined;
    used.push(best);
  }
  // As in a sequence: the first element's own words beyond its first do not use up the window.
  let first = used[0];
  let last = used[0].start;
  for (const u of used) { if (u.start < first.start) first = u; if (u.start > last) last = u.start; }
  return last - first.start - (first.end - first.start - 1) <= c.within ? span(used) : undefined;
}

function span(used: Occurrence[]): Span {
  const elements: number[] = [];
  for (const u of used) for (let i = u.start; i < u.end; i++) elements.push(i);
  return { start: Math.min(...used.map((u) => u.start)), end: Math.max(...used.map((u) => u.end)), elements };
}

function overlaps(a: Occurrence, b: Occurrence): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Index of the first occurrence starting at or after `from` (binary search: lists are sorted by start). */
function lowerBound(list: Occurrence[], from: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].start < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function firstFrom(list: Occurrence[], from: number): Occurrence | undefined {
  return list[lowerBound(list, from)];
}

function* around(list: Occurrence[], from: number, to: number): Generator<Occurrence> {
  for (let i = lowerBound(list, from); i < list.length && list[i].start <= to; i++) yield list[i];
}

/** An excluding class inside the match or right beside it. */
function touches(not: string[], m: Span, index: ClassIndex): boolean {
  for (const cls of not) {
    for (const o of around(index.get(cls) ?? [], m.start - 6, m.end)) if (o.end >= m.start - 1 && o.start <= m.end) return true;
  }
  return false;
}
