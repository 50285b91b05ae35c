// Drug-name understanding through the triage core: generics, brands, street and Spanish names, misspellings,
// fuzzy look-alikes (always confirmed), negation, other people's drugs, history and routes (clinical.md 8.4).
import { beforeAll, describe, expect, it } from 'vitest';
import { createTriage, type Assessment, type MatchKind, type Triage } from '../src/triage/index.js';

const NOW = '2026-03-10T10:00:00-05:00';
let t: Triage;
beforeAll(() => { t = createTriage(); });

const assessMeds = (medications: string, extra: { doseChanges?: string; symptoms?: string } = {}): Assessment =>
  t.assess({ medications, doseChanges: extra.doseChanges ?? '', symptoms: extra.symptoms ?? '', now: NOW, locale: 'en-US' });
const names = (a: Assessment) => a.findings.medications.map((m) => m.name);
const med = (a: Assessment, name: string) => a.findings.medications.find((m) => m.name === name);

describe('recognised drug names and match kinds', () => {
  it.each<[string, string, MatchKind]>([
    // generics, in any case
    ['sertraline 50 mg', 'sertraline', 'exact'],
    ['SERTRALINE', 'sertraline', 'exact'],
    ['Baclofen 10mg three times a day', 'baclofen', 'exact'],
    ['citalopram 20mg', 'citalopram', 'exact'],
    ['TraMaDol as needed', 'tramadol', 'exact'],
    ['trazodone at bedtime', 'trazodone', 'exact'],
    ['escitalopram 10 mg', 'escitalopram', 'exact'],
    ['fentanyl', 'fentanyl', 'exact'],
    // brands
    ['Celexa', 'citalopram', 'brand'],
    ['Lexapro 10', 'escitalopram', 'brand'],
    ['zoloft', 'sertraline', 'brand'],
    ['Ultram', 'tramadol', 'brand'],
    ['Desyrel for sleep', 'trazodone', 'brand'],
    ['Klonopin', 'clonazepam', 'brand'],
    ['ativan', 'lorazepam', 'brand'],
    ['Xanax', 'alprazolam', 'brand'],
    ['Dilaudid', 'hydromorphone', 'brand'],
    ['Percocet after my surgery', 'oxycodone', 'brand'],
    ['Lioresal', 'baclofen', 'brand'],
    ['Gablofen', 'baclofen', 'brand'],
    ['Emsam', 'selegiline', 'brand'],
    ['Effexor XR 150', 'venlafaxine', 'brand'],
    ['Cymbalta', 'duloxetine', 'brand'],
    ['Paxil', 'paroxetine', 'brand'],
    ['prozac', 'fluoxetine', 'brand'],
    ['Neurontin', 'gabapentin', 'brand'],
    ['Lyrica', 'pregabalin', 'brand'],
    ['Ambien', 'zolpidem', 'brand'],
    ['Seroquel', 'quetiapine', 'brand'],
    ['Benadryl at night', 'diphenhydramine', 'brand'],
    // street names
    ['took some molly at a party', 'mdma', 'street'],
    ['a couple of xannies', 'alprazolam', 'street'],
    ['percs', 'oxycodone', 'street'],
    // Spanish
    ['baclofeno', 'baclofen', 'spanish'],
    ['sertralina 50', 'sertraline', 'spanish'],
    ['parche de fentanilo', 'fentanyl', 'spanish'],
    ['fluoxetina', 'fluoxetine', 'spanish'],
    // curated misspellings
    ['baclofin', 'baclofen', 'misspelling'],
    ['bacolofen', 'baclofen', 'misspelling'],
    ['zoloff', 'sertraline', 'misspelling'],
    ['klonopine', 'clonazepam', 'misspelling'],
    ['celexia', 'citalopram', 'misspelling'],
    ['tramadal', 'tramadol', 'misspelling'],
    ['methadon', 'methadone', 'misspelling'],
    ['gabapentine', 'gabapentin', 'misspelling'],
  ])('%s → %s (%s)', (text, name, match) => {
    const a = assessMeds(text);
    const m = med(a, name);
    expect(m, `${name} in ${JSON.stringify(names(a))}`).toBeDefined();
    expect(m!.match).toBe(match);
  });
});

