// The kinds of wording the understanding issue found missed, told as lay people tell them, with their controls.
// Each case is a concept (what is seen or done, a quantity, a plan), not a phrase list: see knowledge/findings/.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTriage, type Assessment, type Triage } from '../src/triage/index.js';

const NOW = '2026-03-10T10:00:00-05:00';
let t: Triage;
beforeAll(() => { t = createTriage(); });
const assess = (symptoms: string, medications = ''): Assessment => t.assess({ medications, doseChanges: '', symptoms, now: NOW, locale: 'en-US' });
const present = (a: Assessment) => a.findings.symptoms.filter((s) => !s.negated && s.experiencer !== 'other' && s.temporality === 'current').map((s) => s.id);

describe('findings told as what is seen, heard or done', () => {
  it.each([
    ["little animals running along the floor, I know they're not real", 'hallucinations'],
    ['he keeps talking to his late wife in the kitchen', 'hallucinations'],
    ['says the cops are talking about him through the wall', 'hallucinations'],
    ['mi mamá ve niños en el cuarto que no están', 'hallucinations'],
    ["she keeps asking what city we're in", 'confusion-severe'],
    ["he doesn't recognise his own house", 'confusion-severe'],
    ['my dad put his shoes in the fridge and keeps repeating the same word', 'confusion-severe'],
    ["he just stares and won't answer me", 'hard-to-wake'],
    ['she only moans when I shake her', 'hard-to-wake'],
    ['he is breathing only once every few seconds', 'breathing-problem'],
    ["there's a gurgling sound when she breathes", 'breathing-problem'],
    ['sharp pain right in the middle of my chest', 'chest-pain'],
    ['feels like an elephant sitting on my chest', 'chest-pain'],
    ['her eyes are flicking side to side on their own', 'clonus-ocular'],
  ])('%s → %s', (text, id) => {
    expect(present(assess(text))).toContain(id);
  });
});

describe('overdose as a quantity, intent as a plan', () => {
  it.each([
    ['he swallowed most of the bottle', 'baclofen'],
    ['took like 40 of the 20 mg ones', 'citalopram'],
    ['I took 6 of them an hour ago', 'tramadol'],
    ['se tomó casi todo el frasco de pastillas', 'sertraline'],
    ['took 3 of the 100 mg ones at once', 'sertraline'],
  ])('%s (on %s) → overdose, emergency', (text, medications) => {
    const a = assess(text, medications);
    expect(present(a)).toContain('overdose');
    expect(a.level).toBe('emergency');
  });

  it.each([
    ['I take 2 tablets at bedtime', 'baclofen'],
    ['I take 4 pills a day', 'gabapentin'],
    ['took my usual 20 mg this morning', 'citalopram'],
  ])('%s → not an overdose', (text, medications) => {
    expect(present(assess(text, medications))).not.toContain('overdose');
  });

  it.each([
    "I've been saving my pills for tonight",
    'I have a rope and I will use it tonight',
    'letters written to my kids, I am ready',
    'voy a tomarme todas las pastillas esta noche',
  ])('%s → suicidal intent, emergency', (text) => {
    const a = assess(text, 'sertraline');
    expect(present(a)).toContain('suicidal-intent');
    expect(a.level).toBe('emergency');
  });

  it('suicidal thoughts in high school only → not now', () => {
    const a = assess('I had suicidal thoughts in high school only, nothing like that now', 'sertraline');
    expect(present(a)).not.toContain('suicidal-ideation');
    expect(present(a)).not.toContain('suicidal-intent');
  });
});

describe('emergencies outside the three patterns', () => {
  it.each([
    ["my father's face is drooping and his arm is weak", 'stroke'],
    ['my lips and tongue are swelling after the new pill', 'anaphylaxis'],
    ['she fell and hit her head and now she is vomiting', 'head-injury'],
    ["the cut won't stop bleeding, there's blood everywhere", 'bleeding'],
  ])('%s → %s, emergency', (text, flag) => {
    const a = assess(text, 'sertraline');
    expect(a.redFlags.map((r) => r.id)).toContain(flag);
    expect(a.level).toBe('emergency');
  });

  it('a bump on the head with nothing after it is not a head-injury emergency', () => {
    expect(assess('I bumped my head on the cupboard door, feel totally fine', 'sertraline').redFlags.map((r) => r.id)).not.toContain('head-injury');
  });
});

describe('negation over lists', () => {
  it.each([
    "I don't have any fever or shaking or sweats",
    'no vomiting, diarrhoea, rash, itching or headache',
    'no tengo fiebre, ni escalofríos, ni sudores',
  ])('%s → nothing present', (text) => {
    expect(present(assess(text))).toEqual([]);
  });
});

describe('what the check does not know is never "watch at home"', () => {
  it.each([
    'my left leg is red and swollen',
    'it burns when I pee',
    'I have a lump under my arm that hurts',
  ])('%s → at least contact-clinician, with the line that it is outside the check', (text) => {
    const a = assess(text, 'sertraline');
    expect(a.level).not.toBe('self-monitor');
    expect(a.notes).toContain('outside-scope');
  });

  it.each(['I feel fine', 'nothing really', 'all good, no problems', 'estoy bien'])('%s → self-monitor', (text) => {
    expect(assess(text, 'sertraline').level).toBe('self-monitor');
  });
});
