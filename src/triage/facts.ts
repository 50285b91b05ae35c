// Base facts the rules in knowledge/rules.json are written over. Each fact is either absent (false) or holds
// the evidence that makes it true. Clinical thresholds live in the rules; only exposure bookkeeping is here.
import type { ExtractedFindings } from './extract.js';
import type { Medication } from './knowledge/schema.js';
import { isPresent } from './symptoms.js';
import type { SubstanceUse } from './use.js';
import { screenAffirmed } from './answers.js';

export type Evidence = string[];
export type Facts = Map<string, Evidence>;

/** Days after stopping during which a serotonergic drug still counts (clinical.md 2.2: MAOI 14 days, fluoxetine ~5 weeks;
 * Khoury 2018 shows a just-stopped SSRI still matters). */
function washoutDays(med: Medication): number {
  if (med.id === 'fluoxetine') return 35;
  if (med.maoi) return 14;
  return 14;
}

const START_LIKE = new Set(['started', 'increased', 'restarted', 'overdose']);
const STOP_LIKE = new Set(['stopped', 'ran-out', 'missed', 'decreased']);
const PUMP_EVENTS = new Set(['pump-alarm', 'refill-missed', 'pump-surgery', 'pump-fall']);
const AFFIRMATIVE = /^\s*(?:yes|yeah|yep|yup|si|sí|sometimes|a little|kind of|kinda|i do|i have|often|a veces|maybe|i think so|at times)\b|\b(?:i think about it|thoughts?|pienso)\b/i;
const NEGATIVE_ANSWER = /^\s*(?:no|nope|none|never|not at all|nah|nunca|para nada)\b/i;
const INTENT_ANSWER = /\b(?:plan|planned|intend|going to|gonna|tonight|pills ready|rope|gun|voy a|tengo un plan)\b/i;
const INTENT_DENIED = /\b(?:no plan|never act|wouldn't act|would never|not going to|no intent|no tengo (?:un )?plan|nunca lo haria)\b/i;
const AUD_CONTEXT = /\b(?:sober|detox|rehab|aud|alcoholism|alcoholic|drinking problem|alcohol use disorder|withdrawal from alcohol|quit drinking|stopped drinking|used to drink|no drinking|not drinking|dej\w* de tomar|dej\w* el alcohol)\b/i;
const DRINKING_STOPPED = /\b(?:stopped|quit|no drinking|not drinking|haven't (?:had a )?dr[iau]nk|sober|dej\w*)\b/i;

/** `sym:<finding>`, made once per finding: the facts of every request are keyed by the same strings as the rules. */
const symptomFacts = new Map<string, string>();
const symptomFact = (id: string) => {
  let name = symptomFacts.get(id);
  if (name === undefined) symptomFacts.set(id, (name = `sym:${id}`));
  return name;
};

/** Whole hours from `then` to `now`, never negative (as date-fns' differenceInHours, whose result it clamps). */
function hoursBetween(now: Date, then: Date): number {
  return Math.max(0, Math.trunc((now.getTime() - then.getTime()) / 3_600_000));
}

// The helpers below take what they work on as arguments instead of closing over it: the facts are computed several
// times a turn, and a function made per call costs far more than the call (a builder that keeps function names, as
// tsx does, defines a property on each one).

function set(facts: Facts, name: string, evidence: Evidence): void {
  facts.set(name, evidence.length ? evidence : [name]);
}

/** Hours since `d` (never negative); no date is infinitely long ago. */
function hoursSince(now: Date, d: Date | undefined): number {
  return d ? hoursBetween(now, d) : Infinity;
}

/** How the person wrote a medicine's name. */
function textOf(f: ExtractedFindings, id: string): string {
  return f.medications.find((m) => m.name === id)?.text ?? id;
}

export function computeFacts(f: ExtractedFindings, meds: Map<string, Medication>, now: Date): Facts {
  const facts: Facts = new Map();

  for (const s of f.symptoms) {
    if (!isPresent(s)) continue;
    const name = symptomFact(s.id);
    facts.set(name, [...(facts.get(name) ?? []), s.text]);
  }
  if (f.symptoms.some((s) => s.id === 'rash' && s.negated) && !facts.has(symptomFact('rash'))) set(facts, 'denied:rash', ['no rash']);

  // Temperature: a measured value outranks a feeling; no reading leaves "fever" to the words used.
  const t = f.temperatureC;
  if (t !== undefined) {
    const shown = `temperature ${t} °C`;
    if (t > 38) set(facts, 'temp:above-38', [shown]);
    if (t > 38.5) set(facts, 'temp:above-38.5', [shown]);
    if (t >= 40) set(facts, 'temp:40-or-more', [shown]);
    if (t <= 38) set(facts, 'temp:measured-normal', [shown]);
  } else set(facts, 'temp:unknown', ['no temperature reading']);
  if (f.heartRate !== undefined) {
    if (f.heartRate > 100) set(facts, 'hr:above-100', [`heart rate ${f.heartRate}`]);
    if (f.heartRate >= 120) set(facts, 'hr:120-or-more', [`heart rate ${f.heartRate}`]);
  }

  // Exposure: which drugs count now, and when they last changed.
  const lastChange = new Map<string, { kinds: Set<string>; start?: Date; stop?: Date; startText?: string; stopText?: string; planned?: boolean; startTimed?: boolean }>();
  for (const c of f.changes) {
    if (!c.medication) continue;
    const entry = lastChange.get(c.medication) ?? { kinds: new Set<string>() };
    entry.kinds.add(c.change);
    if (c.change === 'planned') entry.planned = true;
    if (START_LIKE.has(c.change)) Object.assign(entry, { start: c.time ?? now, startText: c.text, startTimed: Boolean(c.time) || c.change === 'restarted' });
    if (STOP_LIKE.has(c.change)) Object.assign(entry, { stop: c.time ?? now, stopText: c.text });
    lastChange.set(c.medication, entry);
  }
  const current: Medication[] = [];
  const planned: Medication[] = [];
  for (const m of f.medications) {
    const med = meds.get(m.name)!;
    const ch = lastChange.get(m.name);
    const onlyPlanned = ch?.planned && !ch.start && !ch.stop;
    if (onlyPlanned) { planned.push(med); continue; }
    const stoppedLongAgo = ch?.kinds.has('stopped') && hoursSince(now, ch.stop) > washoutDays(med) * 24 && !(ch.start && ch.start > ch.stop!);
    if (!stoppedLongAgo) current.push(med);
  }
  // Which advice lines apply (guidance.json "[condition] text"): any medicine taken now, an antidepressant, an overdose.
  if (current.length) set(facts, 'drug:any', current.map((m) => textOf(f, m.id)));
  const antidepressants = current.filter((m) => m.classes.some((c) => ['antidepressant', 'ssri', 'snri', 'tca', 'maoi'].includes(c)));
  if (antidepressants.length) set(facts, 'drug:antidepressant', antidepressants.map((m) => textOf(f, m.id)));
  const overdose = f.changes.find((c) => c.change === 'overdose');
  if (overdose) set(facts, 'change:overdose', [overdose.text]);

  const serotonergicAB = current.filter((m) => m.serotonergicTier === 'A' || m.serotonergicTier === 'B');
  const serotonergicC = current.filter((m) => m.serotonergicTier === 'C');
  const serotonergic = serotonergicAB.length ? [...serotonergicAB, ...serotonergicC] : serotonergicC.length >= 2 ? serotonergicC : [];
  if (serotonergic.length) set(facts, 'drug:serotonergic', serotonergic.map((m) => textOf(f, m.id)));
  const allSerotonergic = [...serotonergicAB, ...serotonergicC];
  if (allSerotonergic.length >= 2) set(facts, 'drug:two-serotonergic', allSerotonergic.map((m) => textOf(f, m.id)));
  const pair = highRiskPair(current);
  if (pair) set(facts, 'drug:high-risk-serotonergic-pair', pair.map((m) => textOf(f, m.id)));
  const plannedPair = planned.map((p) => highRiskPair([...current, p]) ?? (p.serotonergicTier && allSerotonergic.length ? [allSerotonergic[0], p] : null)).find(Boolean);
  if (plannedPair) set(facts, 'drug:planned-serotonergic-addition', plannedPair.map((m) => m.id));

  // Hours since a serotonergic drug was started, raised, restarted or overdosed (onset windows, clinical.md 1.4).
  let stChange = Infinity;
  let stChangeText = '';
  for (const m of allSerotonergic) {
    const ch = lastChange.get(m.id);
    // A recreational stimulant named as current use (molly, cocaine) is a fresh exposure unless dated otherwise.
    const h = ch?.start ? hoursSince(now, ch.start) : m.classes.includes('stimulant') ? 0 : Infinity;
    if (!ch?.start && h === 0 && h < stChange) { stChange = 0; stChangeText = textOf(f, m.id); continue; }
    if (ch?.start && h < stChange) { stChange = h; stChangeText = ch.startText ?? m.id; }
  }
  if (facts.has('sym:overdose') && allSerotonergic.length) { stChange = 0; stChangeText = facts.get('sym:overdose')![0]; }
  if (stChange <= 24) set(facts, 'change:serotonergic-within-24h', [stChangeText]);
  if (stChange <= 72) set(facts, 'change:serotonergic-within-72h', [stChangeText]);
  if (stChange <= 24 * 14) set(facts, 'change:serotonergic-within-14d', [stChangeText]);

  // Baclofen: exposure, interruption (oral) and pump problems (intrathecal).
  const baclofen = f.medications.find((m) => m.name === 'baclofen');
  if (baclofen) set(facts, 'drug:baclofen', [baclofen.text]);
  if (baclofen && f.pumpUser) set(facts, 'baclofen:pump-user', [`${baclofen.text} pump`]);
  const bc = lastChange.get('baclofen');
  const bStop = f.changes.filter((c) => c.medication === 'baclofen' && STOP_LIKE.has(c.change));
  const stopHours = hoursSince(now, bc?.stop);
  // Only a dated or explicit restart after the stop ends the interruption; an undated "started" may be old news.
  const restartedSince = bc?.start && bc.stop && bc.startTimed && bc.start > bc.stop;
  if (bStop.length && !restartedSince) {
    if (stopHours <= 24 * 14) set(facts, 'baclofen:interrupted-within-14d', bStop.map((c) => c.text));
    if (stopHours <= 24 * 7) set(facts, 'baclofen:interrupted-within-7d', bStop.map((c) => c.text));
  }
  const pumpEvents = f.changes.filter((c) => PUMP_EVENTS.has(c.change) && !c.future && hoursSince(now, c.time) <= 24 * 14);
  if (pumpEvents.length) set(facts, 'baclofen:pump-problem', pumpEvents.map((c) => c.text));

  // CNS depressants (clinical.md 4): baclofen with another depressant, or opioid with benzodiazepine.
  const depressants = current.filter((m) => m.cnsDepressant);
  const others = depressants.filter((m) => m.id !== 'baclofen');
  if (baclofen && others.length) set(facts, 'drug:baclofen-with-depressant', [baclofen.text, ...others.map((m) => textOf(f, m.id))]);
  const opioid = depressants.filter((m) => m.depressantClass === 'opioid');
  const benzo = depressants.filter((m) => m.depressantClass === 'benzodiazepine');
  if (opioid.length && benzo.length) set(facts, 'drug:opioid-with-benzodiazepine', [...opioid, ...benzo].map((m) => textOf(f, m.id)));
  if (depressants.length >= 3) set(facts, 'drug:three-depressants', depressants.map((m) => textOf(f, m.id)));

  // Antidepressant started or changed in the last two months (suicidality monitoring, clinical.md 5.1).
  for (const m of current.filter((x) => x.classes.includes('antidepressant') || x.classes.some((c) => ['ssri', 'snri', 'tca', 'maoi'].includes(c)))) {
    const ch = lastChange.get(m.id);
    const last = ch?.start ?? ch?.stop;
    if (ch && hoursSince(now, last) <= 24 * 62) set(facts, 'change:antidepressant-within-2-months', [ch.startText ?? ch.stopText ?? m.id]);
  }

  // Suicidality from the follow-up answer as well as free text.
  const sAnswer = f.followUps.suicidal;
  if (sAnswer && !NEGATIVE_ANSWER.test(sAnswer) && AFFIRMATIVE.test(sAnswer)) set(facts, 'answer:suicidal-thoughts', [sAnswer]);
  if (sAnswer && INTENT_ANSWER.test(sAnswer) && !INTENT_DENIED.test(sAnswer)) set(facts, 'answer:suicidal-intent', [sAnswer]);

  // The emergency screen: "yes" (or a named sign) to "is any of these happening now?" (clinical.md 5.1, 5.1b).
  if (screenAffirmed(f.followUps.screen)) set(facts, 'answer:emergency-sign', [f.followUps.screen!]);

  // Mimics and context the clinician should hear about (clinical.md 8.3 C3, E2).
  const allText = [...Object.values(f.followUps), ...f.changes.map((c) => c.text)].join(' ');
  const alcoholExcluded = f.excludedMedications.some((e) => e.name === 'alcohol' && e.reason === 'historical');
  if (alcoholExcluded || AUD_CONTEXT.test(allText) || (f.followUps.alcohol && DRINKING_STOPPED.test(f.followUps.alcohol))) set(facts, 'context:alcohol-use-disorder', ['alcohol history']);
  const opioidStop = f.changes.find((c) => c.medication && meds.get(c.medication)?.depressantClass === 'opioid' && STOP_LIKE.has(c.change));
  if (opioidStop) set(facts, 'context:opioid-stopped', [opioidStop.text]);
  const antipsychotic = f.changes.find((c) => c.medication && meds.get(c.medication)?.classes.includes('antipsychotic') && START_LIKE.has(c.change));
  if (antipsychotic) set(facts, 'context:antipsychotic-started', [antipsychotic.text]);

  withdrawalFacts(f, meds, now, current, facts);
  return facts;
}

// ---------- Withdrawal at intake (clinical.md 4.5): alcohol, benzodiazepines, opioids ----------

/** Days since the last drink or dose for which `<group>:off-within-<n>d` facts exist; the rules pick their windows. */
const OFF_WINDOWS_DAYS = [5, 7, 14, 28];
const WITHDRAWAL_GROUPS = ['alcohol', 'benzo', 'benzo-long-acting', 'opioid'] as const;
/** Each group's fact names, made once. */
const GROUP_FACTS = Object.fromEntries(WITHDRAWAL_GROUPS.map((g) => [g, {
  stopped: `${g}:stopped`, offWithin: OFF_WINDOWS_DAYS.map((days) => [days * 24, `${g}:off-within-${days}d`] as const),
}]));
/** A last drink or dose given only as an answer with a time counts as a stop once a day has passed (someone who drinks
 * a glass every night and last drank last night has not stopped), or at once after heavy use. */
const LAST_USE_ANSWER_GAP_HOURS = 24;
const TAKEN_WITH_OPIOID = new Set(['alcohol', 'benzodiazepine', 'gabapentinoid', 'baclofen', 'z-drug', 'barbiturate']);

function groupOf(m: Medication): 'alcohol' | 'benzo' | 'opioid' | undefined {
  return m.id === 'alcohol' ? 'alcohol' : m.depressantClass === 'benzodiazepine' ? 'benzo' : m.depressantClass === 'opioid' ? 'opioid' : undefined;
}

type Stops = Map<string, { at?: Date; text: string }[]>;

function addStop(stops: Stops, id: string, at: Date | undefined, text: string): void {
  const list = stops.get(id);
  if (list) list.push({ at, text });
  else stops.set(id, [{ at, text }]);
}

function frequencyOf(use: SubstanceUse, id: string): { daily: string[]; heavy: string[]; occasional: string[] } {
  return use.frequency.get(id) ?? { daily: [], heavy: [], occasional: [] };
}

/** When the substance went off: the latest dated stop; an undated one is taken as now. A dated restart after it ends it. */
function offSince(stops: Stops, f: ExtractedFindings, now: Date, id: string): { at: Date; text: string } | undefined {
  const list = stops.get(id);
  if (!list?.length) return undefined;
  const dated = list.filter((s) => s.at);
  const last = dated.length ? dated.reduce((a, b) => (a.at! >= b.at! ? a : b)) : { at: now, text: list[0].text };
  const restarted = f.changes.some((c) => c.medication === id && (c.change === 'restarted' || c.change === 'started') && c.time && c.time > last.at!);
  return restarted ? undefined : { at: last.at!, text: last.text };
}

/** As-needed or now-and-then use does not make someone dependent (clinical.md 4.5: steady use for days to weeks). */
function occasionalOnly(use: SubstanceUse, id: string): boolean {
  const fr = frequencyOf(use, id);
  return fr.occasional.length > 0 && !fr.daily.length && !fr.heavy.length;
}

function withdrawalFacts(f: ExtractedFindings, meds: Map<string, Medication>, now: Date, current: Medication[], facts: Facts): void {
  const use = f.use;
  const found = f.medications.map((m) => meds.get(m.name)!);

  let alcoholTaken = current.some((m) => m.id === 'alcohol') || use.alcoholUse.length > 0;
  const inUse = new Set<string>(found.filter((m) => groupOf(m) && m.id !== 'alcohol').map((m) => m.id));
  if (alcoholTaken) inUse.add('alcohol');

  // Stops and last uses per substance: dose-change words, then what the use reader found.
  const stops: Stops = new Map();
  for (const c of f.changes) {
    if (!STOP_LIKE.has(c.change) || c.future || use.notAStop.has(c.text)) continue;
    if (c.medication && inUse.has(c.medication)) addStop(stops, c.medication, c.time, c.text);
    // "stopped on monday" with no drug named: it may be any of them (the cautious reading).
    if (!c.medication) for (const id of inUse) addStop(stops, id, c.time, c.text);
  }
  for (const e of use.events) {
    for (const id of e.substance ? [e.substance] : [...inUse]) if (id === 'alcohol' || inUse.has(id) || meds.get(id)) addStop(stops, id, e.at, e.text);
  }
  const answer = use.lastUseAnswer;
  if (answer?.at) {
    for (const id of inUse) {
      const heavy = frequencyOf(use, id).heavy.length > 0;
      if (!stops.has(id) && (heavy || hoursSince(now, answer.at) >= LAST_USE_ANSWER_GAP_HOURS)) addStop(stops, id, answer.at, answer.text);
    }
  }

  const groups: Record<(typeof WITHDRAWAL_GROUPS)[number], string[]> = { alcohol: [], benzo: [], 'benzo-long-acting': [], opioid: [] };
  for (const id of new Set([...inUse, ...stops.keys()])) {
    const med = meds.get(id);
    const g = id === 'alcohol' ? 'alcohol' : med ? groupOf(med) : undefined;
    if (!g) continue;
    groups[g].push(id);
    if (g === 'benzo' && med?.longActing) groups['benzo-long-acting'].push(id);
  }
  for (const group of WITHDRAWAL_GROUPS) {
    const names = GROUP_FACTS[group]!;
    for (const id of groups[group]) {
      const off = offSince(stops, f, now, id);
      if (!off || occasionalOnly(use, id)) continue;
      set(facts, names.stopped, [off.text]);
      const h = hoursSince(now, off.at);
      for (const [hours, name] of names.offWithin) if (h <= hours) set(facts, name, [off.text]);
    }
  }

  // Alcohol: taken, how often, how much ("quit drinking 3 weeks ago" is no longer taken: the same 14 days after which
  // a stopped drug leaves the current list above).
  const alcoholOff = offSince(stops, f, now, 'alcohol');
  if (alcoholOff && hoursSince(now, alcoholOff.at) > 14 * 24) alcoholTaken = false;
  const alcohol = frequencyOf(use, 'alcohol');
  if (alcoholTaken) set(facts, 'alcohol:use', [use.alcoholUse[0] ?? textOf(f, 'alcohol')]);
  if (use.alcoholMentioned || alcoholTaken || f.excludedMedications.some((e) => e.name === 'alcohol')) set(facts, 'alcohol:mentioned', ['alcohol']);
  if (alcohol.daily.length) set(facts, 'alcohol:daily', alcohol.daily.slice(0, 2));
  if (alcohol.heavy.length) set(facts, 'alcohol:heavy', alcohol.heavy.slice(0, 2));
  if (alcohol.occasional.length) set(facts, 'alcohol:occasional', alcohol.occasional.slice(0, 1));

  // Benzodiazepines and opioids taken now (recently stopped ones count for the stop windows above).
  const benzos = current.filter((m) => m.depressantClass === 'benzodiazepine');
  if (benzos.length) set(facts, 'benzo:use', benzos.map((m) => textOf(f, m.id)));
  const opioids = current.filter((m) => m.depressantClass === 'opioid');
  if (opioids.length) set(facts, 'opioid:use', opioids.map((m) => textOf(f, m.id)));
  // Illicit opioids: heroin, and fentanyl that is neither a brand nor spoken of as a patch, a prescription or a hospital
  // drug (at intake, "I use fentanyl" means pressed pills or powder). Slang for a prescribed opioid ("percs", "subs",
  // "done") says nothing about where it came from.
  const illicit = f.medications.filter((m) => m.name === 'heroin'
    || (m.name === 'fentanyl' && m.match !== 'brand' && !use.prescribedForm.has('fentanyl')));
  if (illicit.length) set(facts, 'opioid:illicit', illicit.map((m) => m.text));

  // An opioid taken now with alcohol, a benzodiazepine, a gabapentinoid, baclofen or another sedative (FDA 2016, 2019).
  const takenNow = current.filter((m) => !offSince(stops, f, now, m.id));
  const opioidNow = takenNow.filter((m) => m.depressantClass === 'opioid');
  const partners = takenNow.filter((m) => m.depressantClass && TAKEN_WITH_OPIOID.has(m.depressantClass));
  if (opioidNow.length && partners.length) set(facts, 'drug:opioid-with-depressant', [...opioidNow, ...partners].map((m) => textOf(f, m.id)));

  // Past withdrawal seizures or DTs: told in the text, or a yes to the question.
  if (use.history.length) set(facts, 'history:withdrawal-complication', use.history.slice(0, 2));
}

const PAIR_PARTNERS_OF_MAOI = new Set(['clomipramine', 'imipramine', 'tramadol', 'meperidine', 'methadone', 'dextromethorphan', 'tapentadol', 'mdma']);
const PAIR_PARTNERS_OF_SRI = new Set(['tramadol', 'fentanyl', 'methadone']);

/** The highest-risk combinations of clinical.md 2.2 (FDA 2011, FDA 2016, Foong 2018). */
function highRiskPair(current: Medication[]): Medication[] | null {
  const sri = current.filter((m) => m.classes.includes('ssri') || m.classes.includes('snri'));
  const maoi = current.filter((m) => m.maoi);
  for (const a of maoi) {
    const b = current.find((m) => m !== a && (sri.includes(m) || PAIR_PARTNERS_OF_MAOI.has(m.id) || m.maoi === false && m.serotonergicTier === 'A'));
    if (b) return [a, b];
  }
  for (const a of sri) {
    const b = current.find((m) => PAIR_PARTNERS_OF_SRI.has(m.id));
    if (b) return [a, b];
  }
  const strong = current.filter((m) => m.serotonergicTier === 'A' && m.classes.some((c) => ['ssri', 'snri', 'tca', 'maoi', 'antidepressant'].includes(c)));
  if (strong.length >= 2) return strong.slice(0, 2); // switching antidepressants without a washout
  return null;
}
