// Addiction-treatment intake (issue 11, clinical.md 4.5): the cases that were wrong before, through POST /api/assess
// as intake clients and forms send them; then how amounts, timing, street names and past withdrawal complications are
// read from lay English and Spanish, which follow-ups are asked, and what the advice must and must not say.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTriage, LEVELS, type AssessInput, type Assessment, type Level, type Triage } from '../src/triage/index.js';
import { startServer, type RunningServer } from './helpers.js';

const NOW = '2026-03-10T10:00:00-05:00'; // a Tuesday
const rank = (l: Level) => LEVELS.indexOf(l);
let srv: RunningServer;
let t: Triage;
beforeAll(async () => { srv = await startServer(); t = createTriage(); });
afterAll(async () => { await srv.close(); });

async function viaHttp(body: Record<string, unknown>): Promise<Assessment> {
  const res = await srv.post('/api/assess', { now: NOW, locale: 'en-US', ...body });
  expect(res.status).toBe(200);
  return await res.json() as Assessment;
}
const run = (input: AssessInput): Assessment => t.assess({ medications: '', doseChanges: '', symptoms: '', now: NOW, locale: 'en-US', ...input });
const statusOf = (a: Assessment, id: string) => a.patterns.find((p) => p.id === id)?.status;
const text = (a: Assessment) => [a.headline, ...a.advice, ...a.safetyNet].join(' ');

describe('the cases under "Why" in issue 11', () => {
  it.each([
    ['in three answers', { medications: 'Klonopin 2 mg three times a day', doseChanges: 'ran out 3 days ago', symptoms: "anxious, can't sleep, hands shaking" }],
    ['in one answer', { symptoms: "Klonopin 2 mg three times a day, ran out 3 days ago, anxious, can't sleep, hands shaking" }],
  ])('Klonopin run out with anxiety, insomnia and tremor (%s) is at least urgent', async (_how, body) => {
    const a = await viaHttp(body);
    expect(rank(a.level)).toBeGreaterThanOrEqual(rank('urgent'));
    expect(statusOf(a, 'benzodiazepine-withdrawal')).toBe('met');
    expect(text(a)).not.toMatch(/keep taking your medicines as prescribed/i);
    expect(text(a)).toMatch(/seizure/i);
  });

  it.each([
    ['in two answers', { doseChanges: 'Stopped a fifth of alcohol a day 2 days ago', symptoms: 'shaking, sweating, seeing bugs' }],
    ['in one answer', { symptoms: 'Stopped a fifth of alcohol a day 2 days ago, shaking, sweating, seeing bugs' }],
  ])('alcohol stopped 2 days ago with seeing bugs (%s) is an emergency', async (_how, body) => {
    const a = await viaHttp(body);
    expect(a.level).toBe('emergency');
    expect(statusOf(a, 'alcohol-withdrawal')).toBe('met');
  });

  it.each([
    ['in two answers', { doseChanges: 'Stopped a fifth of alcohol a day 2 days ago', symptoms: 'I feel fine' }],
    ['in one answer', { medications: 'Stopped a fifth of alcohol a day 2 days ago, I feel fine' }],
  ])('"I feel fine" on day 2 after a fifth a day (%s) is contact-clinician or higher, with the warning signs', async (_how, body) => {
    const a = await viaHttp(body);
    expect(rank(a.level)).toBeGreaterThanOrEqual(rank('contact-clinician'));
    expect(statusOf(a, 'alcohol-withdrawal')).toBe('at-risk');
    const said = text(a);
    for (const sign of [/seizure/i, /seeing, hearing or feeling things/i, /confusion/i, /fever/i, /racing heart with heavy sweating/i]) expect(said).toMatch(sign);
    expect(said).toMatch(/Call 911/);
  });

  it.each([
    ['one answer', { medications: 'Heroin this morning' }],
    ['answers apart', { medications: 'heroin', doseChanges: 'used this morning', symptoms: 'no symptoms' }],
    ['symptoms only', { symptoms: 'heroin this morning, no symptoms' }],
  ])('heroin with no symptoms (%s) is contact-clinician or lower, with overdose-risk and naloxone advice', async (_how, body) => {
    const a = await viaHttp(body);
    expect(rank(a.level)).toBeLessThanOrEqual(rank('contact-clinician'));
    expect(a.findings.medications.map((m) => m.name)).toContain('heroin');
    const said = text(a);
    expect(said).toMatch(/tolerance falls/i);
    expect(said).toMatch(/fatal overdose/i);
    expect(said).toMatch(/naloxone.*without a prescription at pharmacies/i);
    expect(a.contacts).toContainEqual(expect.objectContaining({ kind: 'helpline', number: '1-800-662-4357' }));
  });

  it('the same in Spanish names naloxone and the helpline', async () => {
    const a = await viaHttp({ medications: 'heroína esta mañana', symptoms: 'nada', locale: 'es-US' });
    expect(a.advice.join(' ')).toMatch(/naloxona/);
    expect(a.advice.join(' ')).toMatch(/sobredosis/);
    expect(a.contacts.map((c) => c.number)).toContain('1-800-662-4357');
  });
});

