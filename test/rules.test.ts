// Every rule of knowledge/rules.json on a short realistic lay answer set, with the level, pattern status and red
// flag clinical.md 8.3 gives; then the global rules (8.1, DESIGN.md): highest level wins, unknown answers never
// lower a level, contacts follow the locale, reasons carry sources, determinism, large input.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createTriage, LEVELS, type AssessInput, type Assessment, type FollowUpTopic, type Level, type PatternId,
  type PatternStatus, type RedFlagId, type Triage,
} from '../src/triage/index.js';

const NOW = '2026-03-10T10:00:00-05:00'; // a Tuesday
let t: Triage;
beforeAll(() => { t = createTriage(); });

interface Case {
  rule: string;
  input: { medications?: string; doseChanges?: string; symptoms?: string; followUps?: Partial<Record<FollowUpTopic, string>> };
  level: Level;
  pattern?: [PatternId, PatternStatus];
  redFlag?: RedFlagId;
  note?: string;
}

const run = (input: Case['input'], locale = 'en-US'): Assessment =>
  t.assess({ medications: '', doseChanges: '', symptoms: '', ...input, now: NOW, locale });
const rank = (l: Level) => LEVELS.indexOf(l);

const CASES: Case[] = [
  // A. Hard red flags → emergency
  { rule: 'RF1', input: { symptoms: 'he just had a seizure' }, level: 'emergency', redFlag: 'seizure' },
  { rule: 'RF1', input: { medications: 'tramadol', symptoms: 'she started convulsing a few minutes ago' }, level: 'emergency', redFlag: 'seizure' },
  { rule: 'RF2', input: { symptoms: "I can't wake him up" }, level: 'emergency', redFlag: 'unresponsive' },
  { rule: 'RF2', input: { symptoms: 'she passed out and is not responding' }, level: 'emergency', redFlag: 'unresponsive' },
  { rule: 'RF3', input: { symptoms: 'his breathing is slow and shallow' }, level: 'emergency', redFlag: 'breathing' },
  { rule: 'RF3', input: { symptoms: 'she is making gurgling sounds when she breathes' }, level: 'emergency', redFlag: 'breathing' },
  { rule: 'RF4', input: { symptoms: 'his lips are turning blue' }, level: 'emergency', redFlag: 'cyanosis' },
  { rule: 'RF5', input: { symptoms: 'I have chest pain' }, level: 'emergency', redFlag: 'chest-pain' },
  { rule: 'RF5', input: { symptoms: 'my chest feels tight and heavy' }, level: 'emergency', redFlag: 'chest-pain' },
  { rule: 'RF6', input: { symptoms: 'he is delirious' }, level: 'emergency', redFlag: 'severe-confusion' },
  { rule: 'RF6', input: { symptoms: "she's seeing things that aren't there and is really agitated" }, level: 'emergency', redFlag: 'severe-confusion' },
  { rule: 'RF7', input: { symptoms: 'I feel awful', followUps: { temperature: '104 F' } }, level: 'emergency', redFlag: 'hyperthermia' },
  { rule: 'RF7', input: { followUps: { temperature: '40.2' } }, level: 'emergency', redFlag: 'hyperthermia' },
  { rule: 'RF7', input: { symptoms: 'temp was 104.5 an hour ago' }, level: 'emergency', redFlag: 'hyperthermia' },
  { rule: 'RF8', input: { medications: 'sertraline 100 mg', symptoms: 'my legs keep jerking', followUps: { temperature: '38.3' } }, level: 'emergency', redFlag: 'hyperthermia' },
  { rule: 'RF8', input: { medications: 'baclofen 20 mg three times a day', symptoms: 'my spasms are getting worse', followUps: { temperature: '101' } }, level: 'emergency', redFlag: 'hyperthermia' },
  { rule: 'RF8b', input: { symptoms: 'my whole body is stiff', followUps: { temperature: '38.8' } }, level: 'emergency', redFlag: 'hyperthermia' },
  { rule: 'RF9', input: { symptoms: "I'm going to kill myself tonight" }, level: 'emergency', redFlag: 'suicidal-intent' },
  { rule: 'RF9', input: { medications: 'sertraline', followUps: { suicidal: 'yes, I have a plan' } }, level: 'emergency', redFlag: 'suicidal-intent' },
  { rule: 'RF10', input: { medications: 'xanax', symptoms: 'I think I overdosed on my xanax' }, level: 'emergency', redFlag: 'overdose' },
  { rule: 'RF10', input: { medications: 'sertraline', doseChanges: 'my son took way too many of my sertraline an hour ago' }, level: 'emergency', redFlag: 'overdose' },
  { rule: 'RF12', input: { medications: 'sertraline', symptoms: "my dad's face is drooping on one side and his left arm is weak" }, level: 'emergency', redFlag: 'stroke' },
  { rule: 'RF12', input: { medications: 'baclofen', symptoms: 'de repente no puede hablar bien, arrastra las palabras' }, level: 'emergency', redFlag: 'stroke' },
  { rule: 'RF13', input: { medications: 'started amoxicillin today', symptoms: 'my lips and tongue are swelling up' }, level: 'emergency', redFlag: 'anaphylaxis' },
  { rule: 'RF14', input: { medications: 'sertraline', symptoms: "cut my hand and it won't stop bleeding, soaked through three towels" }, level: 'emergency', redFlag: 'bleeding' },
  { rule: 'RF15', input: { medications: 'baclofen', symptoms: 'he fell and hit his head on the floor and now he keeps throwing up' }, level: 'emergency', redFlag: 'head-injury' },
  { rule: 'RF15', input: { medications: 'baclofen', symptoms: 'She slipped and hit her head. Now she is really drowsy.' }, level: 'emergency', redFlag: 'head-injury' },
  { rule: 'OUTSIDE', input: { medications: 'sertraline', symptoms: 'my left calf is red and swollen' }, level: 'contact-clinician', note: 'outside-scope' },
  { rule: 'OUTSIDE', input: { medications: 'sertraline', symptoms: 'it burns when I pee' }, level: 'contact-clinician', note: 'outside-scope' },
  { rule: 'RF11', input: { medications: 'baclofen pump', symptoms: 'I have a fever' }, level: 'emergency', pattern: ['baclofen-withdrawal', 'met'] },
  { rule: 'RF11', input: { medications: 'I have a baclofen pump', symptoms: 'my spasticity is much worse than usual' }, level: 'emergency', pattern: ['baclofen-withdrawal', 'met'] },
  { rule: 'RHABDO', input: { symptoms: 'my muscles were really stiff yesterday and now my pee is dark like cola' }, level: 'emergency' },
  // The emergency screen's answer ("is any of these happening now?"): a yes, or a yes naming the sign.
  { rule: 'SCREEN', input: { medications: 'sertraline', followUps: { screen: 'yes' } }, level: 'emergency' },
  { rule: 'SCREEN', input: { medications: 'baclofen', symptoms: 'itchy', followUps: { screen: 'Yes: heavy bleeding' } }, level: 'emergency' },
  { rule: 'SCREEN', input: { followUps: { screen: 'sí, labios o lengua hinchándose' } }, level: 'emergency' },

  // B. Serotonin toxicity
  { rule: 'ST-L4', input: { medications: 'sertraline', symptoms: "my legs are jerking on their own and I'm confused" }, level: 'emergency', pattern: ['serotonin-toxicity', 'met'] },
  { rule: 'ST-L4', input: { medications: 'Lexapro and tramadol', symptoms: 'twitching all over', followUps: { temperature: '38.7' } }, level: 'emergency', pattern: ['serotonin-toxicity', 'met'] },
  { rule: 'ST-L3-hunter', input: { medications: 'sertraline', symptoms: 'my legs keep jerking on their own' }, level: 'urgent', pattern: ['serotonin-toxicity', 'met'] },
  { rule: 'ST-L3-hunter', input: { medications: 'Celexa', symptoms: 'my hands are shaking and my reflexes are really jumpy' }, level: 'urgent', pattern: ['serotonin-toxicity', 'met'] },
  { rule: 'ST-L3-features', input: { medications: 'sertraline', doseChanges: 'started sertraline yesterday', symptoms: "I'm shaky and sweaty" }, level: 'urgent', pattern: ['serotonin-toxicity', 'met'] },
  { rule: 'ST-L3-features', input: { medications: 'citalopram', doseChanges: 'my doctor raised my citalopram from 20 to 40 two days ago', symptoms: 'diarrhea and my heart is racing' }, level: 'urgent', pattern: ['serotonin-toxicity', 'met'] },
  { rule: 'ST-L2-pair', input: { medications: 'sertraline and tramadol', symptoms: 'I feel fine' }, level: 'contact-clinician', pattern: ['serotonin-toxicity', 'at-risk'] },
  { rule: 'ST-L2-pair', input: { medications: 'phenelzine and dextromethorphan cough syrup', symptoms: 'nothing' }, level: 'contact-clinician', pattern: ['serotonin-toxicity', 'at-risk'] },
  { rule: 'ST-L2-planned', input: { medications: 'sertraline', doseChanges: "I'm supposed to start tramadol tonight", symptoms: 'none' }, level: 'contact-clinician', pattern: ['serotonin-toxicity', 'at-risk'] },
  { rule: 'ST-two-drugs', input: { medications: 'sertraline and sumatriptan for migraines', symptoms: 'none' }, level: 'self-monitor', pattern: ['serotonin-toxicity', 'at-risk'] },

  // E1. Overlap
  { rule: 'E1', input: { medications: 'baclofen and sertraline', symptoms: "I'm very agitated" }, level: 'emergency', note: 'overlap' },

  // C. Baclofen withdrawal
  { rule: 'C1-advanced', input: { medications: 'baclofen pump', doseChanges: 'the pump alarm went off yesterday', symptoms: 'I have a fever' }, level: 'emergency', pattern: ['baclofen-withdrawal', 'met'] },
  { rule: 'C1-early', input: { medications: 'baclofen pump', symptoms: "I'm itchy all over but there's no rash" }, level: 'urgent', pattern: ['baclofen-withdrawal', 'met'] },
  { rule: 'C1-early', input: { medications: 'intrathecal baclofen', symptoms: 'tingling in my legs' }, level: 'urgent', pattern: ['baclofen-withdrawal', 'met'] },
  { rule: 'C1-no-symptoms', input: { medications: 'baclofen pump', doseChanges: 'the pump started beeping last night', symptoms: 'I feel fine' }, level: 'urgent', pattern: ['baclofen-withdrawal', 'at-risk'] },
  { rule: 'C1-no-symptoms', input: { medications: 'Gablofen pump', doseChanges: 'my refill is overdue, it was due last week', symptoms: 'nothing yet' }, level: 'urgent', pattern: ['baclofen-withdrawal', 'at-risk'] },
  { rule: 'C1-no-symptoms', input: { medications: 'baclofen pump', doseChanges: 'the pump was replaced yesterday', symptoms: 'fine' }, level: 'urgent', pattern: ['baclofen-withdrawal', 'at-risk'] },
  { rule: 'C2-severe', input: { medications: 'baclofen 20 mg three times a day', doseChanges: 'ran out of baclofen 2 days ago', symptoms: "I'm seeing things that aren't there" }, level: 'emergency', pattern: ['baclofen-withdrawal', 'met'] },
  { rule: 'C2-moderate', input: { medications: 'baclofen', doseChanges: 'I stopped my baclofen yesterday', symptoms: "I can't sleep and my spasms are worse" }, level: 'urgent', pattern: ['baclofen-withdrawal', 'met'] },
  { rule: 'C2-no-symptoms', input: { medications: 'baclofen 10 mg', doseChanges: 'ran out of baclofen yesterday', symptoms: 'nothing' }, level: 'contact-clinician', pattern: ['baclofen-withdrawal', 'at-risk'] },
  { rule: 'C3', input: { medications: 'baclofen for alcohol cravings', doseChanges: 'I quit drinking 3 days ago', symptoms: "I'm shaky and sweating" }, level: 'urgent', note: 'aud' },

  // D. CNS-depressant combinations
  { rule: 'D1-L4', input: { medications: 'baclofen and oxycodone', symptoms: "he's breathing really slow" }, level: 'emergency', pattern: ['cns-depression', 'met'] },
  { rule: 'D1-L3', input: { medications: 'baclofen and gabapentin', symptoms: "I'm very sleepy all day" }, level: 'urgent', pattern: ['cns-depression', 'met'] },
  { rule: 'D1-L2', input: { medications: 'oxycodone and xanax', symptoms: 'I feel okay' }, level: 'contact-clinician', pattern: ['cns-depression', 'at-risk'] },
  { rule: 'D1-L2', input: { medications: 'baclofen, and a few beers most nights', symptoms: 'nothing' }, level: 'contact-clinician', pattern: ['cns-depression', 'at-risk'] },

  // F. Suicide and mood
  { rule: 'F1-ideation', input: { medications: 'sertraline', symptoms: "I've been having thoughts of suicide" }, level: 'urgent', note: 'crisis' },
  { rule: 'F1-ideation', input: { medications: 'sertraline', followUps: { suicidal: 'yes sometimes, but I have no plan' } }, level: 'urgent', note: 'crisis' },
  { rule: 'F1-mood', input: { medications: 'sertraline', doseChanges: 'started sertraline 3 weeks ago', symptoms: 'my mood is worse and I feel hopeless' }, level: 'contact-clinician' },

  // Mental state and mimics
  { rule: 'MENTAL', input: { symptoms: 'he seems confused today' }, level: 'urgent' },
  // Opioid withdrawal is itself contact-clinician (clinical.md 4.5); the mimic note still tells the clinician.
  { rule: 'E2-opioid', input: { medications: 'sertraline, oxycodone', doseChanges: 'stopped oxycodone 2 days ago', symptoms: "I'm sweating and have diarrhea" }, level: 'contact-clinician', note: 'opioid-mimic' },

  // Withdrawal at addiction-treatment intake (clinical.md 4.5; NOW is a Tuesday)
  { rule: 'AW-L4', input: { medications: 'I drink a fifth of vodka a day', doseChanges: 'last drink was saturday night', symptoms: "I'm seeing bugs on the wall" }, level: 'emergency', pattern: ['alcohol-withdrawal', 'met'] },
  { rule: 'AW-L4', input: { medications: 'beer, a 30 pack a day', doseChanges: 'quit drinking 3 days ago', symptoms: 'shaking and sweating, heart racing' }, level: 'emergency', pattern: ['alcohol-withdrawal', 'met'] },
  { rule: 'AW-L3', input: { medications: 'beer, a 12 pack a day', doseChanges: 'quit drinking yesterday', symptoms: 'shaky and sweaty' }, level: 'urgent', pattern: ['alcohol-withdrawal', 'met'] },
  { rule: 'AW-L3', input: { medications: 'I drink every day', symptoms: 'I wake up with the shakes and I feel sick' }, level: 'urgent', pattern: ['alcohol-withdrawal', 'met'] },
  { rule: 'AW-L3-history', input: { doseChanges: 'stopped drinking 2 days ago', symptoms: 'I feel fine', followUps: { 'withdrawal-history': 'yes, I had a seizure last time' } }, level: 'urgent', pattern: ['alcohol-withdrawal', 'at-risk'] },
  { rule: 'AW-L2', input: { medications: 'a fifth of whiskey a day', doseChanges: 'I stopped drinking 2 days ago', symptoms: 'I feel fine' }, level: 'contact-clinician', pattern: ['alcohol-withdrawal', 'at-risk'] },
  { rule: 'AW-L2', input: { medications: 'tomo 10 cervezas diarias', doseChanges: 'dejé de tomar el domingo', symptoms: 'me siento bien' }, level: 'contact-clinician', pattern: ['alcohol-withdrawal', 'at-risk'] },
  { rule: 'AW-L2-heavy', input: { medications: 'I drink heavily, about a handle every two days', symptoms: 'nothing' }, level: 'contact-clinician', pattern: ['alcohol-withdrawal', 'at-risk'] },
  { rule: 'BZ-L4', input: { medications: 'klonopin 1 mg twice a day', doseChanges: 'ran out 4 days ago', symptoms: 'I have a fever and I feel really anxious' }, level: 'emergency', pattern: ['benzodiazepine-withdrawal', 'met'] },
  { rule: 'BZ-L3', input: { medications: 'Klonopin 2 mg three times a day', doseChanges: 'ran out 3 days ago', symptoms: "anxious, can't sleep, hands shaking" }, level: 'urgent', pattern: ['benzodiazepine-withdrawal', 'met'] },
  { rule: 'BZ-L3-history', input: { medications: 'valium 10 mg daily', doseChanges: 'stopped valium 3 days ago', symptoms: 'nothing yet', followUps: { 'withdrawal-history': 'yes, a seizure when I came off it before' } }, level: 'urgent', pattern: ['benzodiazepine-withdrawal', 'at-risk'] },
  { rule: 'BZ-L2', input: { medications: 'xanax 1 mg three times a day', doseChanges: 'ran out yesterday', symptoms: 'fine so far' }, level: 'contact-clinician', pattern: ['benzodiazepine-withdrawal', 'at-risk'] },
  { rule: 'OW-L2', input: { medications: 'heroin', doseChanges: 'last used yesterday morning', symptoms: 'yawning, runny nose, goosebumps and stomach cramps' }, level: 'contact-clinician', pattern: ['opioid-withdrawal', 'met'] },
  { rule: 'OW-L2', input: { medications: 'percs', symptoms: "I'm dope sick" }, level: 'contact-clinician', pattern: ['opioid-withdrawal', 'met'] },
  { rule: 'OW-L2-stopped', input: { medications: 'oxycodone 10 mg', doseChanges: 'stopped my oxycodone 3 days ago', symptoms: 'nothing' }, level: 'contact-clinician', pattern: ['opioid-withdrawal', 'at-risk'] },
  { rule: 'OW-L2-illicit', input: { medications: 'heroin', doseChanges: 'used this morning', symptoms: 'no symptoms' }, level: 'contact-clinician', pattern: ['opioid-withdrawal', 'at-risk'] },
  { rule: 'OW-fluids', input: { medications: 'methadone 60 mg', doseChanges: 'ran out of methadone 2 days ago', symptoms: "I'm throwing up and have diarrhea" }, level: 'contact-clinician', note: 'fluids' },
  { rule: 'OW-tolerance', input: { medications: 'tramadol 50 mg twice a day', symptoms: 'fine' }, level: 'self-monitor', note: 'opioid-tolerance' },
  { rule: 'OW-naloxone', input: { medications: 'tramadol 50 mg twice a day', symptoms: 'fine' }, level: 'self-monitor', note: 'naloxone' },
  { rule: 'D1-L3', input: { medications: 'percocet, and a few beers every night', symptoms: "I'm very sleepy all day" }, level: 'urgent', pattern: ['cns-depression', 'met'] },
  { rule: 'E2-antipsychotic', input: { medications: 'quetiapine', doseChanges: 'started seroquel 3 days ago', symptoms: "I'm really stiff" }, level: 'urgent', note: 'nms' },
];

