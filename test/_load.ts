import { loadKnowledge } from '../src/triage/knowledge/load.ts';
import { Lexicon } from '../src/triage/lexicon.ts';
import { createTriage } from '../src/triage/index.ts';
for (let i = 0; i < 3; i++) { const t = performance.now(); createTriage(); console.log('createTriage', (performance.now() - t).toFixed(0), 'ms'); }
const k = loadKnowledge();
let n = 0; for (const c of Object.values(k.lexicon.classes)) n += c.en.length + c.es.length;
console.log('terms', n, 'classes', Object.keys(k.lexicon.classes).length, 'stable', k.lexicon.stable.length, 'real', k.lexicon.realWords.length);
const t = performance.now(); new Lexicon(k.lexicon.classes, { stable: k.lexicon.stable, realWords: k.lexicon.realWords, numbers: k.lexicon.numbers }); console.log('lexicon', (performance.now() - t).toFixed(0), 'ms');
