import { loadKnowledge } from '../src/triage/knowledge/load.ts';
import { Lexicon } from '../src/triage/lexicon.ts';
import { normalize } from '../src/triage/text.ts';
let t = performance.now(); const k = loadKnowledge(); console.log('load', (performance.now() - t).toFixed(0));
const words = new Set<string>(); let terms = 0;
for (const c of Object.values(k.lexicon.classes)) for (const x of [...c.en, ...c.es]) { terms++; for (const w of normalize(x).split(' ')) words.add(w); }
console.log('terms', terms, 'unique words', words.size);
t = performance.now(); for (const c of Object.values(k.lexicon.classes)) for (const x of [...c.en, ...c.es]) normalize(x); console.log('normalize all', (performance.now() - t).toFixed(0));
t = performance.now(); for (const w of words) { Lexicon.stem('en', w); Lexicon.stem('es', w); } console.log('stem unique both', (performance.now() - t).toFixed(0));
t = performance.now(); new Lexicon(k.lexicon.classes, { stable: k.lexicon.stable, realWords: k.lexicon.realWords, numbers: k.lexicon.numbers }); console.log('lexicon (stems warm)', (performance.now() - t).toFixed(0));
