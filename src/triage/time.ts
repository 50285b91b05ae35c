// Relative and absolute times in lay English and Spanish, resolved against the request's `now` in its own UTC offset.
// Times are kept as wall-clock readings (the person's local time stored in UTC fields), so date-fns arithmetic
// needs no time-zone database and is the same on every machine; the offset is applied again only for output.
// Policy for a bare or "last" weekday: the most recent such day before today ("last tuesday" said on a
// Wednesday is yesterday); a bare weekday equal to today means today.
// The mini class: the same UTC getters and setters; the full one also builds Intl formatters at load (a start's ICU
// set-up) for toString and toLocale*, which wall-clock readings never use.
import { UTCDateMini as UTCDate } from '@date-fns/utc/date/mini';
import { addDays } from 'date-fns/addDays';
import { getDay } from 'date-fns/getDay';
import { setHours } from 'date-fns/setHours';
import { startOfHour } from 'date-fns/startOfHour';
import { subDays } from 'date-fns/subDays';
import { subHours } from 'date-fns/subHours';
import { subMonths } from 'date-fns/subMonths';
import { subWeeks } from 'date-fns/subWeeks';
import { subYears } from 'date-fns/subYears';
import { parseCount } from './text.js';

const WEEKDAYS: Record<string, number> = {
  sunday: 0, sun: 0, monday: 1, mon: 1, tuesday: 2, tues: 2, tue: 2, wednesday: 3, wed: 3, thursday: 4, thurs: 4, thu: 4,
  friday: 5, fri: 5, saturday: 6, sat: 6,
  domingo: 0, lunes: 1, martes: 2, miercoles: 3, jueves: 4, viernes: 5, sabado: 6,
  // Common phone misspellings, so "stopped it on tusday" is a time and not a question to ask again.
  mondy: 1, monady: 1, tusday: 2, tuseday: 2, teusday: 2, tuesdy: 2, wensday: 3, wendsday: 3, wednsday: 3,
  wedensday: 3, wenesday: 3, thurday: 4, thrusday: 4, thursdy: 4, firday: 5, fridy: 5, saterday: 6, satuday: 6,
  saturdy: 6, sundy: 0,
};
const MONTHS: Record<string, number> = {
  january: 0, jan: 0, february: 1, feb: 1, march: 2, mar: 2, april: 3, apr: 3, may: 4, june: 5, jun: 5, july: 6, jul: 6,
  august: 7, aug: 7, september: 8, sep: 8, sept: 8, october: 9, oct: 9, november: 10, nov: 10, december: 11, dec: 11,
  enero: 0, febrero: 1, marzo: 2, abril: 3, mayo: 4, junio: 5, julio: 6, agosto: 7, septiembre: 8, octubre: 9, noviembre: 10, diciembre: 11,
};
const PART_OF_DAY: Record<string, number> = {
  morning: 9, manana: 9, am: 9, noon: 12, mediodia: 12, afternoon: 15, tarde: 15, evening: 19, night: 22, noche: 22, tonight: 21, pm: 15,
};

export interface ResolvedTime {
  at: Date;
  text: string;
  future?: boolean;
}

/** "-06:00" from an ISO string with an offset ("Z" is "+00:00"). */
export function offsetOf(iso: string): string {
  const m = /([+-]\d{2}:?\d{2}|Z)$/i.exec(iso.trim());
  if (!m || m[1].toUpperCase() === 'Z') return '+00:00';
  return m[1].includes(':') ? m[1] : `${m[1].slice(0, 3)}:${m[1].slice(3)}`;
}

export type WallClock = InstanceType<typeof UTCDate>;

function offsetMinutes(offset: string): number {
  const [h, m] = offset.slice(1).split(':').map(Number);
  return (offset[0] === '-' ? -1 : 1) * (h * 60 + m);
}

/** The request's `now` as the person's wall clock. */
export function makeNow(iso: string | undefined): WallClock {
  const stamp = iso ?? new Date().toISOString();
  return new UTCDate(new Date(stamp).getTime() + offsetMinutes(offsetOf(stamp)) * 60_000);
}