describe('levels of the three patterns (clinical.md 4.5)', () => {
  it.each<[string, AssessInput, Level, string, string]>([
    ['alcohol stop, no signs, history of DTs', { doseChanges: 'quit drinking yesterday', symptoms: 'fine. history of DTs' }, 'urgent', 'alcohol-withdrawal', 'at-risk'],
    ['alcohol stop with signs and a past withdrawal seizure', { doseChanges: 'stopped drinking 2 days ago', symptoms: 'shaky and sweaty', followUps: { 'withdrawal-history': 'yes, a seizure the last time I quit' } }, 'emergency', 'alcohol-withdrawal', 'met'],
    ['alcohol stop with a racing heart and sweating', { medications: 'a 12 pack a day', doseChanges: 'stopped 2 days ago', symptoms: 'my heart is racing and I am drenched in sweat' }, 'emergency', 'alcohol-withdrawal', 'met'],
    ['alcohol stop with a fever', { medications: 'vodka every day', doseChanges: 'stopped drinking 3 days ago', symptoms: 'I have a fever and feel weak' }, 'emergency', 'alcohol-withdrawal', 'met'],
    ['morning shakes while still drinking daily', { medications: 'I drink every day', symptoms: 'I wake up shaking and sick' }, 'urgent', 'alcohol-withdrawal', 'met'],
    ['alcohol stopped 3 weeks ago, no signs', { doseChanges: 'quit drinking 3 weeks ago', symptoms: 'fine' }, 'self-monitor', 'alcohol-withdrawal', 'absent'],
    ['long-acting benzodiazepine stopped 10 days ago', { medications: 'valium 10 mg twice a day for years', doseChanges: 'stopped valium 10 days ago', symptoms: 'fine' }, 'contact-clinician', 'benzodiazepine-withdrawal', 'at-risk'],
    ['short-acting benzodiazepine stopped 10 days ago', { medications: 'xanax 1 mg twice a day for years', doseChanges: 'stopped xanax 10 days ago', symptoms: 'fine' }, 'self-monitor', 'benzodiazepine-withdrawal', 'absent'],
    ['as-needed benzodiazepine not taken lately', { medications: 'ativan 0.5 mg as needed, maybe once a month', doseChanges: "haven't taken it in a week", symptoms: 'fine' }, 'self-monitor', 'benzodiazepine-withdrawal', 'absent'],
    ['benzodiazepine stopped with hallucinations', { medications: 'klonopin 2 mg a day', doseChanges: 'stopped 3 days ago', symptoms: 'I keep seeing shadows and hearing voices' }, 'emergency', 'benzodiazepine-withdrawal', 'met'],
    ['opioid withdrawal without red flags', { medications: 'oxycodone 30 mg four times a day', doseChanges: 'ran out yesterday', symptoms: 'yawning, runny nose, diarrhea, goosebumps' }, 'contact-clinician', 'opioid-withdrawal', 'met'],
    ['prescribed opioid as prescribed', { medications: 'tramadol 50 mg twice a day for my back', doseChanges: 'no changes', symptoms: 'fine' }, 'self-monitor', 'opioid-withdrawal', 'absent'],
    ['opioid with alcohol and slow breathing', { medications: 'percocet and vodka', symptoms: 'his breathing is really slow' }, 'emergency', 'cns-depression', 'met'],
    ['opioid with a gabapentinoid and sleepiness', { medications: 'heroin and gabapentin', symptoms: 'nodding off all day but wakes up' }, 'urgent', 'cns-depression', 'met'],
  ])('%s → %s', (_name, input, level, pattern, status) => {
    const a = run(input);
    expect(a.level).toBe(level);
    expect(statusOf(a, pattern)).toBe(status);
    for (const p of a.patterns.filter((x) => x.status !== 'absent')) expect(p.sources.length).toBeGreaterThan(0);
  });

  it('fluids advice goes with vomiting or diarrhoea in opioid withdrawal', () => {
    const a = run({ medications: 'methadone 80 mg', doseChanges: 'missed my methadone 2 days ago', symptoms: "can't stop throwing up, diarrhea" });
    expect(a.notes).toContain('fluids');
    expect(a.advice.join(' ')).toMatch(/sipping water or other fluids/);
    expect(run({ medications: 'methadone 80 mg', doseChanges: 'missed my methadone 2 days ago', symptoms: 'yawning and goosebumps' }).notes).not.toContain('fluids');
  });

  it('overdose-risk and naloxone advice whenever an opioid is used or stopped, and only then', () => {
    for (const meds of ['oxycodone 5 mg for my knee', 'suboxone', 'fentanyl patch', 'metadona']) {
      expect(run({ medications: meds }).notes, meds).toEqual(expect.arrayContaining(['opioid-tolerance', 'naloxone']));
    }
    expect(run({ doseChanges: 'stopped my oxycodone 2 weeks ago' }).notes).toEqual(expect.arrayContaining(['opioid-tolerance', 'naloxone']));
    expect(run({ medications: 'sertraline and a beer sometimes' }).notes).not.toContain('naloxone');
  });
});

