// Relative and absolute times, resolved against a pinned `now` in the request's own offset, and dose changes
// with their kinds and dates through assess (DESIGN.md: relative times resolve against the user's offset).
// NOW is Tuesday 10 March 2026, 10:00 at UTC-5.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTriage, type Assessment, type DoseChangeKind, type Triage } from '../src/triage/index.js';
import { makeNow, resolveTime, toIsoWithOffset } from '../src/triage/time.js';

const NOW = '2026-03-10T10:00:00-05:00';
const now = makeNow(NOW);
const resolved = (clause: string, nowIso = NOW) => {
  const r = resolveTime(clause, makeNow(nowIso));
  return r && toIsoWithOffset(r.at, nowIso.slice(-6));
};

let t: Triage;
beforeAll(() => { t = createTriage(); });
const assess = (medications: string, doseChanges: string, nowIso = NOW, symptoms = ''): Assessment =>
  t.assess({ medications, doseChanges, symptoms, now: nowIso, locale: 'en-US' });

describe('resolveTime against Tuesday 2026-03-10 10:00 -05:00', () => {
  it.each([
    ['yesterday', '2026-03-09T12:00:00-05:00'],
    ['2 days ago', '2026-03-08T10:00:00-05:00'],
    ['two days ago', '2026-03-08T10:00:00-05:00'],
    ['a couple of days ago', '2026-03-08T10:00:00-05:00'],
    ['about 3 days ago', '2026-03-07T10:00:00-05:00'],
    ['3 hours ago', '2026-03-10T07:00:00-05:00'],
    ['a week ago', '2026-03-03T10:00:00-05:00'],
    ['last week', '2026-03-03T10:00:00-05:00'],
    ['this morning', '2026-03-10T09:00:00-05:00'],
    ['last night', '2026-03-09T22:00:00-05:00'],
    ['last night around 11', '2026-03-09T23:00:00-05:00'],
    ['yesterday at 8pm', '2026-03-09T20:00:00-05:00'],
    ['the day before yesterday', '2026-03-08T12:00:00-05:00'],
    ['since sunday', '2026-03-08T12:00:00-05:00'],
    ['saturday night', '2026-03-07T22:00:00-05:00'],
    ['sunday morning', '2026-03-08T09:00:00-05:00'],
    ['on friday', '2026-03-06T12:00:00-05:00'],
    ['last monday', '2026-03-09T12:00:00-05:00'],
    ['wednesday', '2026-03-04T12:00:00-05:00'],
    // misspelt weekdays, as typed on a phone
    ['stopped it on tusday', '2026-03-10T10:00:00-05:00'], // today, not later than now
    ['since wensday night', '2026-03-04T22:00:00-05:00'],
    ['last thrusday', '2026-03-05T12:00:00-05:00'],
    ['saterday morning', '2026-03-07T09:00:00-05:00'],
    // a "last" weekday equal to today is a week ago
    ['last tuesday', '2026-03-03T12:00:00-05:00'],
    // absolute dates
    ['march 3', '2026-03-03T12:00:00-05:00'],
    ['on the 3rd of march', '2026-03-03T12:00:00-05:00'],
    ['3/8', '2026-03-08T12:00:00-05:00'],
    ['2026-03-08', '2026-03-08T12:00:00-05:00'],
    ['march 15', '2025-03-15T12:00:00-05:00'], // a day-month later than today is last year's
    // Spanish
    ['ayer', '2026-03-09T12:00:00-05:00'],
    ['anoche', '2026-03-09T22:00:00-05:00'],
    ['antier', '2026-03-08T12:00:00-05:00'],
    ['hace dos dias', '2026-03-08T10:00:00-05:00'],
    ['hace 3 dias', '2026-03-07T10:00:00-05:00'],
    ['el sabado', '2026-03-07T12:00:00-05:00'],
    ['el sabado en la noche', '2026-03-07T22:00:00-05:00'],
    ['la semana pasada', '2026-03-03T10:00:00-05:00'],
    ['esta manana', '2026-03-10T09:00:00-05:00'],
    ['desde el lunes', '2026-03-09T12:00:00-05:00'],
  ])('%s → %s', (clause, iso) => {
    expect(resolved(clause)).toBe(iso);
  });

  it('a bare weekday equal to today means today', () => {
    expect(resolved('tuesday')!.slice(0, 10)).toBe('2026-03-10');
  });

  it.each(['tonight', 'tomorrow', 'next friday'])('%s is in the future', (clause) => {
    const r = resolveTime(clause, now);
    expect(r?.future).toBe(true);
    expect(r!.at.getTime()).toBeGreaterThan(now.getTime());
  });

  it.each([
    ['i feel fine'],
    ['20 mg twice a day'],
    ['took 1/2 tablet'],
  ])('no time in %j', (clause) => {
    expect(resolveTime(clause, now)).toBeUndefined();
  });

  it.each([
    ['yesterday', '2026-03-10T10:00:00+01:00', '2026-03-09T12:00:00+01:00'],
    ['2 days ago', '2026-03-10T10:00:00+01:00', '2026-03-08T10:00:00+01:00'],
    ['last night', '2026-03-10T10:00:00+01:00', '2026-03-09T22:00:00+01:00'],
    // late evening west of UTC: already the next day in UTC, still the 10th locally
    ['yesterday', '2026-03-10T23:30:00-08:00', '2026-03-09T12:00:00-08:00'],
    ['this morning', '2026-03-10T23:30:00-08:00', '2026-03-10T09:00:00-08:00'],
    // just after midnight east of UTC: still the 9th in UTC, already the 10th locally
    ['yesterday', '2026-03-10T00:30:00+05:30', '2026-03-09T12:00:00+05:30'],
    ['saturday night', '2026-03-10T00:30:00+05:30', '2026-03-07T22:00:00+05:30'],
  ])('%s with now %s → %s', (clause, nowIso, iso) => {
    expect(resolved(clause, nowIso)).toBe(iso);
  });
});

