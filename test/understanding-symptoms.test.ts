// Symptom understanding: lay and Spanish phrases, negation, experiencer, history and hypotheticals
// (clinical.md 8.4: resolve them before a symptom counts), and temperatures with or without units.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTriage, type Assessment, type FollowUpTopic, type Triage } from '../src/triage/index.js';
import { extractTemperature } from '../src/triage/vitals.js';

const NOW = '2026-03-10T10:00:00-05:00';
let t: Triage;
beforeAll(() => { t = createTriage(); });

const assess = (symptoms: string, medications = '', followUps: Partial<Record<FollowUpTopic, string>> = {}, locale = 'en-US'): Assessment =>
  t.assess({ medications, doseChanges: '', symptoms, followUps, now: NOW, locale });
const present = (a: Assessment) => a.findings.symptoms
  .filter((s) => !s.negated && s.experiencer !== 'other' && s.temporality === 'current').map((s) => s.id);
const mentions = (a: Assessment, id: string) => a.findings.symptoms.filter((s) => s.id === id);

describe('lay phrases are recognised as present', () => {
  it.each([
    ['his legs jump on their own', 'clonus-spontaneous'],
    ['my legs keep jerking', 'clonus-spontaneous'],
    ['random muscle twitches all day', 'clonus-spontaneous'],
    ['her eyes are flicking side to side', 'clonus-ocular'],
    ['my foot keeps bouncing when I stand on it', 'clonus-inducible'],
    ['I woke up drenched in sweat', 'sweating'],
    ['sweating buckets', 'sweating'],
    ["I can't wake him", 'hard-to-wake'],
    ['his lips are turning blue', 'cyanosis'],
    ['my hands are shaking', 'tremor'],
    ['my heart is racing', 'tachycardia'],
    ['seeing things that are not there', 'hallucinations'],
    ["I can't sleep", 'insomnia'],
    ['my muscles are really stiff', 'rigidity'],
    ['my spasms are coming back', 'spasticity-worse'],
    ['pins and needles in my feet', 'paresthesia'],
    ['very dizzy when I stand', 'lightheaded'],
    ['I have diarrhea', 'diarrhoea'],
    ['my pupils are huge', 'mydriasis'],
    ["so sleepy I can't keep my eyes open", 'drowsiness'],
    ['his breathing is slow and shallow', 'breathing-problem'],
    ['I have chest pain', 'chest-pain'],
    ['I have a tight chest', 'chest-pain'],
    ['my chest feels heavy', 'chest-pain'],
    ['his ankle keeps bouncing', 'clonus-inducible'],
    ['my pee is dark like cola', 'dark-urine'],
    ['really agitated and restless', 'agitation'],
    ['he seems confused', 'confusion'],
    ["she doesn't know where she is", 'confusion-severe'],
    ["I'm itchy all over", 'pruritus'],
    ['I feel really hot, like burning up', 'fever-subjective'],
    ['I think I took too many pills', 'overdose'],
    ["I've been thinking about killing myself", 'suicidal-ideation'],
    ['my mood is much worse', 'low-mood'],
    // Spanish
    ['tengo comezón en todo el cuerpo', 'pruritus'],
    ['tuvo una convulsión', 'seizure'],
    ['no puede respirar', 'breathing-problem'],
    ['tiene fiebre', 'fever-subjective'],
    ['estoy sudando mucho', 'sweating'],
    ['está muy confundido', 'confusion'],
    ['le tiemblan las manos', 'tremor'],
    ['el pie le rebota', 'clonus-inducible'],
  ])('%s → %s', (text, id) => {
    expect(present(assess(text))).toContain(id);
  });
});

describe('negation', () => {
  it.each([
    ['no fever', 'fever-subjective'],
    ['not sweating', 'sweating'],
    ['sin fiebre', 'fever-subjective'],
    ['no tiene temblores', 'tremor'],
    ['no chest pain', 'chest-pain'],
    ["he hasn't had a seizure", 'seizure'],
    ['denies hallucinations', 'hallucinations'],
    ['no rash', 'rash'],
    ["I'm not confused", 'confusion'],
    ['no diarrhea or vomiting', 'diarrhoea'],
    ['no está confundido', 'confusion'],
  ])('%s → %s negated', (text, id) => {
    const a = assess(text);
    expect(mentions(a, id).length).toBeGreaterThan(0);
    expect(mentions(a, id).every((s) => s.negated)).toBe(true);
    expect(present(a)).not.toContain(id);
  });

  it("I'm not twitching or sweating → both negated", () => {
    const a = assess("I'm not twitching or sweating");
    expect(mentions(a, 'clonus-spontaneous').every((s) => s.negated)).toBe(true);
    expect(mentions(a, 'sweating').every((s) => s.negated)).toBe(true);
    expect(mentions(a, 'clonus-spontaneous').length + mentions(a, 'sweating').length).toBeGreaterThanOrEqual(2);
  });

  it('no fever and my legs are jerking → fever negated, jerking present', () => {
    const a = assess('no fever and my legs are jerking');
    expect(mentions(a, 'fever-subjective').every((s) => s.negated)).toBe(true);
    expect(present(a)).toContain('clonus-spontaneous');
  });

  it('not confused but very sweaty → only the confusion is negated', () => {
    const a = assess('not confused but very sweaty');
    expect(present(a)).not.toContain('confusion');
    expect(present(a)).toContain('sweating');
  });

  it("itchy but no rash → itching present, rash denied; a pump user is urgent", () => {
    const a = assess('itchy all over but no rash', 'baclofen pump');
    expect(present(a)).toContain('pruritus');
    expect(present(a)).not.toContain('rash');
    expect(a.level).toBe('urgent');
  });

  it.each([
    ["she's seeing things that aren't there and is really agitated", 'agitation'],
    ["hearing voices that aren't there and sweating buckets", 'sweating'],
  ])('a negation inside a symptom phrase does not spill over: %s → %s present', (text, id) => {
    const a = assess(text);
    expect(present(a)).toContain('hallucinations');
    expect(present(a)).toContain(id);
  });

  it('shaking, not sweating, no fever → tremor present, the rest negated', () => {
    const a = assess('shaking, not sweating, no fever');
    expect(present(a)).toEqual(['tremor']);
  });

  it("can't stop shaking is not a negation", () => {
    expect(present(assess("I can't stop shaking"))).toContain('tremor');
  });
});

