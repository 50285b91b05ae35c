// The reading machinery on a small lexicon of its own, so that these tests hold whatever knowledge/ says:
// stemming and multiword entries, typo tolerance, patterns with windows and exclusions, negation with list scope,
// amounts taken at once, and work that grows in proportion to the text.
import { describe, expect, it } from 'vitest';
import { indexLexicon, Lexicon } from '../src/triage/lexicon.js';
import { NegationScopes } from '../src/triage/negation.js';
import { indexOccurrences, PatternMatcher, type Pattern } from '../src/triage/patterns.js';
import { readIntakes } from '../src/triage/quantities.js';
import { SymptomReader } from '../src/triage/symptoms.js';
import { normalize } from '../src/triage/text.js';
import { createTriage } from '../src/triage/index.js';

const CLASSES = {
  PERCEIVE: { en: ['see', 'hear', 'saw'], es: ['ver', 'oir'] },
  UNREAL: { en: ['not there', 'not real', 'nobody'], es: ['no hay nadie'] },
  PAIN: { en: ['pain', 'hurt', 'pressure'], es: ['dolor'] },
  CHEST: { en: ['chest'], es: ['pecho'] },
  FURNITURE: { en: ['of drawers'], es: [] },
  SHAKE: { en: ['shaking', 'tremble'], es: ['temblar'] },
  FEVER: { en: ['fever'], es: ['fiebre'] },
  SWEAT: { en: ['sweating', 'sweats'], es: ['sudar'] },
  HALLUCINATION: { en: ['hallucinate'], es: [] },
  VOMIT: { en: ['vomiting'], es: [] },
  RASH: { en: ['rash'], es: [] },
  INGEST: { en: ['took', 'swallowed'], es: ['me tome'] },
  PILL: { en: ['pills', 'of them', 'ones'], es: ['pastillas'] },
  MG: { en: ['mg'], es: [] },
  REGIMEN: { en: ['a day', 'every'], es: [] },
  NEG_BEFORE: { en: ['no', 'not', "don't", "doesn't"], es: ['no', 'sin', 'ni'] },
  NEG_AFTER: { en: ['no', 'none'], es: [] },
  NEG_PSEUDO: { en: ['not sure', "can't stop"], es: ['no para'] },
  SCOPE_END: { en: ['but', 'now'], es: ['pero'] },
  NEW_SUBJECT: { en: ['my', 'i'], es: [] },
  LIST_OR: { en: ['or', 'nor'], es: ['o', 'ni'] },
  LIST_AND: { en: ['and'], es: ['y'] },
};
const FINDINGS: { id: string; patterns: Pattern[] }[] = [
  { id: 'hallucinations', patterns: [{ seq: ['PERCEIVE', 'UNREAL'], within: 12 }, { all: ['HALLUCINATION'] }] },
  { id: 'chest-pain', patterns: [{ all: ['PAIN', 'CHEST'], within: 7, not: ['FURNITURE'] }] },
  { id: 'tremor', patterns: [{ all: ['SHAKE'] }] },
  { id: 'fever', patterns: [{ all: ['FEVER'] }] },
  { id: 'sweating', patterns: [{ all: ['SWEAT'] }] },
  { id: 'vomiting', patterns: [{ all: ['VOMIT'] }] },
  { id: 'rash', patterns: [{ all: ['RASH'] }] },
];
const QUANTITY = { finding: 'overdose', intake: 'INGEST', units: ['PILL'], milligrams: 'MG', regimen: 'REGIMEN', tabletsAtOnce: 4, within: 4 };
const stable = ['sweater'];
const lexicon = new Lexicon(indexLexicon(CLASSES, { stable, numbers: { six: 6, forty: 40, diez: 10 } }));
const reader = new SymptomReader(lexicon, [...FINDINGS, { id: 'overdose', patterns: [{ all: ['INGEST', 'PILL'], within: 1 }] }], QUANTITY);
const read = (text: string) => reader.read(normalize(text)).mentions.map((m) => `${m.id}${m.negated ? ' (negated)' : ''}`).sort();

