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
  confusableWith: z.array(id),
  /** A long-acting benzodiazepine (diazepam, clonazepam, chlordiazepoxide): withdrawal can come later and last longer. */
  longActing: z.boolean().optional(),
  sources,
});
export type Medication = z.infer<typeof Medication>;
export const MedicationsFile = z.object({ version: z.string().min(1), medications: z.array(Medication).min(1) });

export const Finding = z.object({
  id,
  label: z.string().min(3),
  labelEs: z.string().min(3),
  en: z.array(z.string().min(2)).min(1),
  es: z.array(z.string().min(2)),
  sources,
});
export type Finding = z.infer<typeof Finding>;
export const FindingsFile = z.object({ findings: z.array(Finding).min(1) });

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
