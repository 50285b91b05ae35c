// Free text → findings: drugs, dose changes with times, symptoms with their status, temperature, heart rate.
import type { WallClock } from './time.js';
import { differenceInDays } from 'date-fns/differenceInDays';
import { findDoseChanges } from './doseChanges.js';
import type { DrugHit } from './drugs.js';
import { ClauseTimes, PUMP, type ClauseReading, type ReadClause, type TextReader } from './reader.js';
import { findSymptoms, isPresent } from './symptoms.js';
import type { Clause } from './text.js';
import { toIsoWithOffset, type ResolvedTime } from './time.js';
import type { AssessInput, DoseChangeFinding, Findings, FollowUpTopic, MedicationFinding, SymptomFinding } from './types.js';
import { readSubstanceUse, type SubstanceUse, type UseLexicon } from './use.js';
import { extractTemperature } from './vitals.js';

export interface ExtractedFindings extends Findings {
  heartRate?: number;
  /** Dose changes with their times as instants, for the rules. */
  changes: (DoseChangeFinding & { time?: Date; future?: boolean })[];
  patientRelation?: string;
  /** The raw follow-up answers, normalised, for yes/no questions. */
  followUps: Partial<Record<FollowUpTopic, string>>;
  /** The symptoms answer already says when they began ("shaking since this morning"). */
  onsetStated: boolean;
  /** How much and how often alcohol and drugs are used, last uses, past withdrawal seizures or DTs. */
  use: SubstanceUse;
}

const ANSWER_ORDER = ['medications', 'doseChanges', 'symptoms'] as const;
const FUZZY_SOURCES = new Set(['medications', 'doseChanges', 'other']);
// Answers that tell about medicines; elsewhere a change counts only where a drug or the pump is named.
const CHANGE_SOURCES = new Set(['medications', 'doseChanges', 'pump', 'alcohol', 'last-use', 'other']);
const STOPS = new Set(['stopped', 'ran-out', 'missed', 'decreased']);
// Answers about the past: a seizure told there is a past one, not one happening now.
const PAST_SOURCES = new Set(['withdrawal-history']);

export interface ReadingKnowledge {
  /** Words of substance use (knowledge/use.json). */
  useLexicon: UseLexicon;
  /** Usual maximum daily dose of a drug, for amounts taken at once. */
  maxDailyMg: (drug: string) => number | undefined;
  /** Findings that lead to a red flag. */
  emergencyFindings: ReadonlySet<string>;
  /** Parts of findings (knowledge `completes`): never reported alone, they give a finding together with another. */
  parts: ReadonlyMap<string, { with: readonly string[]; gives: string }>;
}