describe('amounts, timing and names from lay words', () => {
  const meds = (a: Assessment) => a.findings.medications.map((m) => m.name);

  it.each([
    ['a fifth a day', 'I drink a fifth a day'],
    ['a 30-pack', 'I go through a 30-pack'],
    ['a handle every two days', 'a handle every two days'],
    ['been drinking heavy for years', 'been drinking heavy for years'],
    ['una botella de tequila al día', 'mi esposo toma una botella de tequila al día'],
    ['caguamas', 'se toma unas caguamas'],
  ])('%s is heavy drinking (alcohol found, at risk)', (_label, medications) => {
    const a = run({ medications, symptoms: 'fine' });
    expect(meds(a)).toContain('alcohol');
    expect(a.reasons.map((r) => r.rule)).toContain('AW-L2-heavy');
  });

  it.each([
    ['last drink saturday night', { doseChanges: 'last drink saturday night', medications: 'beer every day' }, '2026-03-07T22:00:00-05:00'],
    ['haven\'t had a drink since friday', { doseChanges: "haven't had a drink since friday" }, '2026-03-06T12:00:00-05:00'],
    ['sober for 3 days', { doseChanges: "I've been sober for 3 days" }, '2026-03-07T10:00:00-05:00'],
    ['dejé de tomar el domingo', { doseChanges: 'dejé de tomar el domingo', locale: 'es-US' }, '2026-03-08T12:00:00-05:00'],
    ['la última copa fue anoche', { medications: 'tomo todos los días', doseChanges: 'la última copa fue anoche', locale: 'es-US' }, '2026-03-09T22:00:00-05:00'],
  ])('%s → alcohol stopped at that time', (_label, input, at) => {
    const a = run(input as AssessInput);
    expect(a.findings.doseChanges).toContainEqual(expect.objectContaining({ medication: 'alcohol', change: 'stopped', at }));
  });

  it('"ran out of my klonopin" is clonazepam run out', () => {
    const a = run({ medications: 'klonopin', doseChanges: 'ran out of my klonopin' });
    expect(a.findings.doseChanges).toContainEqual(expect.objectContaining({ medication: 'clonazepam', change: 'ran-out' }));
    expect(statusOf(a, 'benzodiazepine-withdrawal')).toBe('at-risk');
  });

  it.each([
    ['dejó la metadona hace 3 días', 'methadone'],
    ['hace 4 días que no tengo', 'alprazolam'],
  ])('Spanish "%s" is a stop', (doseChanges, drug) => {
    const a = run({ medications: drug === 'methadone' ? 'mi hijo tomaba metadona' : 'xanax de 2 mg tres al día', doseChanges, locale: 'es-US' });
    expect(a.findings.doseChanges).toContainEqual(expect.objectContaining({ medication: drug, change: 'stopped' }));
  });

  it.each([
    ['xans', 'alprazolam'], ['4 bars a day', 'alprazolam'], ['percs', 'oxycodone'], ['blues', 'fentanyl'], ['fetty', 'fentanyl'],
    ['dope', 'heroin'], ['subs', 'buprenorphine'], ["I'm on done, 90 mg", 'methadone'], ['my done clinic', 'methadone'],
    ['chiva', 'heroin'], ['tecata', 'heroin'], ['fentanilo', 'fentanyl'], ['unas chelas', 'alcohol'],
  ])('street name %j → %s', (medications, drug) => {
    expect(meds(run({ medications }))).toContain(drug);
  });

  it.each([
    ["I'm done with all this", 'methadone'],
    ['just got out from behind bars', 'alprazolam'],
    ['I drink a lot of water', 'alcohol'],
    ['I drink coffee all day', 'alcohol'],
  ])('%j is not %s', (medications, drug) => {
    expect(meds(run({ medications }))).not.toContain(drug);
  });

  it('a carer\'s "my husband drinks..." is about the patient', () => {
    const a = run({ medications: 'my husband drinks a fifth a day', doseChanges: 'he stopped 2 days ago', symptoms: "he's shaking and sweating" });
    expect(meds(a)).toContain('alcohol');
    expect(a.level).toBe('urgent');
  });

  it('"desde hace años" (for years) keeps a drug current', () => {
    expect(meds(run({ medications: 'mi mamá toma rivotril de 2 mg diario desde hace años', locale: 'es-US' }))).toContain('clonazepam');
  });

  it.each([
    ['dejé de tomar el clonazepam hace 3 días', 'clonazepam'],
    ['dejé de tomar mis pastillas el lunes', 'sertralina'],
  ])('"%s" is a medicine stopped, not drinking', (doseChanges, medications) => {
    const a = run({ medications, doseChanges, locale: 'es-US' });
    expect(meds(a)).not.toContain('alcohol');
    expect(statusOf(a, 'alcohol-withdrawal')).toBe('absent');
  });

  it('an intention to stop is not a stop', () => {
    const a = run({ medications: 'xanax 1 mg three times a day', doseChanges: 'I want to quit my xanax' });
    expect(statusOf(a, 'benzodiazepine-withdrawal')).toBe('absent');
  });
});