describe('lexicon lookup', () => {
  it('matches inflections through stems, in both languages', () => {
    expect(read('I keep seeing people who are not there')).toEqual(['hallucinations']);
    expect(read('he hears voices, nobody is in the room')).toEqual(['hallucinations']);
    expect(read('le tiemblan las manos')).toEqual(['tremor']);
    expect(read('no para de sudar')).toContain('sweating');
  });

  it('takes a typo of a long word for the word, never a short one', () => {
    expect(read('I think he is halucinating')).toEqual(['hallucinations']);
    expect(read('she has been hallucinatin all night')).toEqual(['hallucinations']);
    expect(read('I feel hurt')).toEqual([]);
    expect(read('my chest has a pian')).toEqual([]);
  });

  it('builds its typo look-up in slices after start-up, and reads a typo the same before, during and after', () => {
    const typo = 'he keeps halucinating at night';
    // Read before any slice: the look-up is finished on the spot.
    const early = createTriage();
    expect(early.findings({ symptoms: typo }).symptoms.map((s) => s.id)).toContain('hallucinations');
    expect(early.prepare()).toBe(true);
    // Prepared a slice at a time (no time budget is this small on any machine: more than one slice).
    const sliced = createTriage();
    let slices = 1;
    while (!sliced.prepare()) slices++;
    expect(slices).toBeGreaterThan(1);
    expect(sliced.findings({ symptoms: typo }).symptoms.map((s) => s.id)).toContain('hallucinations');
    const mid = new Lexicon(indexLexicon(CLASSES, { stable, numbers: {} }));
    mid.prepareTypos(0);
    expect(new SymptomReader(mid, FINDINGS).read(normalize('I think he is halucinating')).mentions.map((m) => m.id)).toEqual(['hallucinations']);
  });

  it('never corrects a word the lexicon marks as stable', () => {
    // "sweater" is one edit from the stem of "sweats", but it is a word of its own.
    expect(read('I put on a sweater')).toEqual([]);
  });

  it('reads number words', () => {
    const tokens = lexicon.tokenize('took forty of them');
    expect(tokens.map((t) => t.value)).toEqual([undefined, 40, undefined, undefined]);
  });
});

describe('patterns', () => {
  it('finds classes in any order within the window, across a comma', () => {
    expect(read('sharp stabbing pain right in the middle of my chest')).toEqual(['chest-pain']);
    expect(read('my chest, it hurts so much')).toEqual(['chest-pain']);
    expect(read('pain in my leg for a week and then later on my chest')).toEqual([]);
  });

  it('keeps the order of a sequence', () => {
    expect(read('little animals on the floor, I know they are not real, I see them')).toEqual([]);
    expect(read('I see little animals on the floor, I know they are not real')).toEqual(['hallucinations']);
  });

  it('drops a match that an excluded class touches', () => {
    expect(read('I moved my chest of drawers and now I hurt')).toEqual([]);
  });

  it('matches a multiword entry only as a whole', () => {
    const matcher = new PatternMatcher([{ id: 'x', patterns: [{ all: ['UNREAL'] }] }]);
    const at = (text: string) => matcher.matches(indexOccurrences(lexicon.annotate(lexicon.tokenize(normalize(text))))).length;
    expect(at('it is not there')).toBe(1);
    expect(at('it is not here, there')).toBe(0);
  });
});