describe('one or more cases per rule', () => {
  const ids = (JSON.parse(readFileSync(path.resolve(__dirname, '../knowledge/rules.json'), 'utf8')) as { rules: { id: string }[] }).rules.map((r) => r.id);

  it('every rule in knowledge/rules.json has a case here', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    expect(ids.filter((id) => !covered.has(id))).toEqual([]);
  });

  it.each(CASES.map((c) => [c.rule, JSON.stringify(c.input), c] as const))('%s: %s', (rule, _label, c) => {
    const a = run(c.input);
    expect(a.reasons.map((r) => r.rule)).toContain(rule);
    expect(a.level).toBe(c.level);
    if (c.pattern) expect(a.patterns.find((p) => p.id === c.pattern![0])?.status).toBe(c.pattern[1]);
    if (c.redFlag) expect(a.redFlags.map((r) => r.id)).toContain(c.redFlag);
    if (c.note) expect(a.notes).toContain(c.note);
    // the level is the highest any fired rule gives
    expect(a.level).toBe(LEVELS[Math.max(0, ...a.reasons.map((r) => rank(r.level)))]);
  });
});

describe('the highest level wins', () => {
  it.each<[string, Case['input'], Level, string[]]>([
    ['depressant pair (L2) + seizure (L4)', { medications: 'oxycodone and xanax', symptoms: 'she had a seizure an hour ago' }, 'emergency', ['D1-L2', 'RF1']],
    ['serotonergic pair (L2) + confusion (L3)', { medications: 'sertraline and tramadol', symptoms: "he's confused" }, 'urgent', ['ST-L2-pair', 'MENTAL']],
    ['baclofen ran out (L2) + chest pain (L4)', { medications: 'baclofen', doseChanges: 'ran out yesterday', symptoms: 'chest pain' }, 'emergency', ['C2-no-symptoms', 'RF5']],
    ['two serotonergic (L1) + pair (L2) + hunter (L3)', { medications: 'Zoloft and tramadol', symptoms: 'legs jerking on their own' }, 'urgent', ['ST-two-drugs', 'ST-L2-pair', 'ST-L3-hunter']],
  ])('%s → %s', (_name, input, level, rules) => {
    const a = run(input);
    expect(a.level).toBe(level);
    expect(a.reasons.map((r) => r.rule)).toEqual(expect.arrayContaining(rules));
  });
});

