// Red flags typed the way frightened people type: no apostrophes, about someone else, mid-conversation.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTriage, type Triage } from '../src/triage/index.js';

const now = '2026-05-13T14:00:00-05:00';
let triage: Triage;
beforeAll(() => {
  triage = createTriage();
});

describe('red flags in phone-typed text about another person', () => {
  it.each([
    ['my husband is turning blue and wont wake up', ['cyanosis', 'unresponsive']],
    ['he cant breathe properly, its really slow', ['breathing']],
    ['my dad just collapsed and isnt responding', ['unresponsive']],
    ['my wife is having a fit right now', ['seizure']],
  ])('"%s" is an emergency even when the writer takes the medicines', (text, flags) => {
    const a = triage.assess({ medications: "i'm on celexa and baclofen", symptoms: 'shaky', followUps: { other: text }, now });
    expect(a.level).toBe('emergency');
    for (const f of flags) expect(a.redFlags.map((r) => r.id)).toContain(f);
  });

  it.each([
    'my husband has seizures sometimes, I am fine',
    'my sister had a seizure years ago',
  ])('"%s" is family history, not an emergency', (text) => {
    const a = triage.assess({ medications: 'I take baclofen 10 mg', doseChanges: 'no changes', symptoms: text, followUps: { pump: 'no pump', alcohol: 'no' }, now });
    expect(a.redFlags).toEqual([]);
    expect(a.level).toBe('self-monitor');
  });
});
