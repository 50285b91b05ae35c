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

describe("the conversation's clinical words trace to sources", () => {
  it('every emergency screen sign is a red flag of the design and cites knowledge/sources.json or clinical.md 5.1/5.1b', async () => {
    const { SCREEN_SIGNS } = await import('../dialogs/index.js');
    const { RED_FLAG_IDS } = await import('../src/triage/index.js');
    const ids = new Set(t.knowledge.sources.map((s) => s.id));
    const designIds = new Set<string>([...RED_FLAG_IDS, 'stroke', 'anaphylaxis', 'bleeding', 'head-injury']);
    expect(SCREEN_SIGNS.length).toBe(10);
    for (const sign of SCREEN_SIGNS) {
      expect(designIds.has(sign.id), sign.id).toBe(true);
      expect(sign.sources.length, sign.id).toBeGreaterThan(0);
      for (const src of sign.sources) expect(ids.has(src) || /^clinical\.md 5\.1b?$/.test(src), `${sign.id}: ${src}`).toBe(true);
      for (const lang of ['en', 'es'] as const) expect(sign.label[lang].length, `${sign.id} ${lang}`).toBeLessThanOrEqual(37);
    }
  });

  it('answers to questions back come from sourced guidance, in both languages', () => {
    for (const key of ['answer-danger', 'answer-serotonin-toxicity', 'answer-baclofen-withdrawal', 'answer-depressants', 'answer-medicine-change']) {
      const note = t.knowledge.guidance.notes[key]!;
      expect(note.sources.length, key).toBeGreaterThan(0);
      expect(note.text.en.length, key).toBeGreaterThan(20);
      expect(note.text.es.length, key).toBeGreaterThan(20);
    }
  });
});

describe('advice for the person\'s own drugs and patterns (guidance lines with a [condition])', () => {
  it('names baclofen, an antidepressant or the pump clinic only to those who have them, and never says to keep taking medicines after an overdose', () => {
    const ssri = assess({ medications: 'sertraline 50 mg', symptoms: 'headache' });
    expect(ssri.advice.join(' ')).toMatch(/Do not stop an antidepressant suddenly/);
    expect([ssri.headline, ...ssri.advice].join(' ')).not.toMatch(/baclofen|pump/i);
    const tablets = assess({ medications: 'baclofen 10 mg tablets', doseChanges: 'ran out yesterday', symptoms: 'fine' });
    expect(tablets.advice.join(' ')).toMatch(/Do not stop baclofen suddenly/);
    expect(tablets.advice.join(' ')).not.toMatch(/pump|antidepressant/i);
    const pump = assess({ medications: 'baclofen pump', doseChanges: 'the pump alarm went off last night', symptoms: 'fine' });
    expect(pump.level).toBe('urgent');
    expect(pump.advice.join(' ')).toMatch(/pump clinic today/);
    const none = assess({ medications: 'none', symptoms: 'headache' });
    expect(none.advice.join(' ')).not.toMatch(/Keep taking your medicines/);
    const overdose = assess({ medications: 'sertraline', symptoms: 'I took too much sertraline' });
    expect(overdose.advice.join(' ')).not.toMatch(/Keep taking your medicines/);
    expect(assess({ medications: 'oxycodone and xanax', symptoms: 'fine' }).advice.join(' ')).not.toMatch(/baclofen/i);
  });

  it('stops the start on a condition that names no fact', async () => {
    const { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'knowledge-'));
    try {
      cpSync(path.resolve(__dirname, '../knowledge'), dir, { recursive: true });
      const file = path.join(dir, 'guidance.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace('[drug:baclofen] Do not stop baclofen', '[drug:baclofn] Do not stop baclofen'));
      expect(() => createTriage({ knowledgeDir: dir })).toThrow(/guidance\.json.*unknown condition "drug:baclofn"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