export function extractFindings(input: AssessInput, now: WallClock, offset: string, reader: TextReader, known: ReadingKnowledge): ExtractedFindings {
  const clauses: ReadClause[] = [];
  for (const source of ANSWER_ORDER) addClauses(clauses, reader, input[source] ?? '', source);
  const followUps: ExtractedFindings['followUps'] = {};
  for (const [topic, answer] of Object.entries(input.followUps ?? {}) as [FollowUpTopic, string][]) {
    if (typeof answer !== 'string' || !answer.trim()) continue;
    followUps[topic] = answer;
    addClauses(clauses, reader, answer, topic);
  }
  // Who the answers are about: a relative introduced with the medicines, else the writer when they speak of
  // themselves, else the first relative described anywhere (a carer typing only about them).
  const readings = clauses.map((c) => c.reading);
  const aboutMedicines = readings.filter((_, i) => clauses[i].source === 'medications' || clauses[i].source === 'doseChanges');
  const patientRelation = aboutMedicines.some((t) => t.ownMedicines)
    ? undefined
    : aboutMedicines.find((t) => t.patientIntro)?.patientIntro
      ?? (readings.some((t) => t.selfReference) ? undefined : readings.find((t) => t.patientIntro)?.patientIntro);

  // Drugs, per clause, with who takes them and whether they are taken at all.
  const medications = new Map<string, MedicationFinding>();
  const excluded: Findings['excludedMedications'] = [];
  const drugsInClause: (readonly DrugHit[])[] = clauses.map((c) => c.reading.drugs(FUZZY_SOURCES.has(c.source)));
  // Times depend on `now`, so they are resolved once per clause per call rather than cached.
  const times = new ClauseTimes(reader, now);
  drugsInClause.forEach((hits, i) => {
    const clause = clauses[i];
    for (const hit of hits) {
      const ctx = clause.reading.context(hit.start, hit.end, patientRelation);
      if (clause.reading.someoneElses(hit.start, hit.end, patientRelation)) {
        excluded.push({ name: hit.med.id, text: hit.text, reason: 'other-person' });
      } else if (ctx.negated && !readings[i].stillTaken) {
        excluded.push({ name: hit.med.id, text: hit.text, reason: 'negated' });
      } else if (ctx.temporality === 'historical' && !isRecent(times.of(clause.text), now)) {
        excluded.push({ name: hit.med.id, text: hit.text, reason: 'historical' });
      } else {
        addMedication(medications, hit, clause, clauses);
      }
    }
  });
  // A drug excluded in one sentence but affirmed in another is taken.
  const excludedMedications = excluded.filter((e) => !medications.has(e.name));
  const pumpUser = isPumpUser(clauses, readings, medications);
  if (pumpUser && medications.has('baclofen')) medications.get('baclofen')!.route = 'intrathecal';

  // Dose changes: in symptom answers only where a drug or pump is named, so "can't stop shaking" is not a stop.
  const hasDrug = drugsInClause.map((hits) => hits.some((h) => medications.has(h.med.id)));
  const counted = clauses.map((c, i) => CHANGE_SOURCES.has(c.source) || hasDrug[i] || readings[i].pump);
  const raw = findDoseChanges(clauses, counted, times, pumpUser, patientRelation, hasDrug);
  const current = [...medications.keys()];
  const changes: ExtractedFindings['changes'] = [];
  for (const r of raw) {
    const medication = attributeDrug(r.clause, r.position, r.change, clauses, drugsInClause, medications, current);
    const at = r.time ? toIsoWithOffset(r.time.at, offset) : undefined;
    const dup = changes.find((c) => c.medication === medication && c.change === r.change);
    if (dup) {
      if (!dup.at && at) Object.assign(dup, { at, time: r.time!.at, text: r.text });
      continue;
    }
    changes.push({ medication, change: r.change, at, text: r.text, time: r.time?.at, future: r.time?.future });
  }

  const temperatureC = maxDefined(
    followUps.temperature ? extractTemperature(normalizeLoose(followUps.temperature), true) : undefined,
    ...readings.filter((_, i) => clauses[i].source !== 'temperature').map((t) => t.temperatureC),
  );
  const heartRate = maxDefined(...readings.map((t) => t.heartRate));
  const unknownDrugWords: string[] = [];
  readings.forEach((t, i) => {
    for (const w of t.doseUnitWords) if (!drugsInClause[i].some((h) => h.text.includes(w)) && !unknownDrugWords.includes(w)) unknownDrugWords.push(w);
  });

  // Alcohol shown only by a container or a stop ("a 30 pack a day", "dejó de tomar"), and stops or last drinks and
  // doses the change words do not know ("last drink saturday night"), join the drugs and the changes.
  const use = readSubstanceUse(known.useLexicon, { clauses, hits: drugsInClause, patientRelation, now, times });
  // (a stop of long ago, "sober 10 years", does not make alcohol one of the drugs taken)
  const alcoholStops = use.events.some((e) => e.substance === 'alcohol' && (!e.at || differenceInDays(now, e.at) <= 28));
  if (!medications.has('alcohol') && (use.alcoholUse.length || alcoholStops) && !excluded.some((e) => e.name === 'alcohol' && e.reason === 'other-person')) {
    const med = known.useLexicon.alcohol;
    if (med) medications.set('alcohol', { name: 'alcohol', text: use.alcoholText ?? 'alcohol', match: 'street', route: 'liquid', classes: med.classes });
  }
  // A stop that names nothing ("hace 4 días que no tengo") is that of the one drug that can cause withdrawal, if only one.
  const withdrawalDrugs = [...medications.values()].filter((m) => m.classes.some((c) => c === 'alcohol' || c === 'benzodiazepine' || c === 'opioid'));
  const datedStop = new Set(changes.filter((c) => c.medication && STOPS.has(c.change) && c.time).map((c) => c.medication!));
  for (const event of use.events) {
    const e = !event.substance && withdrawalDrugs.length === 1 ? { ...event, substance: withdrawalDrugs[0].name } : event;
    if (!e.substance || !e.at || !medications.has(e.substance) || datedStop.has(e.substance)) continue;
    datedStop.add(e.substance);
    changes.push({ medication: e.substance, change: 'stopped', at: toIsoWithOffset(e.at, offset), text: e.text, time: e.at });
  }

  return {
    medications: [...medications.values()],
    doseChanges: changes.map(({ medication, change, at, text }) => ({ medication, change, ...(at ? { at } : {}), text })),
    changes,
    symptoms: (() => {
      const read = withMeasuredOverdoses(clauses, drugsInClause, medications, known.maxDailyMg);
      // Answers about past withdrawals ("had a seizure the last time I quit") speak of history.
      if (!read.some((c) => PAST_SOURCES.has(c.source))) return completed(findSymptoms(read, patientRelation, known.emergencyFindings), known.parts);
      return completed([
        ...findSymptoms(read.filter((c) => !PAST_SOURCES.has(c.source)), patientRelation, known.emergencyFindings),
        ...findSymptoms(read.filter((c) => PAST_SOURCES.has(c.source)), patientRelation, known.emergencyFindings).map((s) => ({ ...s, temporality: 'historical' as const })),
      ], known.parts);
    })(),
    ...(temperatureC !== undefined ? { temperatureC } : {}),
    heartRate,
    excludedMedications,
    pumpUser,
    unknownDrugWords,
    patientRelation,
    followUps,
    onsetStated: clauses.some((c) => c.source === 'symptoms' && c.mentions.length > 0 && times.of(c.text) !== undefined),
    use,
  };
}

