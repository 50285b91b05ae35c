// Simulated people, seeded: every conversation goes through the real server's POST /api/messages (expectReplies) from
// a random persona: answers drawn from the development vignettes and phrase bank, "no", "idk", "no sé", emoji, empty
// text, card submits and button clicks, Spanish, corrections, questions back, and a red flag at a random turn.
//
// Held for every conversation: a result within 20 turns of the person's; no 5xx; a message the core rates emergency on
// its own gets emergency in the turn it is typed (the core's recall is improved elsewhere: the gate must agree with
// it, whatever it recognises); no question asked three times in a row; Spanish speakers get no English; the same seed
// gives the same transcript. A failing seed is printed: FUZZ_SEED=<seed> npx vitest run test/fuzz.test.ts replays it
// with its transcript. FUZZ_RUNS (default 500) and FUZZ_BASE (first seed, default 1) pick other conversations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTriage, type Assessment, type Triage } from '../src/triage/index.js';
import { devVignettes, type Vignette } from './devVignettes.js';
import { startServer, type RunningServer } from './helpers.js';
import { loadPhraseBank } from './phraseBank.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const BASE = Number(process.env.FUZZ_BASE ?? 1);
const REPLAY = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const MAX_TURNS = 20;
const CONCURRENCY = 8;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Reply {
  type: string;
  text?: string;
  name?: string;
  value?: Assessment;
  inputHint?: string;
  attachments?: unknown[];
  suggestedActions?: { actions: { title?: string; value?: unknown }[] };
  channelData?: { triage?: { question?: string } };
}
interface Said { text: string; value?: unknown }
interface Turn { said: Said; status: number; replies: { type: string; text?: string; question?: string; level?: string; name?: string }[] }

const questionOf = (r: Reply) => r.channelData?.triage?.question;

const NOISE = {
  en: ['no', 'idk', 'not sure', 'never', "I didn't", 'no idea', 'nope', '🙂🙂', '', '???', '👍', 'hmm', 'ok'],
  es: ['no', 'no sé', 'ni idea', 'nunca', 'no lo sé', 'nada', '🙂', '', '¿?', '👍', 'mmm'],
};
const QUESTIONS_BACK = {
  en: ['is that dangerous?', 'what do you mean?', 'what is serotonin syndrome?', 'why do you ask?', 'should I stop taking it?', 'are you a bot?', 'what kind of medicines do you mean?', 'is this serious? I am scared', 'what is baclofen withdrawal?'],
  es: ['¿es peligroso?', '¿qué quiere decir?', '¿qué es el síndrome serotoninérgico?', '¿por qué pregunta?', '¿debo dejar de tomarlo?', 'es grave?'],
};
const CORRECTIONS = {
  en: ['no wait, it was Lexapro not Celexa', "actually it's 20 mg", "I didn't stop it, I'm just asking", 'sorry, I meant sertraline', 'no wait, it was tramadol not trazodone', 'actually it was 2 days ago', 'my mistake, it is baclofen 10 mg'],
  es: ['perdón, era lexapro, no celexa', 'en realidad son 20 mg', 'no lo dejé, solo pregunto', 'me equivoqué, es sertralina'],
};
const MEDS = {
  en: ['sertraline 50mg', 'baclofen pump', 'celexa and tramadol', 'citalapram 20 mg', 'lexapro', 'none', 'baclofen 20mg tablets three times a day', 'oxycodone and xanax', 'zoloft, tramadol for my back', 'trazodone', 'I take baclofen and drink most nights'],
  es: ['sertralina 50 mg', 'baclofeno', 'ninguno', 'tomo tramadol y celexa', 'baclofeno con bomba'],
};
const CHANGES = {
  en: ['none', 'started tramadol 3 days ago', 'ran out of baclofen', 'I stopped it', 'missed two doses yesterday', 'the pump alarm went off last night', 'doctor raised my dose last week', 'no changes'],
  es: ['ninguno', 'empecé tramadol hace 3 días', 'se me acabó el baclofeno', 'lo dejé ayer'],
};
const WHEN = { en: ['yesterday', '2 days ago', 'no', 'never', 'not sure', 'this morning', 'last tuesday', 'banana', 'idk'], es: ['ayer', 'hace 2 días', 'no', 'nunca', 'no sé', 'esta mañana'] };
const TOPIC: Record<string, { en: string[]; es: string[] }> = {
  temperature: { en: ['37.5', '38.9', '101 F', 'not sure', 'no fever', '500'], es: ['37,5', '38.9', 'no sé', 'no tengo fiebre'] },
  pump: { en: ['no pump', 'the alarm went off yesterday', 'not sure', 'refill is overdue'], es: ['sin bomba', 'no sé'] },
  timing: { en: ['this morning', 'yesterday', 'not sure', '3 days ago'], es: ['esta mañana', 'ayer', 'no sé'] },
  breathing: { en: ['normal', 'not sure', 'fine, wakes easily'], es: ['normal', 'no sé', 'respira bien'] },
  suicidal: { en: ['no', 'not sure', 'no never'], es: ['no', 'no sé', 'nunca'] },
  alcohol: { en: ['no', 'a few beers', 'not sure', "I don't drink"], es: ['no', 'no bebo', 'no sé'] },
  other: { en: ['no', 'nothing else'], es: ['no', 'nada más'] },
};
const SCREEN = { en: ['none', 'None of these', 'no', 'nothing like that'], es: ['ninguna', 'Ninguna de estas', 'no', 'nada'] };
/** Stock phrases of the bot's English questions: a Spanish speaker must never see them. */
const ENGLISH = /\b(?:Which medicines|Any recent changes|What symptoms|Please answer|Sorry, I did not|Before I give you|Did you mean|When did you|I could not|Would you like|You mentioned|Have you taken a temperature|How is the breathing|Is any of these|This needs emergency)\b/;

