// The lay-phrase bank (a copy of shared/phrases/dev.json kept in test/fixtures) and how it is scored: each phrase is
// the symptoms answer, with no medications; a finding counts when present (not negated, the patient's, current).
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Phrase {
  id: string;
  lang: 'en' | 'es';
  voice: string;
  text: string;
  findings: string[];
  mustNot: string[];
  note?: string;
}

export const phraseBankFile = path.resolve(__dirname, 'fixtures/phrases-dev.json');

/** Throws when the file is missing: a test over an empty bank would pass on nothing. */
export function loadPhraseBank(file = phraseBankFile): Phrase[] {
  const bank = JSON.parse(readFileSync(file, 'utf8')) as Phrase[];
  if (!Array.isArray(bank) || bank.length === 0) throw new Error(`${file} holds no phrases`);
  return bank;
}
