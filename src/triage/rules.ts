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
    this.compileAll();
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
    return new Evaluation(this, facts, new Array(this.definitionCount));
  }

  /** The rules that hold, in file order; `only` limits which are tried. */
  firedOver(facts: Facts, memo: Memo, only?: (rule: Rule) => boolean): { rule: Rule; evidence: Evidence }[] {
    const out: { rule: Rule; evidence: Evidence }[] = [];
    const rules = this.k.rules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      if (only && !only(rule)) continue;
      const evidence = this.ruleTests[i](facts, memo);
      if (evidence) out.push({ rule, evidence });
    }
    return out;
  }

  holdsOver(facts: Facts, memo: Memo, c: Condition): Evidence | null {
    return this.compiled(c)(facts, memo);
  }

  // Conditions are turned into functions once, at start-up: an evaluation then walks no JSON, looks up no definition
  // by name, and keeps each definition's result in a slot of its own.
  private readonly definitionSlots = new Map<string, number>();
  private readonly definitionTests: Test[] = [];
  private definitionCount = 0;
  private readonly ruleTests: Test[] = [];
  /** Conditions met outside rules.json's rules (questions, guidance lines), compiled on first use. */
  private readonly byName = new Map<string, Test>();
  private readonly byCondition = new WeakMap<object, Test>();

  private compileAll(): void {
    for (const name of Object.keys(this.k.definitions)) this.definitionSlots.set(name, this.definitionCount++);
    for (const [name, d] of Object.entries(this.k.definitions)) this.definitionTests[this.definitionSlots.get(name)!] = this.compile(d.when);
    for (const r of this.k.rules) this.ruleTests.push(this.compile(r.when));
    for (const q of this.k.questions) this.compiled(q.when);
  }

  private compiled(c: Condition): Test {
    if (typeof c === 'string') {
      let t = this.byName.get(c);
      if (!t) this.byName.set(c, (t = this.compile(c)));
      return t;
    }
    let t = this.byCondition.get(c);
    if (!t) this.byCondition.set(c, (t = this.compile(c)));
    return t;
  }

  private compile(c: Condition): Test {
    if (typeof c === 'string') {
      const slot = this.definitionSlots.get(c);
      if (slot === undefined) return (facts) => facts.get(c) ?? null;
      const tests = this.definitionTests;
      return (facts, memo) => {
        let value = memo[slot];
        if (value === undefined) memo[slot] = value = tests[slot](facts, memo);
        return value;
      };
    }
    if ('all' in c) {
      const subs = c.all.map((sub) => this.compile(sub));
      return (facts, memo) => {
        let parts: Evidence = [];
        for (const sub of subs) {
          const e = sub(facts, memo);
          if (!e) return null;
          if (e.length) parts = parts.length ? [...parts, ...e] : e;
        }
        return unique(parts);
      };
    }
    if ('not' in c) {
      const sub = this.compile(c.not);
      return (facts, memo) => (sub(facts, memo) ? null : []);
    }
    const subs = ('any' in c ? c.any : c.of).map((sub) => this.compile(sub));
    const needed = 'any' in c ? 1 : c.atLeast;
    return (facts, memo) => {
      let count = 0;
      let parts: Evidence = [];
      for (const sub of subs) {
        const e = sub(facts, memo);
        if (!e) continue;
        count++;
        if (e.length) parts = parts.length ? [...parts, ...e] : e;
      }
      return count >= needed ? unique(parts) : null;
    };
  }
}

/** A compiled condition: the evidence that makes it true over the facts, or null. */
type Test = (facts: Facts, memo: Memo) => Evidence | null;
/** Each definition's result in one evaluation, by its slot (undefined: not computed yet). */
type Memo = (Evidence | null | undefined)[];

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

/** One evaluation: its facts and the definitions computed so far, shared by rules and questions. */
class Evaluation implements RuleEvaluation {
  constructor(private readonly engine: RuleEngine, private readonly facts: Facts, private readonly memo: Memo) {}

  fired(only?: (rule: Rule) => boolean): { rule: Rule; evidence: Evidence }[] {
    return this.engine.firedOver(this.facts, this.memo, only);
  }

  holds(c: Condition): Evidence | null {
    return this.engine.holdsOver(this.facts, this.memo, c);
  }
}
