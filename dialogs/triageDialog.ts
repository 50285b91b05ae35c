// The intake conversation: greeting → medications → dose changes (and when) → symptoms → only the follow-ups the core
// says could change the level → result → offer to start again. Clinical judgement is the core's; this file only asks.
// Each step stores one answer and asks the next question, so a turn runs one step (the SDK's cost is per step);
// the questions in between (drug confirmations, when, follow-ups) are one inner dialog that asks the next slot's
// question when it is done and hands its answer back.
import { InputHints, MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import {
  ComponentDialog, WaterfallDialog, type DialogTurnResult, type PromptOptions, type PromptValidatorContext,
  type WaterfallStepContext,
} from './sdk.js';
import type { DoseChangeFinding, FollowUpTopic, MedicationFinding, Review, Triage } from '../src/triage/index.js';
import { maxSuggestedActions, showsSuggestedActions } from './channels.js';
import { appendAnswer, cap, emptyIntake, toAssessInput, turnClock, type Intake, type Slot, type TurnClock } from './intake.js';
import {
  AnswerPrompt, answerValidator, isUnknown, question, temperatureValidator, yesNo, yesNoValidator,
} from './prompts.js';
import { resultActivities } from './render.js';
import { consentQuestion, consentSay, type IntakeRecords } from './consent.js';
import { say, strings, type Strings } from './strings.js';

export const TRIAGE_DIALOG = 'triage';
/** A step's scratch values (typed `object` by botbuilder). */
const vals = (step: WaterfallStepContext) => step.values as Record<string, unknown>;
const MAIN = 'triage.main';
const CLARIFY = 'triage.clarify';
const TEXT = 'prompt.text';
const YES_NO = 'prompt.yesNo';
const TEMPERATURE = 'prompt.temperature';
const WHEN = 'prompt.when';
const REVIEWED = Symbol('reviewedThisTurn');
const INTAKE = Symbol('intakeThisTurn');

/** Changes whose time matters and that a person can date ("planned" and pump events have their own questions). */
const DATED_CHANGES: Record<string, string> = {
  started: 'started', stopped: 'stopped', 'ran-out': 'ran out of', missed: 'missed',
  increased: 'increased', decreased: 'decreased', restarted: 'restarted',
};
/** What the inner dialog asks after a slot's answer, and which slot's question it asks when it has nothing more. */
interface ClarifyOptions { after: Slot; then?: Slot }
/** The question the inner dialog is waiting on. */
type Asked =
  | { kind: 'slot' }
  | { kind: 'drug'; name: string; text: string }
  | { kind: 'when'; phrase: string }
  | { kind: 'followUp'; topic: FollowUpTopic };

/** "That's all" after "anything to add?": adds nothing (a bare "no" could read as "no pump"). */
const NOTHING_MORE = /^(?:no(?:pe)?|nothing(?: else)?|none|that(?:'?s| is) (?:all|it)|no,? that(?:'?s| is) (?:all|it)|nada(?: m[aá]s)?|eso es todo)[\s.!]*$/i;

export interface BeginOptions {
  /** The message that started the conversation: whatever it already answers is confirmed, not asked again. */
  firstText?: string;
  /** Start a new check: forget this check's answers (but not that the person was greeted). */
  fresh?: boolean;
}

export interface TriageDialogDeps {
  triage: Triage;
  intake: StatePropertyAccessor<Intake>;
  defaultLocale: string;
  /** INTAKE_RECORDS=on: consent to share with the centre's intake staff is asked before the result (dialogs/consent.ts). */
  records?: IntakeRecords;
}

/** Where this prompt is in the intake, for clients and tests (`channelData.triage.question`). */
function tagged(options: PromptOptions, key: string): PromptOptions {
  for (const a of [options.prompt, options.retryPrompt]) if (a && typeof a === 'object') a.channelData = { triage: { question: key } };
  return options;
}

export class TriageDialog extends ComponentDialog {
  constructor(private readonly deps: TriageDialogDeps) {
    super(TRIAGE_DIALOG);
    this.addDialog(new AnswerPrompt(TEXT, answerValidator))
      .addDialog(new AnswerPrompt(YES_NO, yesNoValidator))
      .addDialog(new AnswerPrompt(TEMPERATURE, temperatureValidator))
      .addDialog(new AnswerPrompt(WHEN, (pc) => this.whenValidator(pc)))
      .addDialog(new WaterfallDialog(MAIN, [
        this.intro.bind(this),
        (s) => this.storeSlot(s, 'medications', 'doseChanges'),
        (s) => this.storeSlot(s, 'doseChanges', 'symptoms'),
        (s) => this.storeSlot(s, 'symptoms'),
        this.consent.bind(this),
        this.result.bind(this),
        this.afterResult.bind(this),
      ]))
      .addDialog(new WaterfallDialog(CLARIFY, [this.clarify.bind(this), this.clarified.bind(this), this.correctDrug.bind(this)]));
    this.initialDialogId = MAIN;
  }

  /** Changes when the steps or inner dialogs change; a conversation saved under another version is restarted. */
  get stepsVersion(): string {
    return this.getInternalVersion();
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  /** This conversation's answers; read from state once per turn (every step asks for them, some several times). */
  private async load(ctx: TurnContext): Promise<Intake> {
    const cached = ctx.turnState.get<Intake>(INTAKE);
    if (cached) return cached;
    const stored = await this.deps.intake.get(ctx);
    if (!stored) {
      const intake = emptyIntake();
      await this.keep(ctx, intake);
      return intake;
    }
    ctx.turnState.set(INTAKE, stored);
    return stored;
  }

  private async keep(ctx: TurnContext, intake: Intake): Promise<void> {
    await this.deps.intake.set(ctx, intake);
    ctx.turnState.set(INTAKE, intake);
  }

  private clock(ctx: TurnContext) {
    return turnClock(ctx.activity, this.deps.defaultLocale);
  }

  /** What the core reads in the answers so far (findings, open questions). The core is pure, and several steps of
   * one turn look at the same answers: each state of them is reviewed once per turn. */
  private async review(ctx: TurnContext): Promise<Review> {
    const intake = await this.load(ctx);
    let cache = ctx.turnState.get(REVIEWED) as Map<string, Review> | undefined;
    if (!cache) ctx.turnState.set(REVIEWED, (cache = new Map()));
    const key = JSON.stringify([intake.answers, intake.followUps, intake.alerts]);
    let r = cache.get(key);
    if (!r) cache.set(key, (r = this.deps.triage.review(toAssessInput(intake, this.clock(ctx)))));
    return r;
  }

  private text(ctx: TurnContext): Strings {
    return strings(this.clock(ctx).locale);
  }

  private ask(ctx: TurnContext, key: string, text: string, retry: string, buttons: string[] = []): PromptOptions {
    const ch = ctx.activity.channelId;
    return tagged(question(text, retry, buttons.slice(0, maxSuggestedActions(ch)), showsSuggestedActions(ch)), key);
  }

  private drugName(name: string): string {
    const brand = this.deps.triage.knowledge.medications.find((m) => m.id === name)?.brands[0];
    return brand ? `${name} (${brand})` : name;
  }

  /** Which slots a piece of text already answers, according to the core, read as an answer to `asked` (a message
   * that starts the conversation is read as a medicines answer: the widest reading, with uncertain drug names). */
  private slotsIn(text: string, ctx: TurnContext, asked: Slot = 'medications'): Slot[] {
    const f = this.deps.triage.findings({ [asked]: text, ...this.clock(ctx) });
    return [
      ...(f.medications.length ? ['medications' as const] : []),
      ...(f.doseChanges.length ? ['doseChanges' as const] : []),
      ...(f.symptoms.some((x) => !x.negated) || f.temperatureC !== undefined ? ['symptoms' as const] : []),
    ];
  }

  // ---- main waterfall --------------------------------------------------------------------------------------

  private async intro(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const ctx = step.context;
    const opts = (step.options ?? {}) as BeginOptions;
    const prev = await this.load(ctx);
    const intake = opts.fresh ? emptyIntake(prev.greeted) : prev;
    await this.keep(ctx, intake);
    const { locale } = this.clock(ctx);
    if (!intake.greeted) {
      const emergency = emergencyNumber(this.deps.triage, locale);
      await ctx.sendActivity(MessageFactory.text(say(locale, 'greeting', { emergency })));
      intake.greeted = true;
    } else if (opts.fresh) {
      await ctx.sendActivity(say(locale, 'restarted'));
    }
    const first = opts.firstText?.trim();
    if (first) {
      const slots = this.slotsIn(first, ctx);
      // The first message goes into the first slot it answers; the others are then confirmed, not asked.
      if (slots.length) {
        appendAnswer(intake, slots[0]!, first);
        intake.covered = [...new Set([...intake.covered, ...slots])];
      }
    }
    return this.askSlot(step, 'medications');
  }

  private async askSlot(step: WaterfallStepContext, slot: Slot): Promise<DialogTurnResult> {
    const ctx = step.context;
    const intake = await this.load(ctx);
    const s = this.text(ctx);
    const ask = { medications: s.askMedications, doseChanges: s.askDoseChanges, symptoms: s.askSymptoms }[slot];
    const retry = slot === 'medications' ? s.retryMedications : s.retryText;
    const buttons = slot === 'symptoms' ? [s.notSure] : [s.none, s.notSure];
    if (intake.covered.includes(slot)) {
      const list = this.known(await this.review(ctx), slot, s);
      if (list.length) {
        const add = { medications: s.addMedications, doseChanges: s.addDoseChanges, symptoms: s.addSymptoms }[slot];
        return step.prompt(TEXT, this.ask(ctx, slot, add.replace('{list}', list.join(', ')), retry, [s.no]));
      }
    }
    return step.prompt(TEXT, this.ask(ctx, slot, ask, retry, buttons));
  }

  /** What the person already told us for a slot, in words they will recognise. */
  private known(a: Review, slot: Slot, s: Strings): string[] {
    const f = a.findings;
    if (slot === 'medications') return f.medications.map((m) => this.drugName(m.name));
    if (slot === 'doseChanges') {
      return f.doseChanges.map((c) => [s.changeLabels[c.change] ?? c.change, c.medication].filter(Boolean).join(' '));
    }
    return [...new Set(f.symptoms.filter((x) => !x.negated).map((x) => x.text))];
  }

  /** Stores a slot's answer, then clears up what it raised (inner dialog) or asks the next slot's question. */
  private async storeSlot(step: WaterfallStepContext, slot: Slot, next?: Slot): Promise<DialogTurnResult> {
    const ctx = step.context;
    const intake = await this.load(ctx);
    const answer = String(step.result ?? '').trim();
    const confirming = intake.covered.includes(slot);
    if (!(confirming && NOTHING_MORE.test(answer))) {
      appendAnswer(intake, slot, answer);
      intake.covered = [...new Set([...intake.covered, ...this.slotsIn(answer, ctx, slot)])];
    }
    if (await this.pendingQuestion(ctx, slot)) return step.beginDialog(CLARIFY, { after: slot, then: next } satisfies ClarifyOptions);
    return next ? this.askSlot(step, next) : step.next();
  }

  /** With intake records on: may the result go to the centre's intake staff? Asked before the result, except that an
   * emergency's result is never held back by a question (it is shown first, then the question). */
  private async consent(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const records = this.deps.records;
    if (!records) return step.next();
    const ctx = step.context;
    const v = vals(step);
    const clock = this.clock(ctx);
    v.clock = clock; // the result shown and the one saved are the same
    const a = this.deps.triage.assess(toAssessInput(await this.load(ctx), clock));
    v.shown = a.level === 'emergency';
    if (v.shown) await ctx.sendActivities(resultActivities(a, ctx.activity.channelId));
    v.statement = consentQuestion(records, ctx, clock.locale, Boolean(v.shown));
    const s = this.text(ctx);
    return step.prompt(YES_NO, this.ask(ctx, 'consent', String(v.statement), s.retryYesNo, [s.yes, s.no]));
  }

  private async result(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const ctx = step.context;
    const v = vals(step);
    const clock = (v.clock as TurnClock | undefined) ?? this.clock(ctx);
    const input = toAssessInput(await this.load(ctx), clock);
    let a: ReturnType<Triage['assess']> & { record?: { ref: string } } = this.deps.triage.assess(input);
    if (this.deps.records && typeof v.statement === 'string') {
      let said = consentSay(clock.locale, 'notSaved');
      if (yesNo(String(step.result)) === 'yes') {
        try {
          const ref = await this.deps.records.save(ctx, { input, assessment: a, statement: v.statement });
          a = { ...a, record: { ref } };
          said = consentSay(clock.locale, 'saved', { ref });
        } catch {
          said = consentSay(clock.locale, 'failed');
        }
      }
      await ctx.sendActivity(said);
    }
    if (!v.shown) await ctx.sendActivities(resultActivities(a, ctx.activity.channelId));
    const s = this.text(ctx);
    return step.prompt(YES_NO, this.ask(ctx, 'restart', s.offerRestart, s.retryYesNo, [s.yes, s.no]));
  }

  private async afterResult(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const ctx = step.context;
    if (yesNo(String(step.result)) === 'yes') return step.replaceDialog(MAIN, { fresh: true } satisfies BeginOptions);
    const { locale } = this.clock(ctx);
    await ctx.sendActivity(say(locale, 'goodbye', { emergency: emergencyNumber(this.deps.triage, locale) }));
    return step.endDialog();
  }

  // ---- between slots: drug confirmations, when a change happened, follow-ups ---------------------------------

  /** Whether the answers so far leave something to ask after `after`'s answer (pending* mark nothing as asked). */
  private async pendingQuestion(ctx: TurnContext, after: Slot): Promise<boolean> {
    if (await this.pendingDrug(ctx)) return true;
    if (after === 'doseChanges') return Boolean(await this.pendingWhen(ctx));
    if (after === 'symptoms') return Boolean(await this.pendingFollowUp(ctx));
    return false;
  }

  /** Asks the next open question, or the next slot's question once none is left. */
  private async clarify(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const ctx = step.context;
    const opts = step.options as ClarifyOptions;
    const intake = await this.load(ctx);
    const s = this.text(ctx);
    const drug = await this.pendingDrug(ctx);
    if (drug) {
      intake.asked.push(`drug:${drug.name}`);
      vals(step).asked = { kind: 'drug', name: drug.name, text: drug.text } satisfies Asked;
      const text = s.confirmDrug.replace('{drug}', this.drugName(drug.name));
      return step.prompt(YES_NO, this.ask(ctx, `drug:${drug.name}`, text, s.retryYesNo, [s.yes, s.no, s.notSure]));
    }
    const change = opts.after === 'doseChanges' ? await this.pendingWhen(ctx) : undefined;
    if (change) return this.askWhen(step, intake, change);
    const topic = opts.after === 'symptoms' ? await this.pendingFollowUp(ctx) : undefined;
    if (topic) return this.askFollowUp(step, intake, topic);
    if (!opts.then) return step.endDialog();
    vals(step).asked = { kind: 'slot' } satisfies Asked;
    return this.askSlot(step, opts.then);
  }

  /** Stores the answer to what `clarify` asked; a slot's answer goes back to the main waterfall. */
  private async clarified(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const ctx = step.context;
    const asked = vals(step).asked as Asked;
    const answer = String(step.result ?? '').trim();
    switch (asked.kind) {
      case 'slot':
        return step.endDialog(step.result);
      case 'drug': {
        const yn = yesNo(answer);
        if (yn === 'yes') await this.replaceMention(ctx, asked.text, asked.name);
        if (yn !== 'no') break;
        const s = this.text(ctx);
        return step.prompt(TEXT, this.ask(ctx, `drugName:${asked.name}`, s.whichDrug, s.retryText, [s.notSure]));
      }
      case 'when':
        if (!isUnknown(answer)) appendAnswer(await this.load(ctx), 'doseChanges', `${asked.phrase} (${cap(answer, 200)})`);
        break;
      case 'followUp':
        (await this.load(ctx)).followUps[asked.topic] = cap(answer, 500);
        break;
    }
    return step.replaceDialog(CLARIFY, step.options);
  }

  /** "Which medicine did you mean?" after a "no": "not sure" keeps the match as it is (an unknown never lowers the level). */
  private async correctDrug(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const answer = String(step.result ?? '').trim();
    const asked = vals(step).asked as Extract<Asked, { kind: 'drug' }>;
    if (!isUnknown(answer)) await this.replaceMention(step.context, asked.text, cap(answer, 100));
    return step.replaceDialog(CLARIFY, step.options);
  }

  /** Fuzzy matches and look-alikes are never resolved silently. */
  private async pendingDrug(ctx: TurnContext): Promise<MedicationFinding | undefined> {
    const intake = await this.load(ctx);
    return (await this.review(ctx)).findings.medications.find((x) => x.needsConfirmation && !intake.asked.includes(`drug:${x.name}`));
  }

  /** Puts the confirmed name where the person wrote the uncertain one, so the core reads an exact mention. */
  private async replaceMention(ctx: TurnContext, mention: string, replacement: string): Promise<void> {
    const intake = await this.load(ctx);
    const pattern = new RegExp(mention.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    const slot = (['medications', 'doseChanges', 'symptoms'] as const).find((k) => pattern.test(intake.answers[k] ?? ''));
    if (slot) intake.answers[slot] = cap(intake.answers[slot]!.replace(pattern, replacement));
    else appendAnswer(intake, 'medications', replacement);
  }

  /** A dated change without a time: when? (bounded: a time the core can read, not in the future) */
  private async pendingWhen(ctx: TurnContext): Promise<DoseChangeFinding | undefined> {
    const intake = await this.load(ctx);
    return (await this.review(ctx)).findings.doseChanges.find((x) => !x.at && x.medication && DATED_CHANGES[x.change]
      && !intake.asked.includes(`when:${x.medication}:${x.change}`));
  }

  private askWhen(step: WaterfallStepContext, intake: Intake, c: DoseChangeFinding): Promise<DialogTurnResult> {
    const ctx = step.context;
    intake.asked.push(`when:${c.medication}:${c.change}`);
    const phrase = `${DATED_CHANGES[c.change]} ${c.medication}`;
    vals(step).asked = { kind: 'when', phrase } satisfies Asked;
    const s = this.text(ctx);
    const text = s.askWhen.replace('{change}', s.changes[c.change] ?? c.change).replace('{drug}', this.drugName(c.medication!));
    const options = this.ask(ctx, `when:${c.medication}`, text, s.retryWhen, [s.today, s.yesterday, s.notSure]);
    return step.prompt(WHEN, { ...options, validations: { phrase, medication: c.medication, change: c.change } });
  }

  private async whenValidator(pc: PromptValidatorContext<string>): Promise<boolean> {
    if (!(await answerValidator(pc))) return false;
    const answer = pc.recognized.value!.trim();
    if (isUnknown(answer)) return true;
    const v = pc.options.validations as { phrase: string; medication: string; change: string };
    const clock = this.clock(pc.context);
    const found = this.deps.triage.findings({ doseChanges: `${v.phrase} (${answer})`, ...clock }).doseChanges
      .find((c) => c.medication === v.medication && c.change === v.change);
    if (!found?.at) return false;
    // An hour of slack for clocks that disagree a little.
    if (Date.parse(found.at) > Date.parse(clock.now) + 3_600_000) {
      await pc.context.sendActivity(MessageFactory.text(say(clock.locale, 'futureWhen'), undefined, InputHints.ExpectingInput));
      return false;
    }
    return true;
  }

  /** Exactly the open questions of the current assessment. */
  private async pendingFollowUp(ctx: TurnContext): Promise<FollowUpTopic | undefined> {
    const intake = await this.load(ctx);
    return (await this.review(ctx)).openQuestions.find((t) => !intake.asked.includes(t));
  }

  private askFollowUp(step: WaterfallStepContext, intake: Intake, topic: FollowUpTopic): Promise<DialogTurnResult> {
    const ctx = step.context;
    intake.asked.push(topic);
    vals(step).asked = { kind: 'followUp', topic } satisfies Asked;
    const s = this.text(ctx);
    const buttons: Record<FollowUpTopic, string[]> = {
      temperature: [s.notSure], pump: [s.noPump, s.notSure], timing: [s.today, s.yesterday, s.notSure],
      breathing: [s.normal, s.notSure], suicidal: [s.no, s.yes, s.notSure], alcohol: [s.no, s.yes, s.notSure], other: [s.no],
    };
    const text = topic === 'other' ? s.otherFollowUp : s[topic];
    const retry = topic === 'temperature' ? s.retryTemperature : s.retryText;
    return step.prompt(topic === 'temperature' ? TEMPERATURE : TEXT, this.ask(ctx, topic, text, retry, buttons[topic]));
  }
}

const numbers = new Map<string, string>();
/** The emergency number for a locale, from the core's contacts (cached: it never changes while running). */
export function emergencyNumber(triage: Triage, locale: string): string {
  let n = numbers.get(locale);
  if (!n) {
    n = triage.assess({ locale, now: '2026-01-01T00:00:00Z' }).contacts.find((c) => c.kind === 'emergency')?.number ?? '911';
    numbers.set(locale, n);
  }
  return n;
}
