// Schemas for every file in knowledge/. A file that does not fit stops the start with its name, entry and problem.
import { z } from 'zod';
import { FOLLOW_UP_TOPICS, LEVELS, PATTERN_IDS, RED_FLAG_IDS } from '../types.js';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'ids are lowercase letters, digits and dashes');
const sources = z.array(z.string().min(1)).min(1, 'every entry needs at least one source');

export const SourcesFile = z.object({
  sources: z.array(z.object({ id, citation: z.string().min(5), section: z.string().min(3) })).min(1),
});

export const DRUG_CLASSES = [
  'ssri', 'snri', 'maoi', 'tca', 'antidepressant', 'opioid', 'triptan', 'benzodiazepine', 'z-drug', 'barbiturate',
  'gabapentinoid', 'antihistamine', 'muscle-relaxant', 'antipsychotic', 'alcohol', 'ghb', 'stimulant', 'supplement',
  'antibiotic', 'antiemetic', 'mood-stabiliser', 'anxiolytic', 'antiparkinson', 'cough-suppressant', 'baclofen', 'other',
] as const;
export const DEPRESSANT_CLASSES = [
  'opioid', 'benzodiazepine', 'alcohol', 'z-drug', 'barbiturate', 'gabapentinoid', 'sedating-antihistamine',
  'muscle-relaxant', 'sedating-antidepressant', 'antipsychotic', 'ghb', 'baclofen',
] as const;
export const ROUTES = ['oral', 'liquid', 'patch', 'intrathecal', 'injection', 'inhaled', 'nasal', 'sublingual', 'topical'] as const;

export const Medication = z.object({
  id,
  brands: z.array(z.string().min(2)),
  street: z.array(z.string().min(2)),
  spanish: z.array(z.string().min(2)),
  misspellings: z.array(z.string().min(3)),
  classes: z.array(z.enum(DRUG_CLASSES)).min(1),
  serotonergicTier: z.enum(['A', 'B', 'C']).nullable(),
  maoi: z.boolean(),
  cnsDepressant: z.boolean(),
  depressantClass: z.enum(DEPRESSANT_CLASSES).nullable(),
  routes: z.array(z.enum(ROUTES)).min(1),
  /** Usual maximum daily dose by mouth in milligrams (label), for amounts taken at once; absent where no source gives one. */
  maxDailyMg: z.number().positive().optional(),
  confusableWith: z.array(id),
  /** A long-acting benzodiazepine (diazepam, clonazepam, chlordiazepoxide): withdrawal can come later and last longer. */
  longActing: z.boolean().optional(),
  sources,
});
export type Medication = z.infer<typeof Medication>;
export const MedicationsFile = z.object({ version: z.string().min(1), medications: z.array(Medication).min(1) });

/** Lexicon class names are upper case ("CHEST", "NEG_BEFORE"): a pattern names classes, never spellings. */
const className = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'class names are upper-case letters, digits and underscores');
// Lists of thousands of entries: one check per list (start-up time), naming the first bad entry.
const terms = z.custom<string[]>((v) => Array.isArray(v) && v.every((t) => typeof t === 'string' && /[a-z0-9\u00c0-\u024f]/i.test(t)), 'terms are strings with a letter or digit');

export const LexiconFile = z.object({
  about: z.string().min(3),
  sources: z.array(z.string().min(1)).min(1, 'every lexicon file needs at least one source'),
  classes: z.record(className, z.object({ about: z.string().min(3), en: terms, es: terms }).strict()),
  /** Words a typo is never corrected to or from (common words close to a lexicon word). */
  stable: z.array(z.string().min(1)).optional(),
  /** Number words ("forty", "cuarenta") and their values, for amounts. */
  numbers: z.record(z.string().min(1), z.number()).optional(),
}).strict();

/** Real English words that sit within a typo of a lexicon word ("weaning"/"weaving"): never corrected. */
export const RealWordsFile = z.object({
  about: z.string().min(3),
  generatedBy: z.string().min(3),
  /** Hash of the lexicon files it was made from: a changed lexicon needs the list made again. */
  lexiconHash: z.string().min(8),
  // Tens of thousands of words: one cheap check instead of a schema per element (start-up time).
  words: z.custom<string[]>((v) => Array.isArray(v) && v.every((w) => typeof w === 'string' && /^[a-z]+$/.test(w)), 'words are lowercase letters'),
}).strict();

export const Pattern = z.object({
  all: z.array(className).min(1).optional(),
  seq: z.array(className).min(1).optional(),
  within: z.number().int().min(0).max(15).optional(),
  not: z.array(className).min(1).optional(),
}).strict().refine((p) => Boolean(p.all) !== Boolean(p.seq), { message: 'a pattern has either "all" or "seq"' });