const COUNT = '(\\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|couple(?: of)?|few|several|un|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|unos|unas)';
const AGO = new RegExp(`\\b(?:about |around |like |maybe |roughly )?${COUNT} (hours?|hrs?|days?|nights?|weeks?|wks?|months?|years?) ago\\b`);
const HACE = new RegExp(`\\bhace (?:como |unos |unas )?${COUNT} (horas?|dias?|noches?|semanas?|meses|mes|anos?)\\b`);
const WEEKDAY = new RegExp(`\\b(last |this past |past |since |on |el |desde el |next |el proximo |este )?(${Object.keys(WEEKDAYS).join('|')})\\b(?: (?:pasado))?(?:\\s+(?:en la |por la )?(morning|afternoon|evening|night|manana|tarde|noche))?`);
const MONTH_DAY = new RegExp(`\\b(?:(${Object.keys(MONTHS).join('|')}) (\\d{1,2})(?:st|nd|rd|th)?|(\\d{1,2})(?:st|nd|rd|th)? (?:of |de )?(${Object.keys(MONTHS).join('|')}))\\b`);
const ISO_DATE = /\b(\d{4})-(\d{2})-(\d{2})\b/;
const SLASH_DATE = /\b(\d{1,2})\/(\d{1,2})(?:\/(\d{2,4}))?\b/;
const YEAR = /\b(?:back in|in|since|during|around|en el|en|desde el|desde|del|durante el|year|ano) ((?:19[5-9]|20\d)\d)\b(?! ?(?:mg|mcg|ml|units?|pills?|tabs?))/;
const CLOCK = /\b(?:at |around |about |by |a las )?(\d{1,2})(?::(\d{2}))? ?(am|pm|a\.m\.|p\.m\.)?(?= |$|,)/;

function unitMs(unit: string): 'h' | 'd' | 'w' | 'm' | 'y' {
  if (/^(hours?|hrs?|horas?)$/.test(unit)) return 'h';
  if (/^(days?|nights?|dias?|noches?)$/.test(unit)) return 'd';
  if (/^(weeks?|wks?|semanas?)$/.test(unit)) return 'w';
  if (/^(months?|mes|meses)$/.test(unit)) return 'm';
  return 'y';
}

function back(now: WallClock, n: number, unit: string): WallClock {
  switch (unitMs(unit)) {
    case 'h': return subHours(now, n);
    case 'd': return subDays(now, n);
    case 'w': return subWeeks(now, n);
    case 'm': return subMonths(now, n);
    default: return subYears(now, n);
  }
}

function atHour(day: WallClock, hour: number): WallClock {
  return startOfHour(setHours(day, hour));
}

/** A part of the day or a clock time in the clause ("last pill was around 8" with "night"). */
function hourIn(clause: string, fallback: number): number {
  const part = /\b(morning|manana|afternoon|tarde|evening|night|noche|noon|mediodia)\b/.exec(clause);
  const clock = CLOCK.exec(clause.replace(/\b\d+(?:\.\d+)? ?(?:mg|mcg|ml|g|days?|hours?|weeks?)\b/g, ''));
  if (clock && (clock[3] || part) && Number(clock[1]) <= 12) {
    let h = Number(clock[1]) % 12;
    const pm = clock[3]?.startsWith('p') || (!clock[3] && part && /evening|night|noche|afternoon|tarde/.test(part[1]));
    if (pm) h += 12;
    return h;
  }
  return part ? PART_OF_DAY[part[1]] : fallback;
}

type Reader = (m: RegExpExecArray, now: WallClock, clause: string) => ResolvedTime | undefined;

// Each reader turns one kind of expression into a time; the earliest expression in the clause wins.
const READERS: [RegExp, Reader][] = [
  [AGO, (m, now) => ({ at: back(now, parseCount(m[1].replace(/ of$/, '')) ?? 1, m[2]), text: m[0] })],
  [HACE, (m, now) => ({ at: back(now, parseCount(m[1]) ?? 1, m[2]), text: m[0] })],
  [/\b(?:the )?day before yesterday\b|\banteayer\b|\bantier\b/, (m, now, c) => ({ at: atHour(subDays(now, 2), hourIn(c, 12)), text: m[0] })],
  [/\blast night\b|\banoche\b/, (m, now, c) => ({ at: atHour(subDays(now, 1), hourIn(c, 22)), text: m[0] })],
  [/\b(?<!day before )yesterday\b|\bayer\b/, (m, now, c) => ({ at: atHour(subDays(now, 1), hourIn(c, 12)), text: m[0] })],
  [/\b(?:this|esta) (morning|afternoon|evening|manana|tarde|noche)\b/, (m, now) => {
    const at = atHour(now, PART_OF_DAY[m[1]]);
    return { at: at > now ? now : at, text: m[0] };
  }],
  [/\btonight\b|\blater today\b/, (m, now) => ({ at: atHour(now, 21), text: m[0], future: true })],
  [/\btomorrow\b|(?<!(?:en|por|la|esta) )\bmanana\b(?! (?:en|por))/, (m, now) => ({ at: atHour(addDays(now, 1), 9), text: m[0], future: true })],
  [/\b(?:today|hoy|just now|earlier today|right now)\b/, (m, now) => ({ at: now, text: m[0] })],
  [/\b(?:last week|(?:la )?semana pasada|a week ago)\b/, (m, now) => ({ at: subWeeks(now, 1), text: m[0] })],
  [/\b(?:next week|la otra semana|la proxima semana|la semana que viene)\b/, (m, now) => ({ at: addDays(now, 7), text: m[0], future: true })],
  [WEEKDAY, (m, now, c) => weekday(m, now, c)],
  [ISO_DATE, (m, now, c) => dated(now, Number(m[1]), Number(m[2]) - 1, Number(m[3]), m[0], c)],
  [MONTH_DAY, (m, now, c) => {
    const month = MONTHS[m[1] ?? m[4]];
    const day = Number(m[2] ?? m[3]);
    return dated(now, pastYear(now, month, day), month, day, m[0], c);
  }],
  // "back in 2019", "en el 2019": the latest moment the year allows (never later than now), so that a year said alone
  // is never read as further back than it may be.
  [YEAR, (m, now) => {
    const year = Number(m[1]);
    const endOfYear = new UTCDate(Date.UTC(year, 11, 31, 12));
    if (endOfYear < now) return { at: endOfYear, text: m[0] };
    const start = new UTCDate(Date.UTC(year, 0, 1, 12));
    return start > now ? { at: start, text: m[0], future: true } : { at: now, text: m[0] };
  }],
  [SLASH_DATE, (m, now, c) => {
    // "1/2 tablet", "took 1/2": a fraction of a dose, not a date.
    if (/\d\/\d+ ?(?:mg|mcg|ml|tab|tablet|pill|dose|of|a )/.test(c) || /\b(?:to|took|take|half|a) \d\/\d\b/.test(c)) return undefined;
    const [a, b] = [Number(m[1]), Number(m[2])];
    const usOrder = a <= 12 && b <= 31;
    const month = (usOrder ? a : b) - 1;
    const day = usOrder ? b : a;
    const year = m[3] ? (m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3])) : pastYear(now, month, day);
    return dated(now, year, month, day, m[0], c);
  }],
];