describe('past withdrawal seizures or DTs', () => {
  const base = { medications: 'I drink every day', doseChanges: 'stopped 2 days ago', symptoms: 'fine' };
  it.each([
    ['history of DTs', { symptoms: 'fine, history of DTs' }],
    ['had the DTs two years ago', { symptoms: 'I had the DTs two years ago' }],
    ['history of withdrawal seizures', { symptoms: 'fine now, history of withdrawal seizures' }],
    ['a yes to the question', { followUps: { 'withdrawal-history': 'yes, twice' } }],
    ['a seizure told in the answer to the question', { followUps: { 'withdrawal-history': 'I had a seizure when I quit in 2019' } }],
  ])('%s makes a stop without signs urgent', (_label, extra) => {
    const a = run({ ...base, ...extra });
    expect(a.level).toBe('urgent');
    expect(a.reasons.map((r) => r.rule)).toContain('AW-L3-history');
    // A seizure in the answer about the past is a past one, not a red flag.
    expect(a.redFlags).toEqual([]);
  });

  it.each([
    ['never had seizures or DTs', { symptoms: 'fine, never had seizures or DTs' }],
    ['a no to the question', { followUps: { 'withdrawal-history': 'no' } }],
    ['not sure', { followUps: { 'withdrawal-history': 'not sure' } }],
    ["my brother's seizures", { symptoms: 'fine. my brother had seizures years ago' }],
  ])('%s does not', (_label, extra) => {
    expect(run({ ...base, ...extra }).level).toBe('contact-clinician');
  });
});

