import { createTriage } from '../src/triage/index.ts';
const t = createTriage();
for (const s of process.argv.slice(2)) { const a = t.assess({ symptoms: s, now: '2026-03-08T09:00:00-05:00' }); console.log(a.level, a.redFlags.map(r => r.id).join(','), '|', a.findings.symptoms.map(x => `${x.id}${x.negated ? '-neg' : ''}${x.temporality !== 'current' ? '-' + x.temporality : ''}${x.experiencer === 'other' ? '-other' : ''}`).join(' '), '|', s); }