describe('"I don\'t know" answers never lower a level', () => {
  const UNKNOWN = ["I don't know", 'not sure', 'no idea', '?', 'idk'];
  const bases: Case['input'][] = CASES.map((c) => c.input).filter((i) => !i.followUps);
  const topics: FollowUpTopic[] = ['temperature', 'pump', 'timing', 'breathing', 'suicidal', 'alcohol', 'last-use', 'amount', 'withdrawal-history', 'screen', 'other'];

  it.each(bases.map((b) => [JSON.stringify(b), b] as const))('%s', (_label, base) => {
    const without = run(base);
    for (const answer of UNKNOWN) {
      const withUnknown = run({ ...base, followUps: Object.fromEntries(topics.map((k) => [k, answer])) });
      expect(rank(withUnknown.level), `${answer}`).toBeGreaterThanOrEqual(rank(without.level));
    }
  });

  it.each(topics)('an unknown %s answer alone does not lower a level', (topic) => {
    for (const base of bases) {
      const without = run(base);
      const withUnknown = run({ ...base, followUps: { [topic]: "I don't know" } });
      expect(rank(withUnknown.level), JSON.stringify(base)).toBeGreaterThanOrEqual(rank(without.level));
    }
  });
});

describe('emergency contacts follow the locale', () => {
  const seizure = { symptoms: 'she is having a seizure right now' };
  it.each([
    ['en-US', '911'],
    ['es-US', '911'],
    ['en-GB', '999'],
    ['en-AU', '000'],
    ['de-DE', '112'],
    ['fr-FR', '112'],
    ['en-CA', '911'],
    ['en-NZ', '111'],
  ])('%s → emergency %s', (locale, number) => {
    const a = run(seizure, locale);
    expect(a.level).toBe('emergency');
    expect(a.contacts.filter((c) => c.kind === 'emergency').map((c) => c.number)).toEqual([number]);
    expect(a.advice.join(' ')).toContain(number);
  });

  it.each([
    ['en-US', '911', '988'],
    ['en-CA', '911', '988'],
    ['en-GB', '999', '116 123'],
    ['en-AU', '000', '13 11 14'],
  ])('%s suicidal intent → emergency %s and crisis %s', (locale, emergency, crisis) => {
    const a = run({ symptoms: "I'm going to kill myself tonight" }, locale);
    expect(a.contacts).toContainEqual(expect.objectContaining({ kind: 'emergency', number: emergency }));
    expect(a.contacts).toContainEqual(expect.objectContaining({ kind: 'crisis', number: crisis }));
  });

  it('en-CA ideation without intent still lists 988', () => {
    const a = run({ medications: 'sertraline', symptoms: "I've been having thoughts of suicide" }, 'en-CA');
    expect(a.contacts).toContainEqual(expect.objectContaining({ kind: 'crisis', number: '988' }));
  });

  it('an overdose in the US adds Poison Help after 911', () => {
    const a = run({ symptoms: 'I think I overdosed on my pills' }, 'en-US');
    expect(a.contacts.map((c) => c.number)).toEqual(expect.arrayContaining(['911', '1-800-222-1222']));
  });

  it('no locale defaults to the US numbers', () => {
    const a = t.assess({ symptoms: 'he had a seizure', now: NOW });
    expect(a.contacts).toContainEqual(expect.objectContaining({ kind: 'emergency', number: '911' }));
  });
});

