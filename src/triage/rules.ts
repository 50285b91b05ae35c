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
];

export class RuleEngine {
  constructor(private readonly k: Knowledge) {
    const known = new Set([...BASE_FACTS, ...k.findings.map((f) => `sym:${f.id}`), ...Object.keys(k.definitions)]);
    const check = (c: Condition, where: string) => {
      for (const name of factNames(c)) if (!known.has(name)) throw new KnowledgeError('rules.json', where, `unknown fact "${name}"`);
    };
    for (const [name, d] of Object.entries(k.definitions)) check(d.when, `definition "${name}"`);
    for (const r of k.rules) check(r.when, `entry "${r.id}"`);
    for (const q of k.questions) check(q.when, `question "${q.topic}"`);
    for (const name of Object.keys(k.definitions)) this.evaluate(name, new Map(), new Map(), []); // cycles fail now
  }

  fired(facts: Facts): { rule: Rule; evidence: Evidence }[] {
    const cache = new Map<string, Evidence | null>();
    const out: { rule: Rule; evidence: Evidence }[] = [];
    for (const rule of this.k.rules) {
      const evidence = this.evaluate(rule.when, facts, cache, []);
      if (evidence) out.push({ rule, evidence });
    }
    return out;
  }

  holds(c: Condition, facts: Facts): Evidence | null {
    return this.evaluate(c, facts, new Map(), []);
  }

  private evaluate(c: Condition, facts: Facts, cache: Map<string, Evidence | null>, stack: string[]): Evidence | null {
    if (typeof c === 'string') {
      const def = this.k.definitions[c];
      if (!def) return facts.get(c) ?? null;
      if (cache.has(c)) return cache.get(c)!;
      if (stack.includes(c)) throw new KnowledgeError('rules.json', `definition "${c}"`, 'refers to itself');
      const value = this.evaluate(def.when, facts, cache, [...stack, c]);
      cache.set(c, value);
      return value;
    }
    if ('all' in c) {
      const parts: Evidence = [];
      for (const sub of c.all) {
        const e = this.evaluate(sub, facts, cache, stack);
        if (!e) return null;
        parts.push(...e);
      }
      return unique(parts);
    }
    if ('any' in c) {
      const parts = c.any.map((sub) => this.evaluate(sub, facts, cache, stack)).filter((e): e is Evidence => e !== null);
      return parts.length ? unique(parts.flat()) : null;
    }
    if ('not' in c) return this.evaluate(c.not, facts, cache, stack) ? null : [];
    const parts = c.of.map((sub) => this.evaluate(sub, facts, cache, stack)).filter((e): e is Evidence => e !== null);
    return parts.length >= c.atLeast ? unique(parts.flat()) : null;
  }
}

function factNames(c: Condition): string[] {
  if (typeof c === 'string') return [c];
  if ('all' in c) return c.all.flatMap(factNames);
  if ('any' in c) return c.any.flatMap(factNames);
  if ('not' in c) return factNames(c.not);
  return c.of.flatMap(factNames);
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
