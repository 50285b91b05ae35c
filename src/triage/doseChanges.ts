// Dose changes and pump events, with the drug they concern and when they happened.
import type { ClauseTimes, ReadClause } from './reader.js';
import type { Clause } from './text.js';
import type { ResolvedTime } from './time.js';
import type { DoseChangeKind } from './types.js';

const KINDS: [DoseChangeKind, RegExp][] = [
  ['planned', /\b(?:supposed to (?:start|take|begin)|going to (?:start|take|buy|try|add|get)|was going to|gonna (?:start|take|try)|plan(?:ning)? (?:to|on)|will (?:start|take|begin)|about to (?:start|take)|thinking (?:of|about) (?:taking|starting|adding|using)|want(?:s|ed)? to (?:start|take|add|try)|should i (?:take|start)|can i (?:take|start)|is it (?:ok|safe) to (?:take|start)|voy a (?:empezar|tomar|comenzar)|va a (?:empezar|tomar))\b/],
  ['overdose', /\b(?:took (?:way )?too many|took (?:like )?\d+ (?:of )?(?:my|his|her|the)|took (?:a bunch|the whole|all (?:of )?(?:my|his|her|the))|overdos\w*|swallowed (?:a |the )?(?:whole|bunch|all)|sobredosis)\b/],
  ['pump-surgery', /\b(?:pump|catheter|bomba|cateter)\b.{0,40}\b(?:replaced|replacement|revised|revision|surgery|removed|taken out|operat\w+|cambiaron|cirugia|reemplaz\w+)\b|\b(?:surgery|operation|replaced|replacement|cirugia)\b.{0,30}\b(?:pump|catheter|bomba)\b/],
  ['pump-fall', /\b(?:fell|fall(?:en)?|tripped|cayo|caida|se cayo)\b/],
  ['pump-alarm', /\b(?:alarm\w*|beep\w*|chirp\w*|going off|pitando|pita|pitido|alarma|sonando|pump (?:stopped|isn't working|not working|broke|is empty|empty)|(?:low|dead) battery|bateria)\b/],
  ['refill-missed', /\brefill\w*\b.{0,40}\b(?:overdue|late|missed|forgot|past due|behind|was due (?:\w+ )?(?:days?|a week|weeks?) ago|was due (?:last|yesterday|on))\b|\b(?:missed|forgot|skipped|no fui a)\b.{0,30}\b(?:refill|relleno|rellenar|cita)\b|\boverdue\b/],
  ['ran-out', /\b(?:ran out|run out|running out|out of (?:it|them|pills|meds|medication|my|her|his)|couldn't get (?:more|a refill|it|any)|can't get (?:more|a refill|any)|no (?:more )?pills left|se (?:me|le|nos) acab\w+|sin (?:pastillas|medicina))\b/],
  ['restarted', /\b(?:restart\w*|back on|started (?:it |them )?again|resum\w+|volvi a tomar|volvio a tomar)\b/],
  ['stopped', /\b(?:stop(?:ped|ping|s)?|quit|came off|come off|coming off|went off|taken off|cold turkey|discontinu\w+|last (?:pill|dose|one|tablet) (?:was|taken)|haven't taken|hasn't taken|haven't had|hasn't had|not taking|no longer taking|dej\w* de|suspend\w+|ya no (?:toma|tomo)|ultima (?:dosis|pastilla))\b/],
  ['missed', /\b(?:miss(?:ed|ing)|forgot|skipped|skip|olvid\w+)\b/],
  ['increased', /\b(?:increas\w+|rais(?:ed|e)|upped|bumped (?:it )?up|doubled|higher dose|went up|aument\w+|subi\w+)\b/],
  ['decreased', /\b(?:decreas\w+|lowered|reduc\w+|cut (?:\w+ ){0,3}?(?:back|down)|cut it|tapered|tapering|weaned|weaning|halved|went down|baj\w+|reduj\w+)\b/],
  ['started', /\b(?:start(?:ed|ing)?|began|begun|put (?:him|her|me|them) on|(?:is|was|are) new|new (?:prescription|med|medication|patch)|just (?:got|prescribed)|first (?:one|dose|patch|pill)|added|(?:just|newly|was|got|been) prescribed|(?:doctor|dr|doc|dentist|gp|surgeon|nurse|psychiatrist|er|hospital|clinic|care|he|she|they|someone) (?:just )?prescribed|(?:gave|given) (?:me|him|her|them|us)|me (?:lo |la |los |las )?(?:dio|dieron|receto|recetaron|mando|mandaron)|le (?:dio|dieron|receto|recetaron|mando|mandaron)|recetaron|comenz\w+|empez\w+|empece|inici\w+)\b/],
];
const FROM_TO = /\bfrom (\d+(?:\.\d+)?)\s*(?:mg|mcg)?\s*(?:to|up to|down to) (\d+(?:\.\d+)?)|\bde (\d+(?:\.\d+)?)\s*(?:mg)? a (\d+(?:\.\d+)?)/;
const PUMP_WORDS = /\b(?:pump|intrathecal|itb|catheter|bomba|cateter|refill)\b/;
const SINCE = /\b(?:since|desde)\b/;

export interface RawDoseChange {
  clause: number;
  /** Where the change word sits in the clause, to pick the drug nearest to it. */
  position: number;
  change: DoseChangeKind;
  time?: ResolvedTime;
  text: string;
}

/** The change words of one clause: a pure function of its text, so the reader caches it. */
export interface ChangeWords {
  /** The first match of each kind, in the order of KINDS. */
  hits: { kind: DoseChangeKind; index: number; end: number }[];
  pumpWords: boolean;
  fromTo?: { from: number; to: number; index: number };
  since: boolean;
}

export function changeWordsIn(text: string): ChangeWords {
  const hits: ChangeWords['hits'] = [];
  for (const [kind, pattern] of KINDS) {
    const m = pattern.exec(text);
    if (m) hits.push({ kind, index: m.index, end: m.index + m[0].length });
  }
  const ft = FROM_TO.exec(text);
  return {
    hits,
    pumpWords: PUMP_WORDS.test(text),
    ...(ft ? { fromTo: { from: Number(ft[1] ?? ft[3]), to: Number(ft[2] ?? ft[4]), index: ft.index } } : {}),
    since: SINCE.test(text),
  };
}

/**
 * Dose-change keywords in each clause, with a time from the clause or, failing that, its sentence. Only clauses
 * `counted` take part (a symptom answer's clause counts where it names a drug or the pump); times are read against
 * the request's `now` by `times`.
 */
export function findDoseChanges(clauses: ReadClause[], counted: readonly boolean[], times: ClauseTimes, pumpUser: boolean, patientRelation: string | undefined, hasDrug: readonly boolean[]): RawDoseChange[] {
  const out: RawDoseChange[] = [];
  clauses.forEach((clause, i) => {
    if (!counted[i]) return;
    const t = clause.text;
    const words = clause.reading.changeWords;
    if (!words.hits.length && !words.fromTo && !words.since) return;
    const time = times.of(t) ?? sentenceTime(clauses, i, counted, times);
    let found = false;
    for (const { kind, index, end } of words.hits) {
      if ((kind === 'pump-alarm' || kind === 'pump-fall') && !words.pumpWords && !(pumpUser && kind === 'pump-alarm')) continue;
      const ctx = clause.reading.context(index, end, patientRelation);
      if (ctx.experiencer === 'other') continue;
      if (kind !== 'planned' && (ctx.negated || ctx.temporality === 'hypothetical')) continue;
      let change = kind;
      const ft = words.fromTo;
      if (ft && (kind === 'increased' || kind === 'decreased' || kind === 'started')) {
        change = ft.to > ft.from ? 'increased' : ft.to < ft.from ? 'decreased' : kind;
      }
      out.push({ clause: i, position: index, change, time, text: t });
      found = true;
      // One clause says one thing, except pump alarms and refills, which are often told together.
      if (!['pump-alarm', 'refill-missed', 'pump-fall', 'pump-surgery'].includes(kind)) break;
    }
    const ft = words.fromTo;
    if (!found && ft) {
      if (ft.to !== ft.from) out.push({ clause: i, position: ft.index, change: ft.to > ft.from ? 'increased' : 'decreased', time, text: t });
    } else if (!found && words.since && time && !time.future && hasDrug[i] && clause.source !== 'symptoms') {
      // "dilaudid since monday": a drug taken since a recent time was started then.
      out.push({ clause: i, position: 0, change: 'started', time, text: t });
    }
  });
  return out;
}

function sentenceTime(clauses: Clause[], i: number, counted: readonly boolean[], times: ClauseTimes): ResolvedTime | undefined {
  for (let j = i + 1; j < clauses.length && clauses[j].sentence === clauses[i].sentence; j++) {
    const t = counted[j] ? times.of(clauses[j].text) : undefined;
    if (t) return t;
  }
  for (let j = i - 1; j >= 0 && clauses[j].sentence === clauses[i].sentence; j--) {
    const t = counted[j] ? times.of(clauses[j].text) : undefined;
    if (t) return t;
  }
  return undefined;
}