describe('dose changes through assess', () => {
  it.each<[string, string, string, DoseChangeKind, string | undefined]>([
    ['sertraline', 'started sertraline 2 days ago', 'sertraline', 'started', '2026-03-08T10:00:00-05:00'],
    ['baclofen', 'I stopped my baclofen yesterday', 'baclofen', 'stopped', '2026-03-09T12:00:00-05:00'],
    ['baclofen', 'ran out of baclofen on saturday', 'baclofen', 'ran-out', '2026-03-07T12:00:00-05:00'],
    ['baclofen', "I've missed my baclofen doses since sunday", 'baclofen', 'missed', '2026-03-08T12:00:00-05:00'],
    ['citalopram', 'my doctor raised my citalopram from 20 to 30 last week', 'citalopram', 'increased', '2026-03-03T10:00:00-05:00'],
    ['baclofen', 'went from 4 to 2 baclofen a day three days ago', 'baclofen', 'decreased', '2026-03-07T10:00:00-05:00'],
    ['tramadol', 'restarted tramadol this morning', 'tramadol', 'restarted', '2026-03-10T09:00:00-05:00'],
    ['baclofen pump', 'the pump is beeping since last night', 'baclofen', 'pump-alarm', '2026-03-09T22:00:00-05:00'],
    ['baclofen pump', 'my refill was due 2 days ago', 'baclofen', 'refill-missed', '2026-03-08T10:00:00-05:00'],
    ['baclofen pump', 'the pump was replaced yesterday', 'baclofen', 'pump-surgery', '2026-03-09T12:00:00-05:00'],
    ['baclofen pump', 'I fell on my pump on sunday', 'baclofen', 'pump-fall', '2026-03-08T12:00:00-05:00'],
    ['sertraline', "I'm supposed to start tramadol tonight", 'tramadol', 'planned', '2026-03-10T21:00:00-05:00'],
    ['sertralina', 'empece sertralina hace 3 dias', 'sertraline', 'started', '2026-03-07T10:00:00-05:00'],
    ['baclofeno', 'se me acabo el baclofeno ayer', 'baclofen', 'ran-out', '2026-03-09T12:00:00-05:00'],
    ['baclofen', 'stopped it 2026-03-08', 'baclofen', 'stopped', '2026-03-08T12:00:00-05:00'],
    ['baclofen', 'ran out 3/8', 'baclofen', 'ran-out', '2026-03-08T12:00:00-05:00'],
    ['baclofen 20 mg', 'I cut back my baclofen to 1/2 tablet yesterday', 'baclofen', 'decreased', '2026-03-09T12:00:00-05:00'],
    ['baclofen 20 mg', 'I cut my baclofen down yesterday', 'baclofen', 'decreased', '2026-03-09T12:00:00-05:00'],
  ])('%s / %s → %s %s at %s', (medications, doseChanges, medication, change, at) => {
    const a = assess(medications, doseChanges);
    expect(a.findings.doseChanges).toContainEqual(expect.objectContaining({ medication, change, ...(at ? { at } : {}) }));
  });

  it.each([
    ['2026-03-10T10:00:00-05:00', '2026-03-09T12:00:00-05:00'],
    ['2026-03-10T10:00:00+01:00', '2026-03-09T12:00:00+01:00'],
    ['2026-03-10T10:00:00+00:00', '2026-03-09T12:00:00+00:00'],
    ['2026-03-10T10:00:00-08:00', '2026-03-09T12:00:00-08:00'],
  ])('at carries the request offset (now %s)', (nowIso, at) => {
    const a = assess('baclofen', 'ran out of baclofen yesterday', nowIso);
    const change = a.findings.doseChanges.find((c) => c.change === 'ran-out');
    expect(change?.at).toBe(at);
    expect(a.now.endsWith(nowIso.slice(-6))).toBe(true);
  });

  // The core keeps each clause's reading between requests (a conversation re-reads its earlier answers every turn); what a
  // relative time means must still follow each request's own clock.
  it('the same answer read again later resolves its times against the later clock', () => {
    const kept = 'ran out of baclofen on saturday, 2 days ago';
    const first = assess('baclofen 20 mg three times a day', kept, NOW, 'I feel fine');
    const later = assess('baclofen 20 mg three times a day', kept, '2026-03-30T10:00:00-05:00', 'I feel fine');
    expect(first.findings.doseChanges.find((c) => c.change === 'ran-out')?.at).toBe('2026-03-07T12:00:00-05:00');
    expect(later.findings.doseChanges.find((c) => c.change === 'ran-out')?.at).toBe('2026-03-28T12:00:00-05:00');
    expect(assess('baclofen', 'stopped baclofen 2 days ago').findings.doseChanges[0]?.at).toBe('2026-03-08T10:00:00-05:00');
    expect(assess('baclofen', 'stopped baclofen 2 days ago', '2026-04-01T10:00:00-05:00').findings.doseChanges[0]?.at).toBe('2026-03-30T10:00:00-05:00');
  });

  it('a planned start is not a current exposure, but the planned pair is flagged', () => {
    const a = assess('sertraline', "I'm supposed to start tramadol tonight");
    expect(a.findings.doseChanges.map((c) => c.change)).not.toContain('started');
    expect(a.patterns.find((p) => p.id === 'serotonin-toxicity')!.status).toBe('at-risk');
    expect(a.level).toBe('contact-clinician');
  });

  it('a change with no time has no at', () => {
    const a = assess('baclofen', 'I stopped my baclofen');
    const change = a.findings.doseChanges.find((c) => c.change === 'stopped');
    expect(change).toBeDefined();
    expect(change!.at).toBeUndefined();
  });

  it.each([
    ['ran out of baclofen yesterday', 'contact-clinician'],
    ['ran out of baclofen 3 days ago', 'contact-clinician'],
    ['stopped baclofen 3 weeks ago', 'self-monitor'],
    ['stopped baclofen a year ago', 'self-monitor'],
    ['I cut back my baclofen to 1/2 tablet yesterday', 'contact-clinician'],
  ])('the date decides whether baclofen is still interrupted: %s → %s', (doseChanges, level) => {
    expect(assess('baclofen 20 mg three times a day', doseChanges, NOW, 'I feel fine').level).toBe(level);
  });

  it.each([
    ['started sertraline yesterday', 'urgent'],
    ['started sertraline 2 days ago', 'urgent'],
    ['started sertraline 3 weeks ago', 'self-monitor'],
  ])('the date decides the serotonergic onset window: %s → %s', (doseChanges, level) => {
    // two soft serotonergic features within 72 h of a change → urgent (clinical.md 8.3 ST_L3)
    expect(assess('sertraline', doseChanges, NOW, "I'm shaky and sweating a lot").level).toBe(level);
  });
});