export const Finding = z.object({
  id,
  label: z.string().min(3),
  labelEs: z.string().min(3),
  patterns: z.array(Pattern).min(1),
  /** Read only where no other finding covers the same words (the catch-all for symptoms the check does not know). */
  fallback: z.boolean().optional(),
  /**
   * A part of another finding, never reported on its own: present in the answers together with one of the findings
   * `with` (parts too; either may come first, in any answer), it gives the finding `gives` (a plan or means told in one
   * sentence, a wish to die in another, give suicidal intent).
   */
  completes: z.object({ with: z.array(id).min(1), gives: id }).strict().optional(),
  sources,
}).strict();
export type Finding = z.infer<typeof Finding>;

export const QuantityRule = z.object({
  finding: id,
  intake: className,
  units: z.array(className).min(1),
  milligrams: className,
  regimen: className,
  tabletsAtOnce: z.number().int().min(2),
  within: z.number().int().min(1).max(10),
  note: z.string().min(3),
  sources,
}).strict();

export const FindingsFile = z.object({
  about: z.string().min(3),
  findings: z.array(Finding),
  quantities: QuantityRule.optional(),
}).strict();

/** A rule condition: a named fact, or a combination of conditions. Facts are computed by the engine from findings. */
export type Condition = string | { all: Condition[] } | { any: Condition[] } | { not: Condition } | { atLeast: number; of: Condition[] };
export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.string().min(2),
    z.object({ all: z.array(Condition).min(1) }).strict(),
    z.object({ any: z.array(Condition).min(1) }).strict(),
    z.object({ not: Condition }).strict(),
    z.object({ atLeast: z.number().int().min(1), of: z.array(Condition).min(1) }).strict(),
  ]),
);

export const Rule = z.object({
  id: z.string().min(2),
  title: z.string().min(3),
  when: Condition,
  level: z.enum(LEVELS),
  pattern: z.enum(PATTERN_IDS).optional(),
  status: z.enum(['met', 'at-risk']).optional(),
  redFlag: z.enum(RED_FLAG_IDS).optional(),
  note: z.string().optional(),
  sources,
}).refine((r) => !r.pattern || r.status, { message: 'a rule with a pattern needs a status' });
export type Rule = z.infer<typeof Rule>;
export const Question = z.object({
  topic: z.enum(FOLLOW_UP_TOPICS),
  when: Condition,
  why: z.string().min(3),
  sources,
});
export const RulesFile = z.object({
  version: z.string().min(1),
  /** Named conditions that rules and questions may use by name, like facts. */
  definitions: z.record(z.string(), z.object({ when: Condition, sources })),
  rules: z.array(Rule).min(1),
  questions: z.array(Question),
});

/** Word classes of knowledge/use.json: amounts, frequency, containers, last use, past withdrawal seizures or DTs. */
export const USE_CLASSES = [
  'DAILY', 'EVERY_FEW_DAYS', 'OCCASIONAL', 'HEAVY', 'LONG_TIME', 'LARGE_CONTAINER', 'OTHER_DRINK', 'DRINK_VERB',
  'ALCOHOL_UNIT', 'MEDICINE_WORD', 'LAST', 'NOT_AFTER_LAST', 'USE_WORD', 'SOBER', 'SOBER_ALCOHOL', 'STOPPED_DRINKING',
  'STOP_VERB', 'NO_LONGER', 'NOT_SUBSTANCE', 'INTENT', 'HISTORY', 'COMPLICATION', 'DT', 'PRESCRIBED_FORM',
] as const;
export type UseClass = (typeof USE_CLASSES)[number];
const phrase = z.string().regex(/^[a-z0-9' ]+$/, 'phrases are lowercase words without accents or punctuation');
export const UseFile = z.object({
  classes: z.record(z.enum(USE_CLASSES), z.object({ en: z.array(phrase), es: z.array(phrase), sources })),
});

const localized = z.object({ en: z.string().min(3), es: z.string().min(3) });
const localizedList = z.object({ en: z.array(z.string().min(3)), es: z.array(z.string().min(3)) });
export const GuidanceFile = z.object({
  levels: z.record(z.enum(LEVELS), z.object({ headline: localized, advice: localizedList, safetyNet: localizedList, sources })),
  patterns: z.record(z.string(), z.object({ advice: localizedList, sources })),
  redFlags: z.record(z.string(), z.object({ advice: localizedList, sources })),
  notes: z.record(z.string(), z.object({ text: localized, sources })),
});
export const ContactsFile = z.object({
  defaultCountry: z.string().length(2),
  countries: z.record(z.string().length(2), z.object({
    languages: z.array(z.string()),
    contacts: z.array(z.object({
      kind: z.enum(['emergency', 'crisis', 'poison', 'non-emergency', 'helpline']),
      label: localized,
      number: z.string().min(2),
      text: localized.optional(),
      sources,
    })).min(1),
  })),
  regions: z.record(z.string(), z.string().length(2)),
});
