// The answers collected in one conversation, kept in conversation state, and the question the bot is waiting on.
// Deliberately small (plain strings, capped) so a held conversation stays well under 5 KB in the store.
import type { Activity } from 'botbuilder';
import type { AssessInput, FollowUpTopic } from '../src/triage/index.js';

export const SLOTS = ['medications', 'doseChanges', 'symptoms'] as const;
export type Slot = (typeof SLOTS)[number];

/** Longer answers are cut: the store stays small, and the safety gate has already read the whole message. */
export const MAX_ANSWER_CHARS = 1500;
const MAX_ALERTS = 3;

/** The question the bot is waiting on. Its `key` is what `channelData.triage.question` names. */
export type Pending =
  | { kind: 'slot'; key: Slot; slot: Slot }
  | { kind: 'drug'; key: string; name: string; text: string }
  | { kind: 'drugName'; key: string; name: string; text: string }
  | { kind: 'when'; key: string; medication: string; change: string }
  | { kind: 'followUp'; key: FollowUpTopic; topic: FollowUpTopic }
  | { kind: 'screen'; key: 'screen'; signs: string[] }
  | { kind: 'sign'; key: string; sign: string }
  /** Intake records on: may the result go to the centre's intake staff (dialogs/consent.ts)? `shown`: the result
   * (an emergency) was given before the question; `statement`: the question as asked, kept with a record; `now`: the
   * clock the result was read at, so the result shown and the one saved are the same. */
  | { kind: 'consent'; key: 'consent'; shown: boolean; statement: string; now: string }
  | { kind: 'restart'; key: 'restart' };

export interface Intake {
  greeted?: boolean;
  /** The person's locale, from the last activity that carried one (a card submit or a channel may not). */
  locale?: string;
  answers: Partial<Record<Slot, string>>;
  /** Slots that earlier text already answered: confirmed rather than asked again. */
  covered: Slot[];
  followUps: Partial<Record<FollowUpTopic, string>>;
  /** Keys of questions already asked ("temperature", "drug:citalopram", "when:baclofen:stopped"), so none repeats. */
  asked: string[];
  /** Red-flag evidence seen by the safety gate, so the final result never forgets it. */
  alerts: string[];
  pending?: Pending;
  /** How many times in a row `pending` has been asked (at most 2). */
  tries?: number;
  /** The emergency screen's signs still to ask one at a time after "not sure", and whether one was unsure. */
  walk?: string[];
  walkUnsure?: boolean;
  /** The person's messages in this check: the check ends in a result within a bounded number of them. */
  turns?: number;
}

export function emptyIntake(greeted = false, locale?: string): Intake {
  return { greeted, ...(locale ? { locale } : {}), answers: {}, covered: [], followUps: {}, asked: [], alerts: [] };
}

/** A state saved by an earlier version of the intake, given the fields this one relies on (in place). */
export function normaliseIntake(stored: Partial<Intake>): Intake {
  stored.answers ??= {};
  stored.covered ??= [];
  stored.followUps ??= {};
  stored.asked ??= [];
  stored.alerts ??= [];
  return stored as Intake;
}

export function cap(text: string, max = MAX_ANSWER_CHARS): string {
  return text.length > max ? text.slice(0, max) : text;
}

export function appendAnswer(intake: Intake, slot: Slot, text: string): void {
  const t = text.trim();
  if (!t) return;
  const prev = intake.answers[slot];
  intake.answers[slot] = cap(prev ? `${prev}. ${t}` : t);
}

export function addAlert(intake: Intake, evidence: string): void {
  if (!evidence || intake.alerts.includes(evidence)) return;
  intake.alerts = [...intake.alerts, cap(evidence, 300)].slice(-MAX_ALERTS);
}

/** When and where the person is: relative times resolve against their clock (DESIGN: localTimestamp, else UTC). */
export interface TurnClock { now: string; locale: string }

export function turnClock(activity: Partial<Activity>, defaultLocale: string): TurnClock {
  const a = activity as Partial<Activity> & { rawLocalTimestamp?: string; rawTimestamp?: string };
  const local = a.rawLocalTimestamp ?? (typeof a.localTimestamp === 'string' ? a.localTimestamp : undefined);
  const utc = a.rawTimestamp ?? (typeof a.timestamp === 'string' ? a.timestamp : undefined);
  const locale = a.locale || defaultLocale;
  // Asked for many times in a turn: the activity's own time is parsed once (again only if what it is read from changed).
  const seen = clocks.get(a);
  if (seen && seen.local === local && seen.utc === utc && seen.timestamp === a.timestamp) {
    return seen.clock.locale === locale ? seen.clock : { now: seen.clock.now, locale };
  }
  const stamped = [local, utc, asIso(a.timestamp)].find((s) => s && !Number.isNaN(Date.parse(s)));
  const clock = { now: stamped ?? new Date().toISOString(), locale };
  // Without a time of its own, the activity is read at the time of asking, as before.
  if (stamped) clocks.set(a, { local, utc, timestamp: a.timestamp, clock });
  return clock;
}

function asIso(d: unknown): string | undefined {
  return d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
}

const clocks = new WeakMap<object, { local?: string; utc?: string; timestamp: unknown; clock: TurnClock }>();

/** Everything collected so far, as the core's input. Alerts not already inside an answer are added to the symptoms. */
export function toAssessInput(intake: Intake, clock: TurnClock): AssessInput {
  const all = intake.alerts.length ? Object.values(intake.answers).join(' ').toLowerCase() : '';
  const extra = intake.alerts.filter((e) => !all.includes(e.toLowerCase()));
  const symptoms = [intake.answers.symptoms, ...extra].filter(Boolean).join('. ');
  return { ...intake.answers, symptoms, followUps: { ...intake.followUps }, now: clock.now, locale: clock.locale };
}