const pick = <T,>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

interface Persona {
  seed: number;
  lang: 'en' | 'es';
  locale: string;
  channel: string;
  vignette: Vignette;
  noise: number;
  walker: boolean;
  redFlagAt?: number;
  redFlag?: string;
}

let triage: Triage;
let srv: RunningServer;
let redFlags: { en: string[]; es: string[] };
const phrases = loadPhraseBank();
const emergencyCache = new Map<string, boolean>();

/** The core's own verdict on a message, taken alone: what the gate must agree with. */
function coreEmergency(text: string, persona: Persona): boolean {
  const key = `${persona.locale}\n${persona.vignette.now}\n${text}`;
  let v = emergencyCache.get(key);
  if (v === undefined) {
    v = Boolean(text.trim()) && triage.assess({ symptoms: text, now: persona.vignette.now, locale: persona.locale }).level === 'emergency';
    emergencyCache.set(key, v);
  }
  return v;
}

function persona(seed: number): Persona {
  const r = rng(seed);
  const lang = r() < 0.25 ? 'es' : 'en';
  const pool = devVignettes.filter((v) => (lang === 'es') === v.locale.startsWith('es'));
  const vignette = pick(r, pool.length ? pool : devVignettes);
  const p: Persona = {
    seed, lang, locale: lang === 'es' ? 'es-US' : pick(r, ['en-US', 'en-US', 'en-GB', 'en-AU']),
    channel: pick(r, ['webchat', 'webchat', 'directline', 'msteams', 'slack', 'emulator']),
    vignette, noise: pick(r, [0, 0.1, 0.2, 0.3]), walker: r() < 0.15,
  };
  if (vignette.interrupt) {
    // The vignette's own interruption, typed instead of the answer it names.
    p.redFlag = vignette.interrupt.text;
  } else if (r() < 0.35) {
    p.redFlagAt = Math.floor(r() * 10);
    p.redFlag = pick(r, redFlags[lang].length ? redFlags[lang] : redFlags.en);
  }
  return p;
}

