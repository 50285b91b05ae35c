// npm run knowledge:index — run it after changing anything in knowledge/; a test fails until it has been. Writes:
// - knowledge/real-words.json: the real English words (from the an-array-of-english-words list) that the lexicon's typo
//   tolerance would otherwise read as a misspelling of one of its words ("weaning" as "weaving", "doubled" as the
//   Spanish "doblo"). Spanish words are left out on purpose: the Spanish stemmer misses many verb forms, and a
//   one-letter step between forms of the same verb is a welcome match.
// - knowledge/compiled.json: everything the server's start needs, checked and indexed (src/triage/knowledge/compiled.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COMPILED_FILE, compiledFile } from '../src/triage/knowledge/compiled.js';
import { DEFAULT_KNOWLEDGE_DIR, lexiconHash, loadKnowledge, readSources } from '../src/triage/knowledge/load.js';
import { indexLexicon, Lexicon } from '../src/triage/lexicon.js';
import { normalize } from '../src/triage/text.js';

const dir = DEFAULT_KNOWLEDGE_DIR;
const k = loadKnowledge(dir);
// The lexicon as it stands, without the list it is about to make.
const lexicon = new Lexicon(indexLexicon(k.lexicon.classes, { stable: k.lexicon.stable, numbers: k.lexicon.numbers }));

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

// Made last: real-words.json is one of the files it is made from.
const compiled = compiledFile(readSources(dir));
writeFileSync(path.join(dir, COMPILED_FILE), `${JSON.stringify(compiled)}\n`);
const { paths } = compiled.knowledge.lexicon;
console.log(`knowledge/${COMPILED_FILE}: lexicon lookups of ${paths.en.parent.length} English and ${paths.es.parent.length} Spanish paths`);