describe('experiencer, history and hypotheticals', () => {
  it('my sister had a seizure years ago → no seizure red flag', () => {
    const a = assess('my sister had a seizure years ago');
    expect(a.redFlags.map((r) => r.id)).not.toContain('seizure');
    expect(present(a)).not.toContain('seizure');
    expect(a.level).toBe('self-monitor');
  });

  it('my uncle has epilepsy → no red flag', () => {
    const a = assess('my uncle has epilepsy', 'sertraline');
    expect(a.redFlags).toEqual([]);
    expect(a.level).toBe('self-monitor');
  });

  it('my mom had seizures → no seizure red flag when I describe myself', () => {
    const a = assess("I'm a bit tired. My mom had seizures");
    expect(a.redFlags.map((r) => r.id)).not.toContain('seizure');
  });

  it('a carer: my dad is shaking → tremor present', () => {
    const a = assess('my dad is shaking and sweating');
    expect(present(a)).toContain('tremor');
    expect(present(a)).toContain('sweating');
  });

  it('a carer: my husband is on baclofen and he is confused → confusion counts', () => {
    const a = assess('he is confused', 'my husband is on baclofen');
    expect(present(a)).toContain('confusion');
    expect(a.level).not.toBe('self-monitor');
  });

  it('my wife is having a seizure right now → seizure red flag', () => {
    const a = assess('my wife is having a seizure right now');
    expect(a.redFlags.map((r) => r.id)).toContain('seizure');
    expect(a.level).toBe('emergency');
  });

  it('I had suicidal thoughts years ago, not now → no suicidal red flag and not urgent', () => {
    const a = assess('I had suicidal thoughts years ago, not now');
    expect(a.redFlags.map((r) => r.id)).not.toContain('suicidal-intent');
    expect(a.level).not.toBe('urgent');
    expect(a.level).not.toBe('emergency');
  });

  it('I used to get panic attacks as a teen → anxiety not current', () => {
    expect(present(assess('I used to get panic attacks as a teen'))).not.toContain('anxiety');
  });

  it('my doctor said if I get a fever to call → no fever', () => {
    const a = assess('my doctor said if I get a fever to call', 'sertraline');
    expect(present(a)).not.toContain('fever-subjective');
    expect(a.level).toBe('self-monitor');
  });

  it('the pharmacist warned me about seizures → no seizure', () => {
    const a = assess('the pharmacist warned me about seizures', 'tramadol');
    expect(a.redFlags.map((r) => r.id)).not.toContain('seizure');
  });

  it('I take it for anxiety → anxiety is the indication, not a symptom', () => {
    expect(present(assess('I take it for my anxiety', 'sertraline'))).not.toContain('anxiety');
  });
});

describe('extractTemperature', () => {
  it.each<[string, boolean, number | undefined]>([
    ['102', true, 38.9],
    ['38.9', true, 38.9],
    ['101.5F', true, 38.6],
    ['101.5 °F', true, 38.6],
    ['39 C', true, 39],
    ['39,2', true, 39.2],
    ['98.6', true, 37],
    ['100.4', true, 38],
    ['104 F', true, 40],
    ['104', true, 40],
    ['normal', true, undefined],
    ["I don't know", true, undefined],
    ['20 mg', true, undefined],
    ['temp of 103 last night', false, 39.4],
    ['fever 39.5', false, 39.5],
    ['temperature was 38.2 this morning', false, 38.2],
    ['I take 20 mg and 100 mg', false, undefined],
    ['he is 65 years old', false, undefined],
    ['took 50 mg at 10', false, undefined],
  ])('%j (answer to the temperature question: %s) → %s', (text, answer, c) => {
    expect(extractTemperature(text, answer)).toBe(c);
  });
});

describe('temperature through assess', () => {
  it.each<[Partial<Record<FollowUpTopic, string>>, string, number | undefined]>([
    [{ temperature: '102' }, '', 38.9],
    [{ temperature: '38.9' }, '', 38.9],
    [{ temperature: '101.5F' }, '', 38.6],
    [{ temperature: 'normal' }, '', undefined],
    [{ temperature: "I don't have a thermometer" }, '', undefined],
    [{}, 'my temp was 103 last night', 39.4],
    [{}, 'sertraline 50 mg twice a day', undefined],
  ])('%j / %j → %s °C', (followUps, symptoms, c) => {
    expect(assess(symptoms, '', followUps).findings.temperatureC).toBe(c);
  });

  it('104 °F is a hyperthermia emergency', () => {
    const a = assess("he's burning up", '', { temperature: '104F' });
    expect(a.level).toBe('emergency');
    expect(a.redFlags.map((r) => r.id)).toContain('hyperthermia');
  });

  it('a measured normal temperature outranks "feeling hot" for the fever rules', () => {
    const a = assess('I feel hot and my muscles are stiff', 'baclofen', { temperature: '98.6' });
    expect(a.redFlags.map((r) => r.id)).not.toContain('hyperthermia');
  });
});
