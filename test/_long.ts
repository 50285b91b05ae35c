import { createTriage } from '../src/triage/index.ts';
const t = createTriage({ clauseCacheSize: 0 });
const unit = "no fever or shaking, my chest hurts and I see bugs that aren't there, took 6 of them, ";
const text = unit.repeat(230);
t.assess({ symptoms: text, now: '2026-03-08T09:00:00-05:00' });
const s = performance.now(); const c0 = process.cpuUsage();
for (let i = 0; i < 20; i++) t.assess({ symptoms: text, now: '2026-03-08T09:00:00-05:00' });
const c = process.cpuUsage(c0); console.log(text.length, ((performance.now() - s) / 20).toFixed(1), "ms wall", ((c.user + c.system) / 20000).toFixed(1), "ms cpu");