describe('sources', () => {
  it.each(CASES.map((c) => [c.rule, JSON.stringify(c.input), c] as const))('%s: %s carries sources', (_rule, _label, c) => {
    const a = run(c.input);
    expect(a.reasons.length).toBeGreaterThan(0);
    for (const r of a.reasons) expect(r.sources.length, r.rule).toBeGreaterThan(0);
    for (const p of a.patterns.filter((x) => x.status !== 'absent')) expect(p.sources.length, p.id).toBeGreaterThan(0);
    for (const f of a.redFlags) expect(f.sources.length, f.id).toBeGreaterThan(0);
    expect(a.knowledgeVersion).toBeTruthy();
  });
});

describe('determinism and robustness', () => {
  it.each(CASES.map((c) => [c.rule, c] as const))('%s: same input twice → same output', (_rule, c) => {
    expect(run(c.input)).toEqual(run(c.input));
  });

  it('the same input with a new triage instance gives the same output', () => {
    const input: AssessInput = { ...CASES[0].input, now: NOW, locale: 'en-GB' };
    expect(createTriage().assess(input)).toEqual(t.assess(input));
  });

  it.each([
    ['symptoms', "I'm shaky and sweaty, my legs jerk on their own, no fever. "],
    ['medications', 'sertraline 50 mg, baclofen 10 mg, tramadol as needed, '],
    ['doseChanges', 'started sertraline 2 days ago and ran out of baclofen yesterday; '],
  ])('a 20 KB %s answer does not throw', (field, chunk) => {
    const big = chunk.repeat(Math.ceil(20_000 / chunk.length));
    expect(big.length).toBeGreaterThanOrEqual(20_000);
    const a = run({ [field]: big });
    expect(LEVELS).toContain(a.level);
  });

  it('20 KB of unbroken text does not throw', () => {
    const a = run({ symptoms: 'a'.repeat(20_000), medications: 'x'.repeat(20_000) });
    expect(a.level).toBe('self-monitor');
  });
});
