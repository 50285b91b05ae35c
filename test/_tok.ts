import { createTriage } from '../src/triage/index.ts';
const t = createTriage();
const a = t.assess({ symptoms: '¿que hago si se pone morado?', now: '2026-03-08T09:00:00-05:00' });
console.log(JSON.stringify(a.findings.symptoms));
import { mentionContext } from '../src/triage/context.ts';
console.log(mentionContext('¿que hago si se pone morado', 13, 27, undefined, undefined, true));