describe('look-alike drugs are never merged silently', () => {
  it.each([
    ['Lexapro', 'escitalopram', 'citalopram'],
    ['escitalopram', 'escitalopram', 'citalopram'],
    ['Escitalopram 20 mg daily', 'escitalopram', 'citalopram'],
    ['citalopram', 'citalopram', 'escitalopram'],
    ['trazodone for sleep', 'trazodone', 'tramadol'],
    ['tramadol for my back', 'tramadol', 'trazodone'],
    ['Desyrel', 'trazodone', 'tramadol'],
    ['Ultram', 'tramadol', 'trazodone'],
  ])('%s → %s and not %s', (text, yes, no) => {
    const a = assessMeds(text);
    expect(names(a)).toContain(yes);
    expect(names(a)).not.toContain(no);
  });

  it('tramadol and trazodone named together stay two drugs', () => {
    const a = assessMeds('tramadol 50mg and trazodone 100mg');
    expect(names(a)).toEqual(expect.arrayContaining(['tramadol', 'trazodone']));
    expect(med(a, 'tramadol')!.match).toBe('exact');
    expect(med(a, 'trazodone')!.match).toBe('exact');
  });

  it('citalopram and escitalopram named together stay two drugs', () => {
    const a = assessMeds('I switched from citalopram to escitalopram');
    expect(names(a)).toEqual(expect.arrayContaining(['citalopram', 'escitalopram']));
  });

  it.each([
    // fuzzy typos (not in the curated lists) near a confusable drug must be confirmed
    ['tramadl', 'tramadol', 'trazodone'],
    ['trazodome', 'trazodone', 'tramadol'],
    ['citalopran', 'citalopram', 'escitalopram'],
    ['klonopim', 'clonazepam', 'clonidine'],
  ])('typo %s near a confusable: %s with needsConfirmation, confusable with %s', (text, name, other) => {
    const a = assessMeds(text);
    const m = med(a, name);
    expect(m, `${name} in ${JSON.stringify(names(a))}`).toBeDefined();
    expect(m!.needsConfirmation).toBe(true);
    expect(m!.confusableWith ?? []).toContain(other);
    expect(a.notes).toContain('confirm-drug');
  });

  it.each([
    ['sertralene', 'sertraline'],
    ['dulaxetine', 'duloxetine'],
  ])('a fuzzy match %s → %s is asked for confirmation', (text, name) => {
    const m = med(assessMeds(text), name);
    expect(m).toBeDefined();
    expect(m!.match).toBe('fuzzy');
    expect(m!.needsConfirmation).toBe(true);
  });

  it.each(['sertraline', 'Zoloft', 'baclofen', 'Xanax'])('an exact or brand name %s needs no confirmation', (text) => {
    const a = assessMeds(text);
    expect(a.findings.medications).toHaveLength(1);
    expect(a.findings.medications[0].needsConfirmation ?? false).toBe(false);
  });
});

