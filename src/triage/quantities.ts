// Amounts taken at once: "took 6 of them", "swallowed like 40 of the 20 mg ones", "me tomé 10 pastillas". The words
// are lexicon classes named by knowledge/findings (`quantities`); the reading is a bounded look to the right of each
// intake verb, so it is linear in the sentence. Whether an amount is an overdose is decided with the knowledge's
// thresholds: a count of tablets at once, or the milligrams against the drug's usual maximum daily dose.
import type { Token } from './lexicon.js';
import type { ClassIndex } from './patterns.js';

export interface QuantityRule {
  /** The finding an excessive amount counts as. */
  finding: string;
  /** Class of verbs of taking something at once (past or present: "took", "swallowed", "just had"). */
  intake: string;
  /** Classes of what is counted ("pills", "tablets", "of them", "ones"; drug names). */
  units: string[];
  /** Class of milligram words ("mg", "milligrams"). */
  milligrams: string;
  /** Class of words that make it a regimen, not a single intake ("a day", "twice", "every"). */
  regimen: string;
  /** Tablets taken at once from which the amount counts, when no strength says more. */
  tabletsAtOnce: number;
  /** How far after the verb the count may stand, in tokens. */
  within: number;
}

export interface Intake {
  count: number;
  /** Milligrams per tablet, when said ("40 of the 20 mg ones"). */
  strengthMg?: number;
  /** Tokens [start, end) of the whole amount, verb included. */
  start: number;
  end: number;
}

const NEAR_UNIT = 5;

/** The furthest end of a class's occurrences, by where they start. */
function endsByStart(index: ClassIndex, cls: string): Map<number, number> {
  const starts = new Map<number, number>();
  for (const o of index.get(cls) ?? []) starts.set(o.start, Math.max(o.end, starts.get(o.start) ?? 0));
  return starts;
}

export function readIntakes(tokens: Token[], index: ClassIndex, rule: QuantityRule): Intake[] {
  const out: Intake[] = [];
  const units = new Map<number, number>();
  for (const cls of rule.units) for (const [start, end] of endsByStart(index, cls)) units.set(start, Math.max(end, units.get(start) ?? 0));
  const mg = endsByStart(index, rule.milligrams);
  const regimen = index.get(rule.regimen) ?? [];
  for (const verb of index.get(rule.intake) ?? []) {
    for (let j = verb.end; j < tokens.length && j <= verb.end + rule.within; j++) {
      const count = tokens[j].value;
      if (count === undefined || tokens[j].comma) continue;
      if (mg.has(j + 1)) break; // "took 20 mg": a strength, not a count of tablets
      let end = 0;
      let strengthMg: number | undefined;
      for (let k = j + 1; k < tokens.length && k <= j + NEAR_UNIT; k++) {
        if (tokens[k].value !== undefined && mg.has(k + 1)) { strengthMg = tokens[k].value; end = Math.max(end, mg.get(k + 1)!); continue; }
        if (units.has(k)) { end = Math.max(end, units.get(k)!); break; }
      }
      if (!end) break;
      if (regimen.some((r) => r.start >= verb.start - 2 && r.start <= end + 3)) break;
      out.push({ count, ...(strengthMg !== undefined ? { strengthMg } : {}), start: verb.start, end });
      break;
    }
  }
  return out;
}