/** What the persona sends to the bot's last question. */
function reply(p: Persona, r: () => number, turn: number, last: Reply | undefined): Said {
  const q = last ? questionOf(last) ?? '' : '';
  const L = p.lang;
  if (p.redFlag && (turn === p.redFlagAt || (p.vignette.interrupt && q === p.vignette.interrupt.atQuestion && p.redFlagAt === undefined))) {
    if (p.vignette.interrupt) p.redFlagAt = turn;
    return { text: p.redFlag };
  }
  const buttons = last?.suggestedActions?.actions ?? [];
  if (r() < p.noise) {
    const kind = r();
    if (kind < 0.4) return { text: pick(r, NOISE[L]) };
    if (kind < 0.65) return { text: pick(r, QUESTIONS_BACK[L]) };
    if (kind < 0.85) return { text: pick(r, CORRECTIONS[L]) };
    if (buttons.length) return { text: '', value: { answer: String(pick(r, buttons).title ?? '') } };
    return { text: pick(r, NOISE[L]) };
  }
  // Now and then a button, clicked (its text) or submitted from a card (value only).
  if (buttons.length && r() < 0.15 && !q.startsWith('screen')) {
    const title = String(pick(r, buttons).title ?? '');
    return r() < 0.5 ? { text: title } : { text: '', value: { answer: title } };
  }
  const v = p.vignette;
  if (q === 'medications') return { text: r() < 0.7 ? v.answers.medications : pick(r, MEDS[L]) };
  if (q === 'doseChanges') return { text: r() < 0.7 ? v.answers.doseChanges : pick(r, CHANGES[L]) };
  if (q === 'symptoms') {
    if (r() < 0.6) return { text: v.answers.symptoms };
    const calm = phrases.filter((x) => x.lang === L && !coreEmergency(x.text, p));
    return { text: r() < 0.8 && calm.length ? pick(r, calm).text : pick(r, NOISE[L]) };
  }
  if (q.startsWith('drug:')) return { text: pick(r, L === 'es' ? ['sí', 'sí', 'no', 'no sé'] : ['yes', 'yes', 'yes', 'no', 'not sure']) };
  if (q.startsWith('drugName:')) return { text: pick(r, ['escitalopram', 'not sure', 'the blue pill', 'citalopram']) };
  if (q.startsWith('when:')) return { text: pick(r, WHEN[L]) };
  if (q === 'screen') {
    if (p.walker) return { text: L === 'es' ? 'no sé' : pick(r, ['not sure', 'idk']) };
    const none = buttons.find((b) => /none|ninguna/i.test(String(b.title)));
    if (none && r() < 0.4) return r() < 0.5 ? { text: String(none.title) } : { text: '', value: { answer: String(none.title) } };
    return { text: pick(r, SCREEN[L]) };
  }
  if (q.startsWith('screen:')) {
    const x = r();
    return { text: x < 0.9 ? 'no' : x < 0.95 ? (L === 'es' ? 'no sé' : 'idk') : (L === 'es' ? 'sí' : 'yes') };
  }
  const topic = TOPIC[q];
  if (topic) return { text: v.followUps?.[q] && r() < 0.6 ? v.followUps[q]! : pick(r, topic[L]) };
  return { text: pick(r, NOISE[L]) };
}

