// Public shapes of the triage core. Field names of Assessment are a contract (DESIGN.md): never rename.

export const LEVELS = ['self-monitor', 'contact-clinician', 'urgent', 'emergency'] as const;
export type Level = (typeof LEVELS)[number];

export const PATTERN_IDS = [
  'serotonin-toxicity', 'baclofen-withdrawal', 'cns-depression',
  'alcohol-withdrawal', 'benzodiazepine-withdrawal', 'opioid-withdrawal',
] as const;
export type PatternId = (typeof PATTERN_IDS)[number];
export type PatternStatus = 'met' | 'at-risk' | 'absent';

export const RED_FLAG_IDS = [
  'seizure', 'unresponsive', 'breathing', 'cyanosis', 'chest-pain',
  'severe-confusion', 'hyperthermia', 'suicidal-intent', 'overdose',
  // Emergencies outside the three patterns (clinical.md 5.1b).
  'stroke', 'anaphylaxis', 'bleeding', 'head-injury',
] as const;
export type RedFlagId = (typeof RED_FLAG_IDS)[number];

/** `screen` is the emergency screen's answer: whether any emergency sign is happening now (DESIGN.md, the conversation). */
export const FOLLOW_UP_TOPICS = [
  'temperature', 'pump', 'timing', 'breathing', 'suicidal', 'alcohol', 'last-use', 'amount', 'withdrawal-history', 'screen', 'other',
] as const;
export type FollowUpTopic = (typeof FOLLOW_UP_TOPICS)[number];

/** What a person (or an integrator) answered. Every field may be empty. */
export interface AssessInput {
  medications?: string;
  doseChanges?: string;
  symptoms?: string;
  followUps?: Partial<Record<FollowUpTopic, string>>;
  /** ISO-8601 with offset; relative times resolve against it. Defaults to the current time in UTC. */
  now?: string;
  /** BCP-47; picks the emergency numbers and the language hints. */
  locale?: string;
}

export type MatchKind = 'exact' | 'brand' | 'street' | 'spanish' | 'misspelling' | 'fuzzy';

export interface MedicationFinding {
  name: string;
  text: string;
  match: MatchKind;
  route?: string;
  classes: string[];
  /** A fuzzy match or a confusable look-alike: the conversation must confirm it with the person. */
  needsConfirmation?: boolean;
  confusableWith?: string[];
}

export type DoseChangeKind =
  | 'started' | 'stopped' | 'ran-out' | 'missed' | 'increased' | 'decreased' | 'restarted'
  | 'pump-alarm' | 'refill-missed' | 'pump-surgery' | 'pump-fall' | 'planned' | 'overdose';

export interface DoseChangeFinding {
  medication: string | null;
  change: DoseChangeKind;
  /** ISO-8601 with the request's offset, when a time was given. */
  at?: string;
  text: string;
}

export interface SymptomFinding {
  id: string;
  text: string;
  negated: boolean;
  experiencer?: 'patient' | 'other';
  temporality?: 'current' | 'historical' | 'hypothetical';
}

export interface Findings {
  medications: MedicationFinding[];
  doseChanges: DoseChangeFinding[];
  symptoms: SymptomFinding[];
  temperatureC?: number;
  /** Drugs mentioned but not taken by the patient ("my husband's ambien", "I don't drink"). */
  excludedMedications: { name: string; text: string; reason: 'negated' | 'other-person' | 'historical' }[];
  pumpUser: boolean;
  unknownDrugWords: string[];
}

export interface PatternResult {
  id: PatternId;
  status: PatternStatus;
  level: Level;
  evidence: string[];
  sources: string[];
  rules: string[];
}

export interface RedFlagResult {
  id: RedFlagId;
  evidence: string;
  rule: string;
  sources: string[];
}

export interface Contact {
  label: string;
  number: string;
  kind: 'emergency' | 'crisis' | 'poison' | 'non-emergency' | 'helpline';
  text?: string;
}

export interface Assessment {
  level: Level;
  headline: string;
  advice: string[];
  safetyNet: string[];
  contacts: Contact[];
  patterns: PatternResult[];
  redFlags: RedFlagResult[];
  findings: Findings;
  /** Ids of the rules that fired, for audit. */
  reasons: { rule: string; level: Level; text: string; sources: string[] }[];
  /** Follow-up topics whose answer could still raise the level: none once the level is emergency; `screen` last. */
  openQuestions: FollowUpTopic[];
  notes: string[];
  knowledgeVersion: string;
  now: string;
  locale: string;
}