describe('negation over tokens', () => {
  it('carries over a list that ends in or/and, and over or alone', () => {
    expect(read("I don't have any fever or shaking or sweats")).toEqual(['tremor (negated)', 'fever (negated)', 'sweating (negated)'].sort());
    expect(read('no vomiting, fever, rash or sweating').every((m) => m.endsWith('(negated)'))).toBe(true);
    expect(read('no vomiting, fever, rash and sweating').every((m) => m.endsWith('(negated)'))).toBe(true);
    expect(read('ni fiebre ni temblar').every((m) => m.endsWith('(negated)'))).toBe(true);
  });

  it('stops at a comma that does not continue a list, a contrast or a new subject', () => {
    expect(read('shaking, no fever')).toEqual(['tremor', 'fever (negated)'].sort());
    expect(read('no fever, shaking all over')).toContain('tremor');
    expect(read('no fever but sweating')).toContain('sweating');
    expect(read('no fever and my legs are shaking')).toContain('tremor');
    expect(read('no fever and shaking')).toContain('tremor');
  });

  it('negates from inside a match, unless the word is part of the pattern itself', () => {
    expect(read("my chest doesn't hurt")).toEqual(['chest-pain (negated)']);
    expect(read('I see people who are not there')).toEqual(['hallucinations']);
  });

  it('reads a trailing negation only when it closes the item', () => {
    expect(read('fever: no')).toEqual(['fever (negated)']);
    expect(read('fever none, sweating')).toEqual(['fever (negated)', 'sweating'].sort());
    expect(read('shaking no fever')).toEqual(['tremor', 'fever (negated)'].sort());
  });

  it('ignores pseudo-negations', () => {
    expect(read("can't stop shaking")).toEqual(['tremor']);
    expect(read('not sure, maybe a fever')).toEqual(['fever']);
  });

  it('marks scopes for each token', () => {
    const tokens = lexicon.tokenize('no fever, rash or vomiting but sweating');
    const scopes = new NegationScopes(tokens, indexOccurrences(lexicon.annotate(tokens)), new Set());
    // The trigger itself reads as negated; the comma and "or" carry the scope on; "but" ends it.
    expect(tokens.map((t, i) => (scopes.negates(i, i + 1, []) ? t.word : '')).filter(Boolean)).toEqual(['no', 'fever', 'rash', 'vomiting']);
  });
});

describe('amounts taken at once', () => {
  const intakes = (text: string) => {
    const tokens = lexicon.tokenize(normalize(text));
    return readIntakes(tokens, indexOccurrences(lexicon.annotate(tokens)), QUANTITY).map(({ count, strengthMg }) => ({ count, strengthMg }));
  };

  it('reads counts and strengths after an intake verb', () => {
    expect(intakes('took six of them an hour ago')).toEqual([{ count: 6, strengthMg: undefined }]);
    expect(intakes('he took like 40 of the 20 mg ones')).toEqual([{ count: 40, strengthMg: 20 }]);
    expect(intakes('me tome diez pastillas')).toEqual([{ count: 10, strengthMg: undefined }]);
  });

  it('leaves regimens and plain strengths alone', () => {
    expect(intakes('I took 2 pills a day')).toEqual([]);
    expect(intakes('took 20 mg this morning')).toEqual([]);
  });

  it('counts four or more tablets at once as the quantity finding', () => {
    expect(read('took 6 of them an hour ago')).toContain('overdose');
    expect(read('took 2 pills at bedtime')).not.toContain('overdose');
    expect(reader.read(normalize('took 3 of the 100 mg ones')).intakes.map((i) => i.count * i.strengthMg)).toEqual([300]);
  });
});

describe('work in proportion to the text', () => {
  const triage = createTriage({ clauseCacheSize: 0 });
  // CPU time of this thread's work, not wall time: other processes on the machine do not count.
  const cost = (text: string) => {
    const start = process.cpuUsage();
    for (let i = 0; i < 3; i++) triage.assess({ symptoms: text, medications: text.slice(0, 2000), now: '2026-03-08T09:00:00-05:00' });
    const used = process.cpuUsage(start);
    return used.user + used.system;
  };
  const unit = "no fever or shaking, my chest hurts and I see bugs that aren't there, took 6 of them, ";

  it('a ten times longer answer costs about ten times as much, not a hundred', () => {
    const short = unit.repeat(20);
    const long = unit.repeat(200);
    cost(long);
    // The fastest of several runs of each, interleaved, so that a busy machine does not decide the ratio.
    let a = Infinity;
    let b = Infinity;
    for (let i = 0; i < 6; i++) { a = Math.min(a, cost(short)); b = Math.min(b, cost(long)); }
    expect(long.length).toBeGreaterThan(17_000);
    expect(b / a).toBeLessThan(25);
  });

  it('one long sentence with no punctuation is no worse', () => {
    const words = 'shaking sweating fever not there chest pain took 6 pills '.repeat(300);
    const short = words.slice(0, 2000);
    cost(words);
    let a = Infinity;
    let b = Infinity;
    for (let i = 0; i < 6; i++) { a = Math.min(a, cost(short)); b = Math.min(b, cost(words)); }
    expect(b / a).toBeLessThan(25);
  });
});