/**
 * Parts of findings joined with what they complete ("I want to finish my life." + "I have the pills ready for
 * tomorrow." give suicidal intent), then left out: a part alone is not a finding. Both must be present (affirmed,
 * about the patient, now); the finding given quotes both.
 */
function completed(symptoms: SymptomFinding[], parts: ReadingKnowledge['parts']): SymptomFinding[] {
  if (!parts.size || !symptoms.some((s) => parts.has(s.id))) return symptoms;
  const out = symptoms.filter((s) => !parts.has(s.id));
  for (const part of symptoms) {
    const rule = parts.get(part.id);
    if (!rule || !isPresent(part)) continue;
    const other = symptoms.find((s) => s !== part && rule.with.includes(s.id) && isPresent(s));
    if (other && !out.some((s) => s.id === rule.gives && isPresent(s))) {
      out.push({ id: rule.gives, text: `${other.text} … ${part.text}`, negated: false, experiencer: other.experiencer, temporality: 'current' });
    }
  }
  return out;
}

/** An answer's clauses, numbered on from the sentences before. */
function addClauses(clauses: ReadClause[], reader: TextReader, text: string, source: string): void {
  const first = clauses.length ? clauses[clauses.length - 1].sentence + 1 : 0;
  for (const c of reader.answer(text)) {
    clauses.push({ text: c.reading.text, sentence: first + c.sentence, source, reading: c.reading, mentions: c.mentions, intakes: c.intakes, question: c.question });
  }
}

/**
 * Amounts with a strength ("3 of the 100 mg ones") become overdose mentions when they pass the usual maximum daily
 * dose of a drug they may be: one named in the same sentence, else any the person takes (over-triage when unsure).
 */
function withMeasuredOverdoses(clauses: ReadClause[], hits: (readonly DrugHit[])[], meds: Map<string, MedicationFinding>, maxDailyMg: (drug: string) => number | undefined): ReadClause[] {
  if (!clauses.some((c) => c.intakes.length)) return clauses;
  return clauses.map((clause, i) => {
    if (!clause.intakes.length) return clause;
    const inSentence = clauses.flatMap((c, j) => (c.sentence === clause.sentence ? hits[j].map((h) => h.med.id) : []));
    const candidates = inSentence.length ? inSentence : [...meds.keys()];
    const extra = clause.intakes
      .filter((t) => candidates.some((d) => { const max = maxDailyMg(d); return max !== undefined && t.count * t.strengthMg > max; }))
      .map((t) => ({ id: 'overdose', text: t.text, start: t.start, end: t.end, negated: t.negated }));
    return extra.length ? { ...clause, mentions: [...clause.mentions, ...extra] } : clause;
  });
}

