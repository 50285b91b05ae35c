// The core's part of the emergency screen and of "nothing asked twice": `screen` is a follow-up topic, open while
// missing below emergency; a yes is emergency; its text is read like any other answer; follow-ups that earlier answers
// already settle are not open. Through the core and through POST /api/assess.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTriage, FOLLOW_UP_TOPICS, type AssessInput, type Assessment, type Triage } from '../src/triage/index.js';
import { startServer, type RunningServer } from './helpers.js';
import { loadPhraseBank } from './phraseBank.js';
import { devVignettes } from './devVignettes.js';

const NOW = '2026-03-08T09:00:00-05:00';
let t: Triage;
let srv: RunningServer;
beforeAll(async () => { t = createTriage(); srv = await startServer({}, t); });
afterAll(async () => { await srv?.close(); });

const assess = (input: AssessInput) => t.assess({ now: NOW, locale: 'en-US', ...input });

describe('the emergency screen in the core', () => {
  it('is a follow-up topic', () => {
    expect(FOLLOW_UP_TOPICS).toContain('screen');
  });

  it('is open, and last, while missing and the level is below emergency', () => {
    for (const input of [{}, { medications: 'sertraline' }, { medications: 'baclofen', symptoms: 'itchy all over' }, { medications: 'sertraline and tramadol', symptoms: 'shaking and sweating' }]) {
      const a = assess(input);
      expect(a.level).not.toBe('emergency');
      expect(a.openQuestions.at(-1), JSON.stringify(input)).toBe('screen');
    }
  });

  it('is not open at emergency, and no other question is either', () => {
    const a = assess({ medications: 'baclofen pump', symptoms: 'he had a seizure' });
    expect(a.level).toBe('emergency');
    expect(a.openQuestions).toEqual([]);
  });

  it('is answered by any answer, and only a yes (or a named sign) raises the level', () => {
    const base = { medications: 'sertraline 50 mg', symptoms: 'a bit of a headache' };
    const without = assess(base);
    for (const none of ['none', 'no', 'None of these', 'ninguno', 'nada', 'not sure', 'no sé']) {
      const a = assess({ ...base, followUps: { screen: none } });
      expect(a.level, none).toBe(without.level);
      expect(a.openQuestions, none).not.toContain('screen');
    }
    for (const yes of ['yes', 'Yes: face drooping, an arm weak, or speech slurred', 'sí', 'Sí: sangrado abundante', 'yeah one of them']) {
      const a = assess({ ...base, followUps: { screen: yes } });
      expect(a.level, yes).toBe('emergency');
      expect(a.reasons.map((r) => r.rule), yes).toContain('SCREEN');
      expect(a.reasons.find((r) => r.rule === 'SCREEN')!.sources).toContain('nhs-999-guidance');
    }
  });

  it('reads the answer for findings like any other: a named sign is its red flag, a denied one is negated', () => {
    const named = assess({ medications: 'sertraline', followUps: { screen: 'chest pain' } });
    expect(named.level).toBe('emergency');
    expect(named.redFlags.map((r) => r.id)).toContain('chest-pain');
    const denied = assess({ medications: 'sertraline', followUps: { screen: 'no seizure and no chest pain' } });
    expect(denied.level).not.toBe('emergency');
    expect(denied.findings.symptoms.filter((s) => s.negated).map((s) => s.id)).toEqual(expect.arrayContaining(['seizure', 'chest-pain']));
  });
});

describe('follow-ups that earlier answers already settle', () => {
  it('asks about the pump only for pump users or when the route is unclear', () => {
    expect(assess({ medications: 'baclofen 10 mg tablets three times a day' }).openQuestions).not.toContain('pump');
    expect(assess({ medications: 'baclofen', symptoms: 'no pump, just pills' }).openQuestions).not.toContain('pump');
    expect(assess({ medications: 'baclofeno, sin bomba' }).openQuestions).not.toContain('pump');
    expect(assess({ medications: 'baclofen' }).openQuestions).toContain('pump');
    expect(assess({ medications: 'baclofen pump' }).openQuestions).toContain('pump');
    // Pills of another drug say nothing about baclofen.
    expect(assess({ medications: 'sertraline pills. baclofen' }).openQuestions).toContain('pump');
  });

  it('takes a first message with the temperature, "no pump" and "I don\'t drink" as answers to those questions', () => {
    const a = assess({ medications: "baclofen 20mg, temp is 37.2, no pump and I don't drink", symptoms: 'itchy' });
    expect(a.openQuestions).not.toContain('temperature');
    expect(a.openQuestions).not.toContain('pump');
    expect(a.openQuestions).not.toContain('alcohol');
  });

  it('knows breathing and thoughts of self-harm already spoken of', () => {
    const base = { medications: 'baclofen and oxycodone', symptoms: 'very sleepy' };
    expect(assess(base).openQuestions).toContain('breathing');
    expect(assess({ ...base, symptoms: 'very sleepy but breathing is fine' }).openQuestions).not.toContain('breathing');
    const ssri = { medications: 'sertraline', doseChanges: 'started sertraline last week' };
    expect(assess(ssri).openQuestions).toContain('suicidal');
    expect(assess({ ...ssri, symptoms: 'low mood, no thoughts of suicide' }).openQuestions).not.toContain('suicidal');
  });
});

describe('POST /api/assess with followUps.screen', () => {
  const post = async (body: object) => {
    const res = await srv.post('/api/assess', { now: NOW, ...body });
    expect(res.status).toBe(200);
    return (await res.json()) as Assessment;
  };

  it('lists screen while it is missing, and takes it as an answer', async () => {
    const base = { medications: 'sertraline 50 mg', doseChanges: 'none', symptoms: 'headache' };
    expect((await post(base)).openQuestions).toContain('screen');
    const none = await post({ ...base, followUps: { screen: 'none' } });
    expect(none.openQuestions).not.toContain('screen');
    expect((await post({ ...base, followUps: { screen: 'yes' } })).level).toBe('emergency');
  });
});

describe("emergencies: the safety gate's check of one message", () => {
  it('holds exactly when the core rates the message emergency on its own (phrase bank, vignette answers, interruptions)', () => {
    const texts = [
      ...loadPhraseBank().map((p) => [p.text, p.lang === 'es' ? 'es-US' : 'en-US'] as const),
      ...devVignettes.flatMap((v) => [v.answers.symptoms, v.answers.doseChanges, v.interrupt?.text ?? ''].map((t) => [t, v.locale] as const)),
      ['my muscles were really stiff yesterday and now my pee is dark like cola', 'en-US'] as const,
    ];
    let emergencies = 0;
    for (const [text, locale] of texts) {
      const input = { symptoms: text, now: NOW, locale };
      const hits = t.emergencies(input);
      expect(hits.length > 0, text).toBe(t.assess(input).level === 'emergency');
      if (hits.length) emergencies++;
    }
    expect(emergencies).toBeGreaterThan(20);
  });
});
