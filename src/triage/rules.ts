// Evaluates the rules of knowledge/rules.json over the facts. A condition yields the evidence that makes it
// true, or null. Unknown fact names fail at start-up, not during a conversation.
import type { Condition, Rule } from './knowledge/schema.js';
import type { Knowledge } from './knowledge/load.js';
import { KnowledgeError } from './knowledge/load.js';
import type { Evidence, Facts } from './facts.js';

/** Fact names the engine can produce; `sym:<finding>` is added per finding. */
const BASE_FACTS = [
  'denied:rash', 'temp:above-38', 'temp:above-38.5', 'temp:40-or-more', 'temp:measured-normal', 'temp:unknown',
  'hr:above-100', 'hr:120-or-more', 'drug:serotonergic', 'drug:two-serotonergic', 'drug:high-risk-serotonergic-pair',
  'drug:planned-serotonergic-addition', 'change:serotonergic-within-24h', 'change:serotonergic-within-72h',
  'change:serotonergic-within-14d', 'drug:baclofen', 'baclofen:pump-user', 'baclofen:interrupted-within-14d',
  'baclofen:interrupted-within-7d', 'baclofen:pump-problem', 'drug:baclofen-with-depressant',
  'drug:opioid-with-benzodiazepine', 'drug:three-depressants', 'change:antidepressant-within-2-months',
  'answer:suicidal-thoughts', 'answer:suicidal-intent', 'context:alcohol-use-disorder', 'context:opioid-stopped',
  'context:antipsychotic-started',
  // Withdrawal at intake (facts.ts withdrawalFacts)
  'alcohol:use', 'alcohol:mentioned', 'alcohol:daily', 'alcohol:heavy', 'alcohol:occasional', 'benzo:use', 'opioid:use', 'opioid:illicit',
  'drug:opioid-with-depressant', 'history:withdrawal-complication',
  ...['alcohol', 'benzo', 'benzo-long-acting', 'opioid'].flatMap((g) => [`${g}:stopped`, ...[5, 7, 14, 28].map((d) => `${g}:off-within-${d}d`)]),
  // The conversation's own answers (answers.ts).
  'answer:emergency-sign',
  // For advice lines that apply only to some people (guidance.json "[condition] text").
  'drug:any', 'drug:antidepressant', 'change:overdose',
];

export class RuleEngine {
  private readonly known: Set<string>;

  constructor(private readonly k: Omit<Knowledge, 'lexicon'>) {
    const known = new Set([...BASE_FACTS, ...k.findings.map((f) => `sym:${f.id}`), ...Object.keys(k.definitions)]);
    this.known = known;
    const check = (c: Condition, where: string) => {
      for (const name of factNames(c)) if (!known.has(name)) throw new KnowledgeError('rules.json', where, `unknown fact "${name}"`);
    };
    for (const [name, d] of Object.entries(k.definitions)) check(d.when, `definition "${name}"`);
    for (const r of k.rules) check(r.when, `entry "${r.id}"`);
    for (const q of k.questions) check(q.when, `question "${q.topic}"`);
    // Cycles fail now, so evaluation need not track its path.
    for (const name of Object.keys(k.definitions)) this.checkAcyclic(name, []);
  }

  private checkAcyclic(name: string, path: string[]): void {
    const def = this.k.definitions[name];
    if (!def) return;
    if (path.includes(name)) throw new KnowledgeError('rules.json', `definition "${name}"`, 'refers to itself');
    for (const ref of factNames(def.when)) this.checkAcyclic(ref, [...path, name]);
  }

  /** Whether a fact or definition of this name exists (for conditions written outside rules.json). */
  knows(name: string): boolean {
    return this.known.has(name);
  }

  /** Rule evaluation over one set of facts; definitions are computed once and shared by rules and questions. */
  over(facts: Facts): RuleEvaluation {
    const cache = new Map<string, Evidence | null>();
    const holds = (c: Condition) => this.evaluate(c, facts, cache);
    return {
      fired: (only) => {
        const out: { rule: Rule; evidence: Evidence }[] = [];
        for (const rule of this.k.rules) {
          if (only && !only(rule)) continue;
          const evidence = holds(rule.when);
          if (evidence) out.push({ rule, evidence });
        }
        return out;
      },
      holds,
    };
  }

  private evaluate(c: Condition, facts: Facts, cache: Map<string, Evidence | null>): Evidence | null {
    if (typeof c === 'string') {
      const def = this.k.definitions[c];
      if (!def) return facts.get(c) ?? null;
      let value = cache.get(c);
      if (value === undefined) cache.set(c, (value = this.evaluate(def.when, facts, cache)));
      return value;
    }
    if ('all' in c) {
      let parts: Evidence = [];
      for (const sub of c.all) {
        const e = this.evaluate(sub, facts, cache);
        if (!e) return null;
        if (e.length) parts = parts.length ? [...parts, ...e] : e;
      }
      return unique(parts);
    }
    if ('not' in c) return this.evaluate(c.not, facts, cache) ? null : [];
    const subs = 'any' in c ? c.any : c.of;
    let count = 0;
    let parts: Evidence = [];
    for (const sub of subs) {
      const e = this.evaluate(sub, facts, cache);
      if (!e) continue;
      count++;
      if (e.length) parts = parts.length ? [...parts, ...e] : e;
    }
    return count >= ('any' in c ? 1 : c.atLeast) ? unique(parts) : null;
  }
}

function factNames(c: Condition): string[] {
  if (typeof c === 'string') return [c];
  if ('all' in c) return c.all.flatMap(factNames);
  if ('any' in c) return c.any.flatMap(factNames);
  if ('not' in c) return factNames(c.not);
  return c.of.flatMap(factNames);
}

function unique(list: Evidence): Evidence {
  return list.length < 2 ? list : [...new Set(list)];
}

export interface RuleEvaluation {
  /** The rules that hold, in file order; `only` limits which are tried. */
  fired(only?: (rule: Rule) => boolean): { rule: Rule; evidence: Evidence }[];
  holds(c: Condition): Evidence | null;
}