describe('negation, other people and history', () => {
  it.each([
    ["I don't drink"],
    ["I don't drink alcohol"],
    ['no alcohol, no drugs'],
    ['I never drink'],
  ])('%s → no alcohol among the medications', (text) => {
    const a = assessMeds(`sertraline. ${text}`);
    expect(names(a)).toContain('sertraline');
    expect(names(a)).not.toContain('alcohol');
  });

  it("my husband's ambien, I don't take it → zolpidem excluded", () => {
    const a = assessMeds("sertraline, and there's my husband's ambien, I don't take it");
    expect(names(a)).not.toContain('zolpidem');
    expect(a.findings.excludedMedications.map((e) => e.name)).toContain('zolpidem');
  });

  it("my wife's xanax is in the cabinet → alprazolam excluded as someone else's", () => {
    const a = assessMeds("oxycodone. my wife's xanax is in the cabinet");
    expect(names(a)).not.toContain('alprazolam');
    expect(a.findings.excludedMedications).toContainEqual(expect.objectContaining({ name: 'alprazolam', reason: 'other-person' }));
    expect(a.patterns.find((p) => p.id === 'cns-depression')!.status).toBe('absent');
  });

  it('I stopped tramadol last year → tramadol not current, no serotonergic pair with sertraline', () => {
    const a = assessMeds('sertraline 100 mg', { doseChanges: 'I stopped tramadol last year' });
    expect(names(a)).not.toContain('tramadol');
    expect(a.patterns.find((p) => p.id === 'serotonin-toxicity')!.status).toBe('absent');
    expect(a.level).toBe('self-monitor');
  });

  it('I used to take xanax years ago → not current', () => {
    const a = assessMeds('oxycodone. I used to take xanax years ago');
    expect(names(a)).not.toContain('alprazolam');
    expect(a.patterns.find((p) => p.id === 'cns-depression')!.status).toBe('absent');
  });

  it('I take zoloft. My mom takes tramadol → tramadol is the mother\'s, not the patient\'s', () => {
    const a = assessMeds('I take zoloft. My mom takes tramadol');
    expect(names(a)).toContain('sertraline');
    expect(names(a)).not.toContain('tramadol');
    expect(a.findings.excludedMedications).toContainEqual(expect.objectContaining({ name: 'tramadol', reason: 'other-person' }));
    expect(a.patterns.find((p) => p.id === 'serotonin-toxicity')!.status).toBe('absent');
  });

  it('a carer naming the patient: "my mom takes zoloft" → sertraline counts', () => {
    expect(names(assessMeds('my mom takes zoloft and tramadol'))).toEqual(expect.arrayContaining(['sertraline', 'tramadol']));
  });
});

describe('routes', () => {
  it.each([
    ['baclofen pump', 'baclofen', 'intrathecal'],
    ['intrathecal baclofen', 'baclofen', 'intrathecal'],
    ['I have a Lioresal pump, refilled every 3 months', 'baclofen', 'intrathecal'],
    ['baclofen 10mg tablets', 'baclofen', 'oral'],
    ['fentanyl patch 25 mcg', 'fentanyl', 'patch'],
    ['Duragesic patch', 'fentanyl', 'patch'],
    ['Emsam patch', 'selegiline', 'patch'],
  ])('%s → %s route %s', (text, name, route) => {
    expect(med(assessMeds(text), name)?.route).toBe(route);
  });
});

describe('unknown words and odd input do not crash', () => {
  it.each([
    ['lisinoprill 10 mg'],
    ['xyzzyqua 5 mg twice a day'],
    ['vitamin d, fish oil and a multivitamin'],
    [''],
    ['   '],
    ['!!!??? 123 mg mg mg'],
    ['🙂 no meds'],
    ['metformin 500 mg, lisinopril 10 mg, atorvastatin 20 mg'],
  ])('%j', (text) => {
    const a = assessMeds(text);
    expect(a.level).toBeDefined();
    expect(Array.isArray(a.findings.medications)).toBe(true);
  });

  it('an unknown word with a dose is reported as unknown', () => {
    expect(assessMeds('xyzzyqua 5 mg').findings.unknownDrugWords).toContain('xyzzyqua');
  });

  it('everyday words are not taken for drugs', () => {
    const a = assessMeds('nothing really, just vitamins in the morning and evening');
    expect(a.findings.medications).toEqual([]);
  });
});

describe("whose medicine, and what is in a cough syrup", () => {
  it("I took my roommate's Xanax: someone else's pills, the writer's exposure", () => {
    expect(names(assessMeds("zoloft, and I took my roommate's xanax last night"))).toEqual(['sertraline', 'alprazolam']);
  });

  it("my roommate's Xanax is in the cabinet: not the writer's", () => {
    const a = assessMeds("zoloft. my roommate's xanax is in the cabinet");
    expect(names(a)).toEqual(['sertraline']);
    expect(a.findings.excludedMedications.map((e) => e.name)).toContain('alprazolam');
  });

  it.each(['NyQuil', 'a cough syrup with DM', 'dayquil', 'Robitussin DM'])('%s is dextromethorphan, a new serotonergic drug', (syrup) => {
    const a = assessMeds('sertraline 100 mg', { doseChanges: `started taking ${syrup} yesterday` });
    expect(names(a)).toContain('dextromethorphan');
    expect(a.findings.doseChanges.map((c) => c.medication)).toContain('dextromethorphan');
    expect(a.findings.symptoms.map((s) => s.id)).not.toContain('other-symptom');
  });
});
