// The gate's red-flag check, slot filling's findings and the intake's review are cheaper entry points into the same core: they must say
// exactly what a whole assessment says, whatever the text, and repeated text (served from the core's caches) must
// read the same as the first time.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTriage, type AssessInput, type Triage } from '../src/triage/index.js';
import { devVignetteSet, intakeVignetteSet } from './devVignettes.js';

const devVignettes = [...devVignetteSet.vignettes, ...intakeVignetteSet.vignettes];

let t: Triage;
beforeAll(() => { t = createTriage(); });

const NOW = '2026-03-10T10:00:00-05:00';
const messages = [
  'he had a seizure', "I can't wake him up", 'my lips are turning blue', 'tight chest', "she doesn't know where she is",
  'temp is 40.2', 'I took the whole bottle', 'I want to kill myself tonight', 'sweaty and shaky', 'hi', '', '🙂🙂',
  'my dad had a seizure years ago', 'no seizure, no chest pain', 'sertralin and tramadol, ran out of baclofen yesterday',
  'el pie le rebota y tiene fiebre de 39.5', 'my husband is stiff as a board with 39.8 fever on baclofen',
];

describe('red flags alone', () => {
  it.each(messages)('%j: same red flags as the whole assessment', (text) => {
    const input: AssessInput = { symptoms: text, now: NOW, locale: 'en-US' };
    expect(t.redFlags(input)).toEqual(t.assess(input).redFlags);
  });

  it('finds a red flag in a message', () => {
    expect(t.redFlags({ symptoms: 'he had a seizure', now: NOW }).map((r) => r.id)).toEqual(['seizure']);
  });
});

describe('findings alone', () => {
  it('match the whole assessment for every dev vignette, twice over', () => {
    expect(devVignettes.length).toBeGreaterThan(0);
    for (let round = 0; round < 2; round++) {
      for (const v of devVignettes) {
        const input: AssessInput = { ...v.answers, followUps: v.followUps, now: v.now, locale: v.locale };
        expect(t.findings(input), v.id).toEqual(t.assess(input).findings);
      }
    }
  });

  it('a cached clause reads the same in a new context (who it is about)', () => {
    const mine = t.findings({ symptoms: 'shaking and sweating', now: NOW });
    const hers = t.findings({ medications: 'my mom takes sertraline', symptoms: 'shaking and sweating', now: NOW });
    expect(mine.symptoms.every((s) => s.experiencer === 'patient')).toBe(true);
    expect(hers.symptoms.map((s) => s.id)).toEqual(mine.symptoms.map((s) => s.id));
  });
});

describe('review', () => {
  it('gives the findings and open questions of the whole assessment for every dev vignette and its parts', () => {
    for (const v of devVignettes) {
      // The intake reviews the answers as they grow: the medicines alone, then with the changes, then everything.
      const parts: AssessInput[] = [
        { medications: v.answers.medications, now: v.now, locale: v.locale },
        { medications: v.answers.medications, doseChanges: v.answers.doseChanges, now: v.now, locale: v.locale },
        { ...v.answers, followUps: v.followUps, now: v.now, locale: v.locale },
      ];
      for (const input of parts) {
        const whole = t.assess(input);
        expect(t.review(input), v.id).toEqual({ findings: whole.findings, openQuestions: whole.openQuestions });
      }
    }
  });
});

describe('follow-ups already answered in free text', () => {
  const base = { medications: 'sertraline 100 mg and tramadol', doseChanges: 'started the tramadol 2 days ago', now: NOW, locale: 'en-US' };
  it('asks when the symptoms began only if the symptoms answer did not say', () => {
    expect(t.review({ ...base, symptoms: 'sweating and shaky hands' }).openQuestions).toContain('timing');
    expect(t.review({ ...base, symptoms: 'sweating and shaky hands since this morning' }).openQuestions).not.toContain('timing');
    expect(t.review({ ...base, symptoms: 'sweating, shaky hands since yesterday evening' }).openQuestions).not.toContain('timing');
  });
});

describe('clause caches', () => {
  it('change nothing: every dev vignette reads the same with them turned off', () => {
    const uncached = createTriage({ clauseCacheSize: 0 });
    for (const v of devVignettes) {
      const input: AssessInput = { ...v.answers, followUps: v.followUps, now: v.now, locale: v.locale };
      expect(uncached.assess(input), v.id).toEqual(t.assess(input));
    }
  });
});
