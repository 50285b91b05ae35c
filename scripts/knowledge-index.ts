// npm run knowledge:index — writes knowledge/lexicon-stems.json (every lexicon word's stems, so that start-up does
// not stem thousands of entries) and knowledge/real-words.json: the real English words (from the
// an-array-of-english-words list) that the lexicon's typo tolerance would otherwise read as a misspelling of one of
// its words ("weaning" as "weaving", "doubled" as the Spanish "doblo"). Spanish words are left out on purpose: the
// Spanish stemmer misses many verb forms, and a one-letter step between forms of the same verb is a welcome match.
// Run it after changing knowledge/lexicon/; a test fails while the list is older than the lexicon.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_KNOWLEDGE_DIR, lexiconHash, loadKnowledge } from '../src/triage/knowledge/load.js';
import { Lexicon, stemsOf } from '../src/triage/lexicon.js';
import { normalize } from '../src/triage/text.js';

const dir = DEFAULT_KNOWLEDGE_DIR;
const k = loadKnowledge(dir);
// The lexicon as it stands, without the list it is about to make.
const lexicon = new Lexicon(k.lexicon.classes, { stable: k.lexicon.stable, numbers: k.lexicon.numbers });

const words = new Set<string>();
for (const list of ['an-array-of-english-words/index.json']) {
  for (const raw of JSON.parse(readFileSync(require.resolve(list), 'utf8')) as string[]) {
    const word = normalize(raw);
    if (/^[a-z]{6,}$/.test(word) && lexicon.wouldCorrect(word)) words.add(word);
  }
}
const out = {
  about: 'Real English words one typo away from a lexicon word: read as themselves, never as a misspelling.',
  generatedBy: 'npm run knowledge:index (from the an-array-of-english-words list)',
  lexiconHash: lexiconHash(dir),
  words: [...words].sort(),
};
writeFileSync(path.join(dir, 'real-words.json'), `${JSON.stringify(out, null, 1)}\n`);
console.log(`knowledge/real-words.json: ${out.words.length} words`);
const stems = { about: 'Stems of every word of knowledge/lexicon/, worked out ahead of start-up; a word missing here is stemmed at start-up.', generatedBy: 'npm run knowledge:index', lexiconHash: out.lexiconHash, ...stemsOf(k.lexicon.classes) };
writeFileSync(path.join(dir, 'lexicon-stems.json'), `${JSON.stringify(stems, null, 1)}\n`);
console.log(`knowledge/lexicon-stems.json: ${Object.keys(stems.en).length} English and ${Object.keys(stems.es).length} Spanish words`);