describe('follow-up questions only when they can change the level', () => {
  const open = (input: AssessInput) => t.review({ now: NOW, ...input }).openQuestions;

  it('asks about past withdrawal seizures after a stop, not once they are answered or told', () => {
    expect(open({ doseChanges: 'quit drinking yesterday', symptoms: 'fine' })).toContain('withdrawal-history');
    expect(open({ doseChanges: 'quit drinking yesterday', symptoms: 'fine', followUps: { 'withdrawal-history': 'no' } })).not.toContain('withdrawal-history');
    expect(open({ doseChanges: 'quit drinking yesterday', symptoms: 'fine, history of DTs' })).not.toContain('withdrawal-history');
    expect(open({ doseChanges: 'quit drinking yesterday', symptoms: 'seeing bugs' })).not.toContain('withdrawal-history');
  });

  it('asks when the last drink was for a daily drinker who named no stop, and not after a stop', () => {
    expect(open({ medications: 'I drink every day', symptoms: 'fine' })).toContain('last-use');
    expect(open({ medications: 'I drink every day', doseChanges: 'last drink was saturday night', symptoms: 'fine' })).not.toContain('last-use');
  });

  it('a last-use answer places the person in the window', () => {
    const a = run({ medications: 'I drink every day', symptoms: 'fine', followUps: { 'last-use': '2 days ago' } });
    expect(a.level).toBe('contact-clinician');
    expect(statusOf(a, 'alcohol-withdrawal')).toBe('at-risk');
  });

  it('asks how much only when the amount is not known yet', () => {
    expect(open({ medications: 'I drink beer', symptoms: 'shaky' })).toContain('amount');
    expect(open({ medications: 'a 12 pack a day', symptoms: 'shaky' })).not.toContain('amount');
    expect(open({ medications: 'a beer on weekends', symptoms: 'fine' })).not.toContain('amount');
    expect(run({ medications: 'I drink beer', symptoms: 'shaky and sweaty', followUps: { amount: 'a 12 pack a day for years' } }).level).toBe('urgent');
  });

  it('asks about alcohol when shaking or sweating have no explanation, not when drinking was told', () => {
    expect(open({ symptoms: 'shaking and sweating' })).toContain('alcohol');
    expect(open({ doseChanges: 'stopped drinking 2 days ago', symptoms: 'shaking and sweating' })).not.toContain('alcohol');
    expect(open({ medications: "I don't drink", symptoms: 'shaking and sweating' })).not.toContain('alcohol');
    expect(run({ symptoms: 'shaking and sweating', followUps: { alcohol: 'yes, I stopped drinking 2 days ago' } }).level).toBe('urgent');
  });
});

describe('what the advice never says', () => {
  const k = createTriage().knowledge;
  const texts = [
    ...['alcohol-withdrawal', 'benzodiazepine-withdrawal', 'opioid-withdrawal'].flatMap((p) => [...k.guidance.patterns[p].advice.en, ...k.guidance.patterns[p].advice.es]),
    ...['opioid-tolerance', 'naloxone', 'fluids'].flatMap((n) => [k.guidance.notes[n].text.en, k.guidance.notes[n].text.es]),
  ];
  it.each(texts.map((s) => [s.slice(0, 60), s] as const))('no instruction to stop, start, double or taper a drug: %s…', (_label, s) => {
    expect(s).not.toMatch(/\b(?:taper|double (?:the|your)|stop taking|start taking|restart|keep taking|cut (?:back|down) (?:on|to)|reduce (?:the|your) dose)\b/i);
    expect(s).not.toMatch(/\b(?:reduzca|duplique|deje de tomar|empiece a tomar|siga tomando)\b/i);
  });
});

describe('reading stays linear in the text', () => {
  it('a long intake answer is read in bounded time, with no caches', () => {
    const uncached = createTriage({ clauseCacheSize: 0 });
    const chunk = 'last drink saturday night, a fifth a day for years, dejé de tomar el domingo, never had seizures, ';
    // The fastest of five runs, after a warm-up of both sizes, so that a busy machine does not decide the ratio.
    const inputOf = (n: number): AssessInput => ({ doseChanges: chunk.repeat(n), now: NOW });
    const time = (n: number) => {
      const input = inputOf(n);
      let best = Infinity;
      for (let r = 0; r < 5; r++) {
        const start = performance.now();
        uncached.assess(input);
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    uncached.assess(inputOf(50));
    uncached.assess(inputOf(200));
    const small = time(50);
    const large = time(200);
    expect(large).toBeLessThan(3000);
    // Four times the text: well under sixteen times the work (a quadratic reading would show here).
    expect(large / Math.max(small, 1)).toBeLessThan(12);
  });
});