let convSeq = 0;
async function converse(seed: number, tag = ''): Promise<{ persona: Persona; turns: Turn[]; problems: string[] }> {
  const p = persona(seed);
  const r = rng(seed * 7919 + 17);
  const conversation = `fuzz-${seed}-${tag}-${++convSeq}`;
  const activity = (extra: object) => ({
    channelId: p.channel, serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies',
    conversation: { id: conversation, conversationType: 'personal' }, from: { id: `u-${seed}` }, recipient: { id: 'bot' },
    localTimestamp: p.vignette.now, locale: p.locale, ...extra,
  });
  const turns: Turn[] = [];
  const problems: string[] = [];
  const post = async (body: object) => {
    const res = await srv.post('/api/messages', body);
    const json = res.status === 200 ? ((await res.json()) as { activities?: Reply[] }) : {};
    return { status: res.status, activities: json.activities ?? [] };
  };
  const join = await post(activity({ type: 'conversationUpdate', membersAdded: [{ id: `u-${seed}` }, { id: 'bot' }] }));
  let last = [...join.activities].reverse().find((a) => questionOf(a));
  let lastQuestions: string[] = [];
  let finished = false;
  let redFlagTurn: number | undefined;
  let sawEmergency = false;
  for (let turn = 0; turn < MAX_TURNS && !finished; turn++) {
    const said = reply(p, r, turn, last);
    if (p.redFlag && said.text === p.redFlag) redFlagTurn = turn;
    const { status, activities } = await post(activity({ type: 'message', text: said.text, ...(said.value ? { value: said.value } : {}) }));
    turns.push({
      said, status,
      replies: activities.map((a) => ({ type: a.type, ...(a.text ? { text: a.text } : {}), ...(questionOf(a) ? { question: questionOf(a) } : {}), ...(a.name ? { name: a.name } : {}), ...(a.value?.level ? { level: a.value.level } : {}) })),
    });
    if (status >= 500) problems.push(`turn ${turn}: HTTP ${status}`);
    if (status !== 200) break;
    const results = activities.filter((a) => a.type === 'event' && a.name === 'triage.result');
    if (results.some((a) => a.value?.level === 'emergency')) sawEmergency = true;
    const message = said.text || String((said.value as { answer?: string } | undefined)?.answer ?? '');
    if (coreEmergency(message, p) && !results.some((a) => a.value?.level === 'emergency')) {
      problems.push(`turn ${turn}: ${JSON.stringify(message)} is emergency for the core but the turn has no emergency result`);
    }
    if (!activities.some((a) => a.type === 'message')) problems.push(`turn ${turn}: no reply`);
    for (const a of activities) {
      if (questionOf(a) && a.inputHint !== 'expectingInput') problems.push(`turn ${turn}: question ${questionOf(a)} without inputHint`);
      if (p.lang === 'es' && a.type === 'message' && ENGLISH.test(a.text ?? '')) problems.push(`turn ${turn}: English to a Spanish speaker: ${a.text}`);
    }
    const q = [...activities].reverse().find((a) => questionOf(a));
    if (q) {
      last = q;
      lastQuestions = [...lastQuestions, questionOf(q)!].slice(-3);
      if (lastQuestions.length === 3 && new Set(lastQuestions).size === 1 && lastQuestions[0] !== 'restart') {
        problems.push(`turn ${turn}: "${lastQuestions[0]}" asked three times in a row`);
      }
    }
    if (questionOf(q ?? {}) === 'restart') {
      finished = true;
      // The result came in this turn (or the safety gate's, when it had just sent the same emergency).
      if (!results.length) problems.push(`turn ${turn}: the offer of a new check came without a result`);
    }
  }
  if (!finished && !problems.some((x) => x.includes('HTTP'))) problems.push(`no result within ${MAX_TURNS} turns`);
  if (redFlagTurn !== undefined && coreEmergency(p.redFlag!, p)) {
    const final = [...turns].reverse().flatMap((t) => t.replies).find((x) => x.name === 'triage.result');
    if (final?.level !== 'emergency') problems.push(`the red flag of turn ${redFlagTurn} was forgotten: final level ${final?.level}`);
  }
  void sawEmergency;
  return { persona: p, turns, problems };
}

function printTranscript(seed: number, run: { persona: Persona; turns: Turn[]; problems: string[] }): string {
  const p = run.persona;
  const lines = [`FUZZ_SEED=${seed} (${p.locale}, ${p.channel}, vignette ${p.vignette.id}, noise ${p.noise}${p.walker ? ', unsure at the screen' : ''}${p.redFlag ? `, red flag ${JSON.stringify(p.redFlag)}` : ''})`];
  for (const [i, t] of run.turns.entries()) {
    lines.push(`  ${i}> ${t.said.value ? `[submit ${JSON.stringify(t.said.value)}]` : JSON.stringify(t.said.text)}  (HTTP ${t.status})`);
    for (const x of t.replies) lines.push(`     ${x.type === 'event' ? `[${x.name} ${x.level ?? ''}]` : `${x.question ? `(${x.question}) ` : ''}${(x.text ?? '').replace(/\n+/g, ' / ').slice(0, 160)}`}`);
  }
  lines.push(...run.problems.map((x) => `  PROBLEM: ${x}`));
  return lines.join('\n');
}