function addMedication(into: Map<string, MedicationFinding>, hit: DrugHit, clause: Clause, clauses: Clause[]): void {
  const existing = into.get(hit.med.id);
  const confusable = [...new Set([...hit.med.confusableWith, ...hit.alternatives])];
  const needsConfirmation = hit.match === 'fuzzy' || (hit.match === 'misspelling' && hit.med.confusableWith.length > 0);
  if (existing) {
    // An exact mention elsewhere settles a fuzzy one.
    if (existing.needsConfirmation && !needsConfirmation) Object.assign(existing, { text: hit.text, match: hit.match, needsConfirmation: false });
    return;
  }
  const sentence = clauses.filter((c) => c.sentence === clause.sentence).map((c) => c.text).join(' ');
  into.set(hit.med.id, {
    name: hit.med.id,
    text: hit.text,
    match: hit.match,
    route: routeOf(hit.med.routes, sentence),
    classes: hit.med.classes,
    ...(needsConfirmation ? { needsConfirmation: true, confusableWith: confusable } : {}),
  });
}

function routeOf(routes: string[], sentence: string): string {
  if (routes.includes('intrathecal') && PUMP.test(sentence)) return 'intrathecal';
  if (routes.includes('patch') && /\b(?:patch|parche)\b/.test(sentence)) return 'patch';
  if (routes.includes('liquid') && /\b(?:liquid|solution|syrup|jarabe)\b/.test(sentence)) return 'liquid';
  return routes[0];
}

function isPumpUser(clauses: Clause[], readings: ClauseReading[], meds: Map<string, MedicationFinding>): boolean {
  if (!meds.has('baclofen')) return false;
  const denies = clauses.some((c, i) => c.source === 'pump' && readings[i].noPump);
  if (denies) return false;
  return clauses.some((c, i) => readings[i].pump && !readings[i].noPump && c.source !== 'symptoms');
}

/** The drug a change concerns: named in its clause, else in its sentence, else the one before, else the only one. */
function attributeDrug(i: number, position: number, change: string, clauses: Clause[], hits: (readonly DrugHit[])[], meds: Map<string, MedicationFinding>, current: string[]): string | null {
  if (change.startsWith('pump') || change === 'refill-missed') return meds.has('baclofen') ? 'baclofen' : null;
  // In "on citalopram for years and they put him on a fentanyl patch" the change word is next to its drug.
  const own = hits[i].filter((h) => meds.has(h.med.id))
    .sort((a, b) => Math.abs(a.start - position) - Math.abs(b.start - position))[0]?.med.id;
  if (own) return own;
  for (let j = i - 1; j >= 0 && clauses[j].sentence === clauses[i].sentence; j--) if (knownDrug(hits[j], meds)) return knownDrug(hits[j], meds)!;
  for (let j = i + 1; j < clauses.length && clauses[j].sentence === clauses[i].sentence; j++) if (knownDrug(hits[j], meds)) return knownDrug(hits[j], meds)!;
  for (let j = i - 1; j >= 0 && clauses[j].source === clauses[i].source; j--) if (knownDrug(hits[j], meds)) return knownDrug(hits[j], meds)!;
  // "ran out tuesday" with one medicine on the list means that medicine.
  return current.length === 1 && CHANGE_SOURCES.has(clauses[i].source) ? current[0] : null;
}

/** The first drug of a clause that is one of the medicines found. */
function knownDrug(list: readonly DrugHit[], meds: Map<string, MedicationFinding>): string | undefined {
  return list.map((h) => h.med.id).find((id) => meds.has(id));
}

/** A time within the last 60 days: "used to take it, but restarted last week" is current. */
function isRecent(time: ResolvedTime | undefined, now: WallClock): boolean {
  return time !== undefined && differenceInDays(now, time.at) <= 60;
}

function maxDefined(...values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.max(...defined) : undefined;
}

function normalizeLoose(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ');
}