/** The earliest time expression in a clause, or undefined. */
export function resolveTime(clause: string, now: WallClock): ResolvedTime | undefined {
  return resolveExpression(findTimeExpression(clause), now);
}

/** A clause's time expression, before it is read against a clock: which reader takes it, and its match. */
export interface TimeExpression { read: Reader; match: RegExpExecArray; clause: string }

/**
 * The earliest time expression in a clause. Which expression wins does not depend on `now` (a reader declines only
 * a fraction or an impossible date), so the search is a pure function of the clause: the reader keeps it with the
 * clause's other readings, and each request only does the date arithmetic.
 */
export function findTimeExpression(clause: string): TimeExpression | undefined {
  // Any clock will do for the search; the expression is read again against the request's own.
  const probe = SEARCH_CLOCK;
  let best: TimeExpression | undefined;
  for (const [pattern, read] of READERS) {
    const m = pattern.exec(clause);
    if (!m || (best && m.index >= best.match.index)) continue;
    if (read(m, probe, clause)) best = { read, match: m, clause };
  }
  return best;
}

export function resolveExpression(expression: TimeExpression | undefined, now: WallClock): ResolvedTime | undefined {
  return expression?.read(expression.match, now, expression.clause);
}

const SEARCH_CLOCK: WallClock = new UTCDate(Date.UTC(2000, 0, 1, 12));

function weekday(m: RegExpExecArray, now: WallClock, clause: string): ResolvedTime {
  const [text, qualifier = '', name, part] = m;
  const target = WEEKDAYS[name];
  const today = getDay(now);
  if (/next|proximo/.test(qualifier)) {
    const ahead = (target - today + 7) % 7 || 7;
    return { at: atHour(addDays(now, ahead), 12), text, future: true };
  }
  let back = (today - target + 7) % 7;
  if (back === 0 && /last|past|pasado/.test(qualifier + text)) back = 7;
  const hour = part ? PART_OF_DAY[part] : hourIn(clause, 12);
  const at = atHour(subDays(now, back), hour);
  if (at <= now) return { at, text };
  return { at: back === 0 ? now : subDays(at, 7), text };
}

function pastYear(now: WallClock, month: number, day: number): number {
  const y = now.getUTCFullYear();
  return new UTCDate(Date.UTC(y, month, day, 12)) > now ? y - 1 : y;
}

function dated(now: WallClock, year: number, month: number, day: number, text: string, clause: string): ResolvedTime | undefined {
  if (month < 0 || month > 11 || day < 1 || day > 31) return undefined;
  const at = new UTCDate(Date.UTC(year, month, day, hourIn(clause, 12)));
  return { at, text, future: at > now };
}

/** ISO-8601 in the request's own offset, as the contract shows ("2026-03-08T09:00:00-05:00"). */
export function toIsoWithOffset(wall: Date, offset: string): string {
  return `${wall.toISOString().slice(0, 19)}${offset}`;
}