async function pool<T>(items: number[], n: number, fn: (x: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

beforeAll(async () => {
  triage = createTriage();
  srv = await startServer({}, triage);
  // Red-flag messages: texts the core alone rates emergency, from the phrase bank and the vignettes.
  const now = devVignettes[0]?.now ?? '2026-03-08T09:00:00-05:00';
  const emergency = (text: string, locale: string) => triage.assess({ symptoms: text, now, locale }).level === 'emergency';
  redFlags = {
    en: [...new Set([...phrases.filter((x) => x.lang === 'en' && emergency(x.text, 'en-US')).map((x) => x.text),
      ...devVignettes.filter((v) => v.locale.startsWith('en')).flatMap((v) => [v.interrupt?.text, v.answers.symptoms]).filter((t): t is string => Boolean(t) && emergency(t!, 'en-US'))])],
    es: [...new Set(phrases.filter((x) => x.lang === 'es' && emergency(x.text, 'es-US')).map((x) => x.text))],
  };
}, 30_000);
afterAll(async () => { await srv?.close(); });

describe('simulated people through /api/messages', () => {
  it('draws red flags from texts the core rates emergency on their own', () => {
    expect(devVignettes.length).toBeGreaterThan(0);
    expect(redFlags.en.length).toBeGreaterThan(10);
  });

  it.runIf(REPLAY !== undefined)(`replays FUZZ_SEED=${REPLAY}`, async () => {
    const run = await converse(REPLAY!);
    console.log(printTranscript(REPLAY!, run));
    expect(run.problems).toEqual([]);
  });

  it.runIf(REPLAY === undefined)(`${RUNS} seeded conversations end in a result within ${MAX_TURNS} turns, with no 5xx, no loop, and the gate agreeing with the core`, async () => {
    const seeds = Array.from({ length: RUNS }, (_, i) => BASE + i);
    const runs = await pool(seeds, CONCURRENCY, (seed) => converse(seed));
    const failed = runs.map((run, i) => ({ run, seed: seeds[i]! })).filter(({ run }) => run.problems.length);
    if (process.env.FUZZ_STATS) {
      const lengths = runs.map((x) => x.turns.length).sort((a, b) => a - b);
      console.log(`turns: median ${lengths[Math.floor(lengths.length / 2)]}, p90 ${lengths[Math.floor(lengths.length * 0.9)]}, p99 ${lengths[Math.floor(lengths.length * 0.99)]}, max ${lengths.at(-1)}`);
    }
    for (const { run, seed } of failed.slice(0, 3)) console.error(printTranscript(seed, run));
    // Coverage of what the personas are meant to do, so a change to them cannot quietly make the test easy.
    const all = runs.flatMap((x) => x.turns);
    const said = (re: RegExp) => all.filter((t) => re.test(t.said.text)).length;
    expect(runs.filter((x) => x.persona.lang === 'es').length).toBeGreaterThan(RUNS / 10);
    expect(all.filter((t) => t.said.value).length).toBeGreaterThan(RUNS / 20);
    expect(said(/^$/)).toBeGreaterThan(0);
    expect(said(/\?$/)).toBeGreaterThan(RUNS / 20);
    expect(said(/wait|actually|perdón|mistake|didn't stop/i)).toBeGreaterThan(RUNS / 20);
    expect(all.filter((t) => t.replies.some((x) => x.question === 'screen')).length).toBeGreaterThan(RUNS / 3);
    expect(all.filter((t) => t.replies.some((x) => x.question?.startsWith('screen:'))).length).toBeGreaterThan(RUNS / 10);
    expect(runs.filter((x) => x.persona.redFlag).length).toBeGreaterThan(RUNS / 5);
    expect(failed.map(({ seed, run }) => `FUZZ_SEED=${seed}: ${run.problems[0]}`)).toEqual([]);
  }, 120_000);

  it.runIf(REPLAY === undefined)('gives the same transcript for the same seed', async () => {
    const seeds = [BASE, BASE + 1, BASE + 2, BASE + 3, BASE + 4, BASE + 5, BASE + 6, BASE + 7];
    const first = await pool(seeds, 4, (s) => converse(s, 'a'));
    const second = await pool(seeds, 4, (s) => converse(s, 'b'));
    for (const [i, seed] of seeds.entries()) expect(second[i]!.turns, `FUZZ_SEED=${seed}`).toEqual(first[i]!.turns);
  }, 60_000);
});
