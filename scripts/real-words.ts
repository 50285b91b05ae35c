// npm run knowledge:real-words — writes knowledge/real-words.json: the real English and Spanish words (from the
// an-array-of-english-words and an-array-of-spanish-words lists) that the lexicon's typo tolerance would otherwise
// read as a misspelling of one of its words ("weaning" as "weaving", "doubled" as "doblo"). Run it after changing
// knowledge/lexicon/; a test fails while the list is older than the lexicon.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_KNOWLEDGE_DIR, lexiconHash, loadKnowledge } from '../src/triage/knowledge/load.js';
import { Lexicon } from '../src/triage/lexicon.js';
import { normalize } from '../src/triage/text.js';

const dir = DEFAULT_KNOWLEDGE_DIR;
const k = loadKnowledge(dir);
// The lexicon as it stands, without the list it is about to make.
const lexicon = new Lexicon(k.lexicon.classes, { stable: k.lexicon.stable, numbers: k.lexicon.numbers });

const words = new Set<string>();
for (const list of ['an-array-of-english-words/index.json', 'an-array-of-spanish-words/index.json']) {
  for (const raw of JSON.parse(readFileSync(require.resolve(list), 'utf8')) as string[]) {
    const word = normalize(raw);
    if (/^[a-z]{6,}$/.test(word) && lexicon.wouldCorrect(word)) words.add(word);
  }
}
const out = {
  about: 'Real English and Spanish words one typo away from a lexicon word: read as themselves, never as a misspelling.',
  generatedBy: 'npm run knowledge:real-words (from the an-array-of-english-words and an-array-of-spanish-words lists)',
  lexiconHash: lexiconHash(dir),
  words: [...words].sort(),
};
writeFileSync(path.join(dir, 'real-words.json'), `${JSON.stringify(out, null, 1)}\n`);
console.log(`knowledge/real-words.json: ${out.words.length} words`);

