// The intake conversation: greeting → medications → dose changes (and when) → symptoms → only the follow-ups the core
// says could change the level → the emergency screen → (intake records on: consent to share) → result → offer to start
// again. Clinical judgement is the core's; this file only asks, and keeps the answers straight.
//
// One dialog, one step per message. Each message is read against the question the bot is waiting on (`pending`):
//   1. questions back ("is that dangerous?") get a short answer and the pending question again; never stored;
//   2. corrections ("no wait, it was Lexapro not Celexa", "actually it's 20 mg", "I didn't stop it") change the
//      stored answers, and the bot says what it now has;
//   3. the rest is the answer. An answer that cannot be read is asked for once more; after the second, it is treated
//      as unknown and the bot moves on. No question is asked more than twice in a row.
// Then the next question is planned from everything answered so far, the first message included.
import { ActivityTypes, MessageFactory, type Activity, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import type { Assessment, FollowUpTopic, MedicationFinding, Review, Triage } from '../src/triage/index.js';
import { hasPage, linksPhones, maxSuggestedActions, showsSuggestedActions } from './channels.js';
import { consentExplain, consentQuestion, consentSay, type IntakeRecords } from './consent.js';
import { contactNumber } from './contacts.js';
import {
  SLOTS, appendAnswer, cap, emptyIntake, normaliseIntake, toAssessInput, turnClock, type Intake, type Pending, type Slot,
  type TurnClock,
} from './intake.js';
import { NOTHING, hasContent, inputText, isGreeting, isUnknown, plausibleTemperature, question, yesNo } from './prompts.js';
import { phone, resultActivities } from './render.js';
import { SCREEN_SIGNS, screenSign, signNamed, signsLeft } from './screen.js';
import { Dialog, type DialogContext, type DialogInstance, type DialogTurnResult } from './sdk.js';
import { langOf, say, strings, type Strings } from './strings.js';
import {
  DOSE, NEGATED_BEFORE, correctionCue, deniedChange, questionKind, splitQuestions, type QuestionKind,
} from './understand.js';

export const TRIAGE_DIALOG = 'triage';
/** Changes when the intake's state or steps change shape; a conversation saved under another version is restarted. */
const VERSION = 'intake-2';
export const RESET_EVENT = 'triage.reset';
/** Set by the bot when its safety gate answered this message with emergency guidance. */
export const GATE_FIRED = Symbol('gateFired');
const REVIEWED = Symbol('reviewedThisTurn');
const INTAKE = Symbol('intakeThisTurn');
const OUTBOX = Symbol('outbox');

/** Changes whose time matters and that a person can date ("planned" and pump events have their own questions). */
const DATED_CHANGES: Record<string, string> = {
  started: 'started', stopped: 'stopped', 'ran-out': 'ran out of', missed: 'missed',
  increased: 'increased', decreased: 'decreased', restarted: 'restarted',
};
/** Words that make a change a change, by kind: taking them out of an answer leaves the rest of it standing. */
const CHANGE_WORDS: Record<string, RegExp> = {
  stopped: /\b(?:stop\w*|quit\w*|discontinu\w*|c[oa]me off|coming off|went off|cold turkey|dej\w*|suspend\w*)\b/giu,
  'ran-out': /\b(?:ran out(?: of)?|run(?:ning)? out(?: of)?|out of|se me acab\w*|me qued\w* sin)\b/giu,
  missed: /\b(?:miss\w*|skipp?\w*|forg[oe]t\w*|olvid\w*)\b/giu,
  started: /\b(?:start\w*|began|begun|begin\w*|put (?:me|him|her|them) on|empec\w*|empez\w*|comenz\w*|comenc\w*)\b/giu,
  increased: /\b(?:increas\w*|rais\w*|upped|went up|doubled|sub\w*|aument\w*)\b/giu,
  decreased: /\b(?:decreas\w*|lower\w*|reduc\w*|cut\w*|halved|went down|baj\w*|reduj\w*)\b/giu,
  restarted: /\b(?:restart\w*|back on|again|otra vez|de nuevo)\b/giu,
};
const STOP_LIKE = new Set(['stopped', 'ran-out', 'missed', 'decreased']);
/** Words without which a message names no drug as the one it corrects ("not Celexa", "en vez de Celexa"). */
const MAYBE_NEGATED = /(?<![\p{L}])(?:not|no|instead|rather|nor|never|en vez|en lugar|ni)(?![\p{L}])/iu;
/** A check ends in a result by the person's 19th message (every question asked at most twice, answered or not): from
 * the 14th on, only the emergency screen is still asked, and from the 19th, the result is given with what is known. */
const SCREEN_BY_TURN = 14;
const RESULT_BY_TURN = 19;
/** Drug classes that make two drugs stand-ins for each other when "no wait, it was X" names no drug to replace. */
const SWAP_CLASSES = new Set(['ssri', 'snri', 'tca', 'maoi', 'antidepressant', 'opioid', 'benzodiazepine', 'z-drug', 'gabapentinoid', 'antipsychotic', 'triptan', 'muscle-relaxant']);

export interface BeginOptions {
  /** The message that started the conversation: whatever it already answers is confirmed, not asked again. */
  firstText?: string;
  /** Start a new check: forget this check's answers (but not that the person was greeted). */
  fresh?: boolean;
  /** Start the questions over the answers kept (a conversation saved by another version of the intake). */
  resume?: boolean;
}

export interface TriageDialogDeps {
  triage: Triage;
  intake: StatePropertyAccessor<Intake>;
  defaultLocale: string;
  /** INTAKE_RECORDS=on: consent to share with the centre's intake staff is asked just before the result (dialogs/consent.ts). */
  records?: IntakeRecords;
}

type Consent = Extract<Pending, { kind: 'consent' }>;

interface Mention { name: string; text: string; negated: boolean }

export class TriageDialog extends Dialog<BeginOptions> {
  /** Every name of every medicine (generic, brands, misspellings, Spanish, street), as one pattern per medicine: built
   * at start-up. */
  private namePatterns?: Map<string, RegExp>;

  constructor(private readonly deps: TriageDialogDeps) {
    super(TRIAGE_DIALOG);
    if (deps.triage.knowledge) void this.names;
  }

  private get names(): Map<string, RegExp> {
    if (!this.namePatterns) {
      const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      this.namePatterns = new Map(this.deps.triage.knowledge.medications.map((m) => {
        const terms = [m.id, ...m.brands, ...m.spanish, ...m.misspellings, ...m.street].filter((t) => t.length > 2).sort((a, b) => b.length - a.length);
        return [m.id, new RegExp(`(?<![\\p{L}\\p{N}])(?:${terms.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'giu')];
      }));
    }
    return this.namePatterns;
  }

  override getVersion(): string {
    return VERSION;
  }

  /** The version saved with a conversation's dialog; another value means it was saved by another build of the intake. */
  get stepsVersion(): string {
    return VERSION;
  }

  // ---- the dialog's entry points ---------------------------------------------------------------------------------

  override async beginDialog(dc: DialogContext, options: BeginOptions = {}): Promise<DialogTurnResult> {
    const ctx = dc.context;
    const prev = await this.load(ctx);
    const intake = options.fresh ? emptyIntake(prev.greeted, prev.locale) : prev;
    if (options.resume) {
      // What was answered is confirmed, not asked afresh; every question is open again.
      Object.assign(intake, { asked: [], pending: undefined, tries: undefined, walk: undefined, walkUnsure: undefined });
      intake.covered = SLOTS.filter((slot) => intake.answers[slot]);
    }
    await this.keep(ctx, intake);
    const locale = this.locale(ctx);
    intake.locale = locale;
    if (!intake.greeted) {
      this.send(ctx, MessageFactory.text(say(locale, 'greeting', { emergency: this.phone(ctx, 'emergency') })));
      intake.greeted = true;
    } else if (options.fresh) {
      this.send(ctx, MessageFactory.text(say(locale, 'restarted')));
    }
    if (options.fresh && prev.greeted && hasPage(ctx.activity.channelId)) this.send(ctx, { type: ActivityTypes.Event, name: RESET_EVENT });
    const first = options.firstText?.trim();
    if (first) {
      const { questions, rest } = splitQuestions(first);
      for (const q of questions) if (questionKind(q) !== 'help') this.answerQuestion(ctx, questionKind(q), { kind: 'slot', key: 'medications', slot: 'medications' });
      if (rest && hasContent(rest) && !isGreeting(rest)) this.takeFirstMessage(ctx, intake, rest);
    }
    return this.next(dc, intake);
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const ctx = dc.context;
    if (ctx.activity.type !== ActivityTypes.Message) return Dialog.EndOfTurn;
    const intake = await this.load(ctx);
    intake.locale = this.locale(ctx);
    intake.turns = (intake.turns ?? 0) + 1;
    const p = intake.pending;
    if (!p) return this.next(dc, intake);
    const text = inputText(ctx.activity);

    // 1. Questions back: answered, never stored.
    const { questions, rest } = splitQuestions(text);
    // Once a red flag has been answered with emergency guidance, "is that dangerous?" gets that answer again.
    const emergency = intake.alerts.length > 0 || Boolean(ctx.turnState.get(GATE_FIRED));
    for (const kind of new Set(questions.map(questionKind))) this.answerQuestion(ctx, kind, p, emergency);
    if (questions.length && !rest) return this.askAgain(dc, intake, p);

    // 2. Corrections of earlier answers.
    let answer = rest;
    const corrected = this.correct(ctx, intake, answer, p);
    if (corrected) {
      answer = corrected.rest;
      if (!answer) return this.afterCorrection(dc, intake, p);
    }

    // 3. The answer.
    return this.answer(dc, intake, p, answer);
  }

  /** "help": the pending question again, as asked (an ask like any other: the next unread answer may end it). */
  override async repromptDialog(ctx: TurnContext, _instance: DialogInstance): Promise<void> {
    const intake = await this.load(ctx);
    if (intake.pending) {
      intake.tries = (intake.tries ?? 1) + 1;
      this.sendQuestion(ctx, intake, intake.pending);
    }
    await this.flush(ctx);
  }

  // ---- state -------------------------------------------------------------------------------------------------

  /** This conversation's answers; read from state once per turn. */
  private async load(ctx: TurnContext): Promise<Intake> {
    const cached = ctx.turnState.get<Intake>(INTAKE);
    if (cached) return cached;
    const stored = await this.deps.intake.get(ctx);
    if (!stored) {
      const intake = emptyIntake();
      await this.keep(ctx, intake);
      return intake;
    }
    normaliseIntake(stored);
    ctx.turnState.set(INTAKE, stored);
    return stored;
  }

  private async keep(ctx: TurnContext, intake: Intake): Promise<void> {
    await this.deps.intake.set(ctx, intake);
    ctx.turnState.set(INTAKE, intake);
  }

  private locale(ctx: TurnContext): string {
    return turnClock(ctx.activity, this.deps.defaultLocale).locale;
  }

  private clock(ctx: TurnContext) {
    return turnClock(ctx.activity, this.deps.defaultLocale);
  }

  private text(ctx: TurnContext): Strings {
    return strings(this.locale(ctx));
  }

  /** What the core reads in the answers so far (findings, open questions); each state of the answers once per turn. */
  private review(ctx: TurnContext, intake: Intake): Review {
    let cache = ctx.turnState.get(REVIEWED) as Map<string, Review> | undefined;
    if (!cache) ctx.turnState.set(REVIEWED, (cache = new Map()));
    const key = JSON.stringify([intake.answers, intake.followUps, intake.alerts]);
    let r = cache.get(key);
    if (!r) cache.set(key, (r = this.deps.triage.review(toAssessInput(intake, this.clock(ctx)))));
    return r;
  }

  /** Which slots a piece of text answers, according to the core, read as an answer to `asked` (a first message is
   * read as a medicines answer: the widest reading, with uncertain drug names). */
  private slotsIn(ctx: TurnContext, text: string, asked: Slot = 'medications'): Slot[] {
    const f = this.deps.triage.findings({ [asked]: text, ...this.clock(ctx) });
    return [
      ...(f.medications.length ? ['medications' as const] : []),
      ...(f.doseChanges.length ? ['doseChanges' as const] : []),
      ...(f.symptoms.some((x) => !x.negated) || f.temperatureC !== undefined ? ['symptoms' as const] : []),
    ];
  }

  private drugName(name: string): string {
    const brand = this.deps.triage.knowledge.medications.find((m) => m.id === name)?.brands[0];
    return brand ? `${name} (${brand})` : name;
  }

  // ---- sending -------------------------------------------------------------------------------------------------

  private send(ctx: TurnContext, ...activities: Partial<Activity>[]): void {
    let box = ctx.turnState.get(OUTBOX) as Partial<Activity>[] | undefined;
    if (!box) ctx.turnState.set(OUTBOX, (box = []));
    box.push(...activities);
  }

  /** Sends the turn's messages in one go; after the safety gate's emergency guidance, says the person may carry on. */
  private async flush(ctx: TurnContext): Promise<void> {
    const box = ctx.turnState.get(OUTBOX) as Partial<Activity>[] | undefined;
    if (!box?.length) return;
    ctx.turnState.set(OUTBOX, []);
    if (ctx.turnState.get(GATE_FIRED)) {
      // Not before the consent or restart question: those come after the result, with nothing left to answer.
      const at = box.findIndex((a) => a.inputHint === 'expectingInput' && keyOf(a) !== 'restart' && keyOf(a) !== 'consent');
      if (at >= 0) box.splice(at, 0, MessageFactory.text(say(this.locale(ctx), 'carryOn')));
    }
    await ctx.sendActivities(box);
  }

  private phone(ctx: TurnContext, kind: 'emergency' | 'crisis' | 'poison'): string {
    const n = contactNumber(this.deps.triage, this.locale(ctx), kind);
    return n ? phone(n, linksPhones(ctx.activity.channelId)) : '';
  }

  /** A sentence of the knowledge's guidance (knowledge/guidance.json notes, sourced) with the locale's numbers. */
  private guidance(ctx: TurnContext, note: string): string | undefined {
    const text = this.deps.triage.knowledge.guidance.notes[note]?.text[langOf(this.locale(ctx))];
    return text?.replace(/\{(emergency|crisis|poison)\}/g, (_, kind: 'emergency' | 'crisis' | 'poison') => this.phone(ctx, kind));
  }

  // ---- asking ----------------------------------------------------------------------------------------------------

  /** The next question from everything answered so far, or the result. */
  private async next(dc: DialogContext, intake: Intake): Promise<DialogTurnResult> {
    const ctx = dc.context;
    const q = this.plan(ctx, intake);
    if (!q) {
      if ((intake.turns ?? 0) >= RESULT_BY_TURN && this.review(ctx, intake).openQuestions.length) {
        this.send(ctx, MessageFactory.text(say(this.locale(ctx), 'enoughQuestions')));
      }
      intake.walk = undefined;
      return this.result(dc, intake);
    }
    return this.ask(dc, intake, q);
  }

  private plan(ctx: TurnContext, intake: Intake): Pending | undefined {
    const asked = intake.asked;
    const r = this.review(ctx, intake);
    const turns = intake.turns ?? 0;
    if (turns >= RESULT_BY_TURN) return undefined;
    // The signs one at a time, once begun, before anything a late correction opened.
    const sign = intake.walk?.[0];
    if (sign && r.openQuestions.includes('screen')) return { kind: 'sign', key: `screen:${sign}`, sign };
    if (turns < SCREEN_BY_TURN) {
      const early = this.planEarly(r, asked);
      if (early) return early;
    }
    if (!r.openQuestions.includes('screen') || asked.includes('screen')) return undefined;
    const signs = signsLeft(this.deniedFindings(r), this.deniedSigns(intake)).map((s) => s.id);
    return { kind: 'screen', key: 'screen', signs: signs.length ? signs : SCREEN_SIGNS.map((s) => s.id) };
  }

  /** The questions before the emergency screen, in their order. */
  private planEarly(r: Review, asked: readonly string[]): Pending | undefined {
    if (!asked.includes('medications')) return { kind: 'slot', key: 'medications', slot: 'medications' };
    // Fuzzy matches and look-alikes are never resolved silently.
    const drug = r.findings.medications.find((m) => m.needsConfirmation && !asked.includes(`drug:${m.name}`));
    if (drug) return { kind: 'drug', key: `drug:${drug.name}`, name: drug.name, text: drug.text };
    if (!asked.includes('doseChanges')) return { kind: 'slot', key: 'doseChanges', slot: 'doseChanges' };
    const change = r.findings.doseChanges.find((c) => !c.at && c.medication && DATED_CHANGES[c.change] && !asked.includes(`when:${c.medication}:${c.change}`));
    if (change) return { kind: 'when', key: `when:${change.medication}:${change.change}`, medication: change.medication!, change: change.change };
    if (!asked.includes('symptoms')) return { kind: 'slot', key: 'symptoms', slot: 'symptoms' };
    const topic = r.openQuestions.find((t) => t !== 'screen' && !asked.includes(t));
    return topic ? { kind: 'followUp', key: topic, topic } : undefined;
  }

  private deniedFindings(r: Review): Set<string> {
    return new Set(r.findings.symptoms.filter((s) => s.negated).map((s) => s.id));
  }

  /** Signs denied by follow-up answers: no thoughts of self-harm, breathing normal. */
  private deniedSigns(intake: Intake): Set<string> {
    const out = new Set<string>();
    if (intake.followUps.suicidal && yesNo(intake.followUps.suicidal) === 'no') out.add('suicidal-intent');
    if (intake.followUps.breathing && /^(?:normal|fine|ok(?:ay)?|good|bien)\b/iu.test(intake.followUps.breathing.trim())) out.add('breathing');
    return out;
  }

  private sendQuestion(ctx: TurnContext, intake: Intake, p: Pending, retry?: string): void {
    const s = this.text(ctx);
    const lang = langOf(this.locale(ctx));
    let text: string;
    let buttons: string[];
    switch (p.kind) {
      case 'slot': {
        const list = intake.covered.includes(p.slot) ? this.known(this.review(ctx, intake), p.slot, s) : [];
        if (list.length) {
          text = { medications: s.addMedications, doseChanges: s.addDoseChanges, symptoms: s.addSymptoms }[p.slot].replace('{list}', list.join(', '));
          buttons = [s.no];
        } else {
          text = { medications: s.askMedications, doseChanges: s.askDoseChanges, symptoms: s.askSymptoms }[p.slot];
          buttons = p.slot === 'symptoms' ? [s.notSure] : [s.none, s.notSure];
        }
        break;
      }
      case 'drug':
        text = s.confirmDrug.replace('{drug}', this.drugName(p.name));
        buttons = [s.yes, s.no, s.notSure];
        break;
      case 'drugName':
        text = s.whichDrug;
        buttons = [s.notSure];
        break;
      case 'when':
        text = s.askWhen.replace('{change}', s.changes[p.change] ?? p.change).replace('{drug}', this.drugName(p.medication));
        buttons = [s.today, s.yesterday, s.notSure];
        break;
      case 'followUp': {
        const perTopic: Record<FollowUpTopic, string[]> = {
          temperature: [s.notSure], pump: [s.noPump, s.notSure], timing: [s.today, s.yesterday, s.notSure],
          breathing: [s.normal, s.notSure], suicidal: [s.no, s.yes, s.notSure], alcohol: [s.no, s.yes, s.notSure], screen: [], other: [s.no],
          'last-use': [s.today, s.yesterday, s.notSure], amount: [s.notSure], 'withdrawal-history': [s.no, s.yes, s.notSure],
        };
        text = p.topic === 'other' ? s.otherFollowUp : s[p.topic as Exclude<FollowUpTopic, 'other' | 'screen'>];
        buttons = perTopic[p.topic];
        break;
      }
      case 'screen': {
        const signs = p.signs.map((id) => screenSign(id)!).filter(Boolean);
        const many = showsSuggestedActions(ctx.activity.channelId) && maxSuggestedActions(ctx.activity.channelId) > signs.length + 1;
        // Where every sign is a quick reply, the replies name them; elsewhere the message lists them.
        const list = signs.map((x) => `- ${x.label[lang]}`).join('\n');
        text = many ? `${s.screenAsk} ${s.screenHowButtons}` : `${s.screenAsk}\n\n${list}\n\n${s.screenHowText}`;
        buttons = many ? [s.noneOfThese, ...signs.map((x) => x.label[lang]), s.notSure] : [s.noneOfThese, s.yes, s.notSure];
        break;
      }
      case 'sign':
        text = screenSign(p.sign)?.ask[lang] ?? s.retryScreen;
        buttons = [s.yes, s.no];
        break;
      case 'consent':
        text = p.statement;
        buttons = [s.yes, s.no];
        break;
      case 'restart':
        text = s.offerRestart;
        buttons = [s.yes, s.no];
        break;
    }
    const ch = ctx.activity.channelId;
    const cap = p.kind === 'screen' ? buttons.length : maxSuggestedActions(ch);
    // The tag clients see: `when:<drug>` (DESIGN.md), whatever the change.
    const tag = p.kind === 'when' ? `when:${p.medication}` : p.key;
    this.send(ctx, question(retry ?? text, tag, buttons.slice(0, cap), showsSuggestedActions(ch)));
  }

  /** The retry text for a question whose answer could not be read. */
  private retryText(ctx: TurnContext, p: Pending): string {
    const s = this.text(ctx);
    switch (p.kind) {
      case 'slot': return p.slot === 'medications' ? s.retryMedications : s.retryText;
      case 'drug': case 'consent': case 'restart': return s.retryYesNo;
      case 'drugName': return s.retryText;
      case 'when': return s.retryWhen;
      case 'followUp': return p.topic === 'temperature' ? s.retryTemperature : s.retryText;
      case 'screen': return s.retryScreen;
      case 'sign': return s.retrySign;
    }
  }

  /** What the person already told us for a slot, in words they will recognise. */
  private known(a: Review, slot: Slot, s: Strings): string[] {
    const f = a.findings;
    if (slot === 'medications') return f.medications.map((m) => this.drugName(m.name));
    if (slot === 'doseChanges') return f.doseChanges.map((c) => [s.changeLabels[c.change] ?? c.change, c.medication].filter(Boolean).join(' '));
    return [...new Set(f.symptoms.filter((x) => !x.negated).map((x) => x.text))];
  }

  /** The pending question once more, after a question back, a correction or a red flag typed instead of an answer;
   * if it has already been asked twice in a row, its answer is unknown and the bot moves on. */
  private async askAgain(dc: DialogContext, intake: Intake, p: Pending): Promise<DialogTurnResult> {
    if ((intake.tries ?? 1) >= 2 || (intake.turns ?? 0) >= RESULT_BY_TURN) return dc.context.turnState.get(GATE_FIRED) ? this.next(dc, intake) : this.giveUp(dc, intake, p, 'unansweredMoveOn');
    intake.tries = (intake.tries ?? 1) + 1;
    this.sendQuestion(dc.context, intake, p);
    await this.flush(dc.context);
    return Dialog.EndOfTurn;
  }

  /** An answer that cannot be read: asked once more with a hint, then treated as unknown. */
  private async unreadable(dc: DialogContext, intake: Intake, p: Pending, hint?: string): Promise<DialogTurnResult> {
    if ((intake.tries ?? 1) >= 2 || (intake.turns ?? 0) >= RESULT_BY_TURN) return this.giveUp(dc, intake, p);
    intake.tries = (intake.tries ?? 1) + 1;
    this.sendQuestion(dc.context, intake, p, hint ?? this.retryText(dc.context, p));
    await this.flush(dc.context);
    return Dialog.EndOfTurn;
  }

  private async giveUp(dc: DialogContext, intake: Intake, p: Pending, why: 'unknownMoveOn' | 'unansweredMoveOn' = 'unknownMoveOn'): Promise<DialogTurnResult> {
    const ctx = dc.context;
    if (p.kind === 'restart') return this.goodbye(dc, intake);
    this.send(ctx, MessageFactory.text(say(this.locale(ctx), why)));
    // Consent not given: nothing is saved, and the result follows.
    if (p.kind === 'consent') return this.endConsent(dc, intake, p, false);
    // An unknown answer changes nothing stored: an unread temperature stays unknown, a drug stays as read, a change
    // stays undated (which the core takes as recent). One sign of the screen unknown: on to the next.
    if (p.kind === 'sign') return this.nextSign(dc, intake, true);
    return this.next(dc, intake);
  }

  // ---- answers -------------------------------------------------------------------------------------------------

  private async answer(dc: DialogContext, intake: Intake, p: Pending, answer: string): Promise<DialogTurnResult> {
    const ctx = dc.context;
    const gate = Boolean(ctx.turnState.get(GATE_FIRED));
    switch (p.kind) {
      case 'slot': {
        if (!hasContent(answer)) return this.unreadable(dc, intake, p);
        const slots = this.slotsIn(ctx, answer, p.slot);
        // A red flag typed instead of an answer: the gate has answered it. Kept where it answers this question, which
        // is then asked again ("anything else?"), so the person's own answer is not lost to the interruption.
        if (gate) {
          if (p.slot === 'symptoms' || slots.includes(p.slot)) {
            appendAnswer(intake, p.slot, answer);
            intake.covered = [...new Set([...intake.covered, ...slots, p.slot])];
          }
          return this.askAgain(dc, intake, p);
        }
        const confirming = intake.covered.includes(p.slot);
        if (!(confirming && NOTHING.test(answer))) {
          appendAnswer(intake, p.slot, answer);
          // Symptoms told early ("...and I'm itchy since this morning") are kept as symptoms too, so the core reads
          // them there (when they began answers "when did these start?").
          if (p.slot !== 'symptoms' && slots.includes('symptoms') && !intake.asked.includes('symptoms')) appendAnswer(intake, 'symptoms', answer);
          intake.covered = [...new Set([...intake.covered, ...slots])];
        }
        return this.next(dc, intake);
      }
      case 'drug': {
        const named = this.mentions(ctx, answer).filter((m) => !m.negated);
        const other = named.find((m) => m.name !== p.name);
        if (other) {
          this.replaceDrug(intake, p.name, other.text, p.text);
          return this.next(dc, intake);
        }
        const yn = named.length ? 'yes' : yesNo(answer);
        if (yn === 'yes') this.replaceDrug(intake, p.name, p.name, p.text);
        if (yn === 'no') return this.ask(dc, intake, { kind: 'drugName', key: `drugName:${p.name}`, name: p.name, text: p.text });
        if (!yn) return gate ? this.askAgain(dc, intake, p) : this.unreadable(dc, intake, p);
        return this.next(dc, intake);
      }
      case 'drugName': {
        if (!hasContent(answer)) return this.unreadable(dc, intake, p);
        // "Not sure" keeps the name as read (an unknown never lowers the level).
        if (!isUnknown(answer)) {
          const named = this.mentions(ctx, answer).find((m) => !m.negated);
          this.replaceDrug(intake, p.name, named?.text ?? cap(answer, 100), p.text);
        }
        return this.next(dc, intake);
      }
      case 'when':
        return this.answerWhen(dc, intake, p, answer);
      case 'followUp': {
        if (!hasContent(answer) || (p.topic === 'temperature' && !plausibleTemperature(answer))) {
          return gate ? this.askAgain(dc, intake, p) : this.unreadable(dc, intake, p);
        }
        intake.followUps[p.topic] = cap(answer, 500);
        return this.next(dc, intake);
      }
      case 'screen':
        return this.answerScreen(dc, intake, p, answer);
      case 'consent':
        return this.answerConsent(dc, intake, p, answer);
      case 'sign': {
        const yn = yesNo(answer) ?? (signNamed(answer) || gate ? 'yes' : undefined);
        if (yn === 'yes') return this.screenYes(dc, intake, screenSign(p.sign)!.reads[langOf(this.locale(ctx))]);
        if (yn === 'no') return this.nextSign(dc, intake, false);
        if (yn === 'unsure') return this.nextSign(dc, intake, true);
        this.keepEarlierAnswers(ctx, intake, answer);
        return this.unreadable(dc, intake, p);
      }
      case 'restart': {
        // A red flag after the result: the gate's emergency guidance is the answer; the offer stays as it was.
        if (gate) {
          await this.flush(ctx);
          return Dialog.EndOfTurn;
        }
        const yn = yesNo(answer);
        if (yn === 'yes') return dc.replaceDialog(TRIAGE_DIALOG, { fresh: true } satisfies BeginOptions);
        if (yn || !hasContent(answer)) return this.goodbye(dc, intake);
        return this.unreadable(dc, intake, p);
      }
    }
  }

  /** Asks a question that follows from the answer just given (not planned: "which medicine was it?"). */
  private async ask(dc: DialogContext, intake: Intake, q: Pending): Promise<DialogTurnResult> {
    intake.pending = q;
    intake.tries = 1;
    if (!intake.asked.includes(q.key)) intake.asked.push(q.key);
    this.sendQuestion(dc.context, intake, q);
    await this.flush(dc.context);
    return Dialog.EndOfTurn;
  }

  private async answerWhen(dc: DialogContext, intake: Intake, p: Extract<Pending, { kind: 'when' }>, answer: string): Promise<DialogTurnResult> {
    const ctx = dc.context;
    if (!hasContent(answer)) return this.unreadable(dc, intake, p);
    // "Not sure": the change stays undated, which the core reads as recent (an unknown never lowers the level).
    if (isUnknown(answer)) return this.next(dc, intake);
    const phrase = `${DATED_CHANGES[p.change]} ${p.medication}`;
    const clock = this.clock(ctx);
    const found = this.deps.triage.findings({ doseChanges: `${phrase} (${answer})`, ...clock }).doseChanges
      .find((c) => c.medication === p.medication && c.change === p.change);
    if (!found?.at) {
      // "No", "never", "I didn't": that change did not happen.
      if (yesNo(answer) === 'no' || deniedChange(answer)) {
        this.dropChange(ctx, intake, p.medication, p.change);
        return this.next(dc, intake);
      }
      return ctx.turnState.get(GATE_FIRED) ? this.askAgain(dc, intake, p) : this.unreadable(dc, intake, p);
    }
    // An hour of slack for clocks that disagree a little.
    if (Date.parse(found.at) > Date.parse(clock.now) + 3_600_000) return this.unreadable(dc, intake, p, say(clock.locale, 'futureWhen'));
    appendAnswer(intake, 'doseChanges', `${phrase} (${cap(answer, 200)})`);
    return this.next(dc, intake);
  }

  private async answerScreen(dc: DialogContext, intake: Intake, p: Extract<Pending, { kind: 'screen' }>, answer: string): Promise<DialogTurnResult> {
    const ctx = dc.context;
    const lang = langOf(this.locale(ctx));
    const sign = signNamed(answer);
    if (sign) return this.screenYes(dc, intake, sign.reads[lang]);
    const yn = yesNo(answer);
    if (yn === 'no' || NOTHING.test(answer)) {
      intake.followUps.screen = cap(answer, 200);
      return this.next(dc, intake);
    }
    if (yn === 'unsure') {
      intake.walk = [...p.signs];
      intake.walkUnsure = false;
      this.send(ctx, MessageFactory.text(say(this.locale(ctx), 'screenOneByOne')));
      return this.next(dc, intake);
    }
    // "Yes", or a sign the safety gate recognised in the person's own words.
    if (yn === 'yes' || ctx.turnState.get(GATE_FIRED)) return this.screenYes(dc, intake, yn === 'yes' ? answer.replace(/^\s*\S+[\s,:;.!-]*/u, '') : answer);
    this.keepEarlierAnswers(ctx, intake, answer);
    return this.unreadable(dc, intake, p);
  }

  /**
   * An answer to the screen that tells something else ("stopped the xanax sunday"): kept under the questions it
   * answers, so that the result reads it, and said so; the screen question then goes on as after any answer it
   * could not read.
   */
  private keepEarlierAnswers(ctx: TurnContext, intake: Intake, answer: string): void {
    const slots = this.slotsIn(ctx, answer);
    if (!slots.length) return;
    for (const slot of slots) appendAnswer(intake, slot, answer);
    intake.covered = [...new Set([...intake.covered, ...slots])];
    this.send(ctx, MessageFactory.text(this.text(ctx).added));
  }

  /** A yes at the screen: stored as the screen's answer (the core makes it emergency), and the result at once. */
  private async screenYes(dc: DialogContext, intake: Intake, what: string): Promise<DialogTurnResult> {
    const yes = this.text(dc.context).yes.toLowerCase();
    intake.followUps.screen = cap(what ? `${yes}: ${what}` : yes, 200);
    intake.walk = undefined;
    return this.next(dc, intake);
  }

  private async nextSign(dc: DialogContext, intake: Intake, unsure: boolean): Promise<DialogTurnResult> {
    intake.walk = (intake.walk ?? []).slice(1);
    if (unsure) intake.walkUnsure = true;
    if (!intake.walk.length) {
      intake.walk = undefined;
      intake.followUps.screen = intake.walkUnsure ? this.text(dc.context).notSure.toLowerCase() : this.text(dc.context).noneOfThese.toLowerCase();
    }
    return this.next(dc, intake);
  }

  /** After a correction, the question it interrupted, unless the correction raised one that comes first (a look-alike
   * to confirm) or settled it. */
  private async afterCorrection(dc: DialogContext, intake: Intake, p: Pending): Promise<DialogTurnResult> {
    if (p.kind === 'consent') {
      // The answers changed under the question: a question they opened comes first (consent is then asked afresh,
      // about the new result); else the question again (a repeat: asked at most twice in a row), about the new result.
      if (this.plan(dc.context, intake)) {
        intake.asked = intake.asked.filter((k) => k !== 'consent');
        return this.next(dc, intake);
      }
      return this.askAgain(dc, intake, this.refreshConsent(dc.context, intake, p));
    }
    if (!(await this.stillOpen(dc.context, intake, p))) return this.next(dc, intake);
    intake.asked = intake.asked.filter((k) => k !== p.key);
    const q = this.plan(dc.context, intake);
    if (q?.key !== p.key) return this.next(dc, intake);
    intake.asked.push(p.key);
    return this.askAgain(dc, intake, p);
  }

  /** Whether the question is still worth its answer after a correction changed the answers. */
  private async stillOpen(ctx: TurnContext, intake: Intake, p: Pending): Promise<boolean> {
    const r = this.review(ctx, intake);
    switch (p.kind) {
      case 'drug': case 'drugName': return r.findings.medications.some((m) => m.name === p.name && m.needsConfirmation);
      case 'when': return r.findings.doseChanges.some((c) => c.medication === p.medication && c.change === p.change && !c.at);
      case 'followUp': return r.openQuestions.includes(p.topic);
      case 'screen': case 'sign': return r.openQuestions.includes('screen');
      default: return true;
    }
  }

  // ---- the result ------------------------------------------------------------------------------------------------

  /** The result of the answers so far. */
  private assessment(intake: Intake, clock: TurnClock): Assessment {
    const a = this.deps.triage.assess(toAssessInput(intake, clock));
    // A red flag the safety gate answered stays an emergency, even where the whole answers read it otherwise (a message
    // about "my husband" beside later answers about "I"): the result is then the gate's own reading of those messages.
    if (intake.alerts.length && a.level !== 'emergency') {
      const alone = this.deps.triage.assess({ symptoms: intake.alerts.join('. '), ...clock });
      if (alone.level === 'emergency') return alone;
    }
    return a;
  }

  private showResult(ctx: TurnContext, a: Assessment): void {
    // The safety gate has just sent this emergency: the same guidance twice in one turn would bury the next step.
    if (!(ctx.turnState.get(GATE_FIRED) && a.level === 'emergency')) this.send(ctx, ...resultActivities(a, ctx.activity.channelId));
  }

  private async result(dc: DialogContext, intake: Intake): Promise<DialogTurnResult> {
    const ctx = dc.context;
    const clock = this.clock(ctx);
    const a = this.assessment(intake, clock);
    const records = this.deps.records;
    if (records && !intake.asked.includes('consent')) {
      // Intake records: consent comes after the emergency screen, just before the result. An emergency is never held
      // up by it (the result first, then the question), nor is a check at its last turn (it ends in a result).
      const shown = a.level === 'emergency' || (intake.turns ?? 0) >= RESULT_BY_TURN;
      if (shown) this.showResult(ctx, a);
      const statement = consentQuestion(records, ctx, clock.locale, shown);
      return this.ask(dc, intake, { kind: 'consent', key: 'consent', shown, statement, now: clock.now });
    }
    this.showResult(ctx, a);
    return this.ask(dc, intake, { kind: 'restart', key: 'restart' });
  }

  // ---- consent (intake records) ----------------------------------------------------------------------------------

  private async answerConsent(dc: DialogContext, intake: Intake, p: Consent, answer: string): Promise<DialogTurnResult> {
    const ctx = dc.context;
    if (ctx.turnState.get(GATE_FIRED)) {
      // A red flag typed instead of an answer: the gate has just given the emergency guidance and its result, so the
      // question, if asked again, follows a result already shown; after two asks, consent is not given.
      const again = this.refreshConsent(ctx, intake, { ...p, shown: true });
      if ((intake.tries ?? 1) >= 2 || (intake.turns ?? 0) >= RESULT_BY_TURN) return this.endConsent(dc, intake, again, false);
      return this.askAgain(dc, intake, again);
    }
    const yn = yesNo(answer);
    if (yn === 'yes') return this.endConsent(dc, intake, p, true);
    // "No", "not sure", "no sé", "idk": nothing is saved.
    if (yn === 'no' || yn === 'unsure') return this.endConsent(dc, intake, p, false);
    return this.unreadable(dc, intake, p);
  }

  /** The consent question for the answers as they are now: an emergency they have become is shown before it. */
  private refreshConsent(ctx: TurnContext, intake: Intake, p: Consent): Consent {
    let shown = p.shown;
    if (!shown) {
      const a = this.assessment(intake, { now: p.now, locale: this.locale(ctx) });
      if (a.level === 'emergency') {
        this.showResult(ctx, a);
        shown = true;
      }
    }
    const statement = this.deps.records ? consentQuestion(this.deps.records, ctx, this.locale(ctx), shown) : p.statement;
    const q: Consent = { ...p, shown, statement };
    intake.pending = q;
    return q;
  }

  /** Yes saves the result as an intake record and gives its reference; otherwise nothing is saved. Then the result
   * (unless it was shown before the question) and the offer to start again. */
  private async endConsent(dc: DialogContext, intake: Intake, p: Consent, given: boolean): Promise<DialogTurnResult> {
    const ctx = dc.context;
    const records = this.deps.records;
    // The clock the question was asked at: the result saved is the one shown (or about to be).
    const clock = { now: p.now, locale: this.locale(ctx) };
    let a: Assessment & { record?: { ref: string } } = this.assessment(intake, clock);
    let said = consentSay(clock.locale, 'notSaved');
    if (given && records) {
      try {
        const ref = await records.save(ctx, { input: toAssessInput(intake, clock), assessment: a, statement: p.statement });
        a = { ...a, record: { ref } };
        said = consentSay(clock.locale, 'saved', { ref });
      } catch {
        said = consentSay(clock.locale, p.shown ? 'failedAfter' : 'failed');
      }
    }
    this.send(ctx, MessageFactory.text(said));
    if (!p.shown) this.showResult(ctx, a);
    return this.ask(dc, intake, { kind: 'restart', key: 'restart' });
  }

  private async goodbye(dc: DialogContext, intake: Intake): Promise<DialogTurnResult> {
    const ctx = dc.context;
    intake.pending = undefined;
    this.send(ctx, MessageFactory.text(say(this.locale(ctx), 'goodbye', { emergency: this.phone(ctx, 'emergency') })));
    await this.flush(ctx);
    return dc.endDialog();
  }

  // ---- questions back --------------------------------------------------------------------------------------------

  private answerQuestion(ctx: TurnContext, kind: QuestionKind, p: Pending, emergency = false): void {
    const s = this.text(ctx);
    if (emergency && p.kind !== 'consent' && (kind === 'danger' || kind === 'other')) {
      this.send(ctx, MessageFactory.text(say(this.locale(ctx), 'questionBackEmergency', { emergency: this.phone(ctx, 'emergency') })));
      return;
    }
    const explain = (key: string) => s.explain[key] ?? s.explain.other!;
    const notes: Partial<Record<QuestionKind, string>> = {
      'medicine-change': 'answer-medicine-change', serotonin: 'answer-serotonin-toxicity', withdrawal: 'answer-baclofen-withdrawal',
      danger: 'answer-danger', depressants: 'answer-depressants',
    };
    let text: string | undefined;
    // At the consent question, "what does that mean?", "who would see it?", "is that safe?" are about the sharing.
    if (p.kind === 'consent' && this.deps.records && (kind === 'meaning' || kind === 'danger' || kind === 'other')) {
      text = consentExplain(this.deps.records, ctx, this.locale(ctx));
    } else if (notes[kind]) text = this.guidance(ctx, notes[kind]!);
    else if (kind === 'who') text = s.questionBackWho;
    else if (kind === 'help') text = say(this.locale(ctx), 'help', { emergency: this.phone(ctx, 'emergency') });
    else if (kind === 'meaning') {
      text = explain(p.kind === 'slot' ? p.slot : p.kind === 'followUp' ? p.topic : p.kind === 'sign' ? 'screen' : p.kind);
    }
    text ??= say(this.locale(ctx), 'questionBackGeneric', { emergency: this.phone(ctx, 'emergency') });
    this.send(ctx, MessageFactory.text(text));
  }

  // ---- corrections -------------------------------------------------------------------------------------------------

  /** The drugs a message names, each with whether it is the one being corrected ("not Celexa"). */
  private mentions(ctx: TurnContext, text: string): Mention[] {
    const f = this.deps.triage.findings({ medications: text, ...this.clock(ctx) });
    const found = [...f.medications.map((m) => ({ name: m.name, text: m.text })), ...f.excludedMedications.filter((e) => e.reason === 'negated').map((e) => ({ name: e.name, text: e.text }))];
    const lower = text.toLowerCase();
    return found.map((m) => {
      const at = lower.indexOf(m.text.toLowerCase());
      return { ...m, negated: at >= 0 && NEGATED_BEFORE.test(lower.slice(Math.max(0, at - 30), at)) };
    });
  }

  /** A correction in the message, applied to the stored answers; `rest` is what is left to read as the answer to the
   * pending question (the answer given before "no wait, ..."). Undefined when the message corrects nothing. */
  private correct(ctx: TurnContext, intake: Intake, text: string, p: Pending): { rest: string } | undefined {
    if (!text) return undefined;
    const cue = correctionCue(text);
    const body = cue ? cue.rest : text;
    let before = cue?.before ?? '';
    const denial = deniedChange(body);
    // Most messages correct nothing: the core reads drug names here only when the words could make a correction.
    if (!cue && !denial && !MAYBE_NEGATED.test(body)) return undefined;
    const named = hasContent(body) ? this.mentions(ctx, body) : [];
    const olds = named.filter((m) => m.negated);
    if (!cue && !denial && !olds.length) return undefined;
    // At "did you mean citalopram?", "no, escitalopram" and "not that one" are answers, read there.
    if (!cue && !denial && (p.kind === 'drug' || p.kind === 'drugName')) return undefined;
    const s = this.text(ctx);
    const r = this.review(ctx, intake);

    // A change that did not happen: "I didn't stop it", "I'm just asking".
    if (denial) {
      const drug = named.find((m) => !m.negated)?.name ?? (p.kind === 'when' ? p.medication : undefined);
      const candidates = r.findings.doseChanges.filter((c) => (denial === 'any' ? STOP_LIKE.has(c.change) || c.change === 'started' : c.change === denial)
        && (!drug || c.medication === drug));
      const target = candidates.at(-1);
      if (target?.medication) {
        this.dropChange(ctx, intake, target.medication, target.change);
        return { rest: before };
      }
      if (!cue) return undefined; // "I didn't stop it" as a first answer: an answer like any other
    }

    const fresh = named.filter((m) => !m.negated);
    if (fresh.length) {
      // "it was Lexapro not Celexa": Celexa's mentions become Lexapro; with no drug named to replace, the look-alike,
      // the drug being confirmed, or the only drug of the same kind.
      const drug = fresh[0]!;
      // "No, I meant citalopram" at "did you mean citalopram?": a yes.
      if ((p.kind === 'drug' || p.kind === 'drugName') && drug.name === p.name) {
        this.replaceDrug(intake, p.name, p.name, p.text);
        return { rest: before };
      }
      const replaced = (olds.length ? olds.map((o) => o.name) : [this.swapTarget(r, drug.name, p, before)].filter((x): x is string => Boolean(x)))
        .filter((old) => old !== drug.name);
      let done = false;
      for (const old of replaced) {
        done = this.replaceDrug(intake, old, drug.text) || done;
        const inBefore = this.replaceIn(before, old, drug.text);
        if (inBefore !== before) { before = inBefore; done = true; }
      }
      // The dose that came with it ("it's Lexapro 10 mg").
      const dose = DOSE.exec(body);
      if (dose) this.setDose(intake, drug.name, dose[0]);
      const added = !done && !r.findings.medications.some((m) => m.name === drug.name) && !this.namesIn(before).includes(drug.name);
      if (added) appendAnswer(intake, 'medications', cap(body, 200));
      const lead = done ? `${s.changed} ` : added ? `${s.added} ` : '';
      this.send(ctx, MessageFactory.text(`${lead}${this.summary(ctx, intake, 'medications', before)}`));
      return { rest: before };
    }

    // "actually it's 20 mg": the dose of the drug named, or of the only one, or of the last one named.
    const dose = DOSE.exec(body);
    if (dose && cue) {
      const meds = this.review(ctx, { ...intake, answers: { ...intake.answers, medications: [intake.answers.medications, before].filter(Boolean).join('. ') } }).findings.medications;
      const target = named[0]?.name ?? (meds.length === 1 ? meds[0]!.name : this.lastNamed(intake, meds));
      if (target && this.setDose(intake, target, dose[0], before)) {
        before = this.setDoseIn(before, target, dose[0]);
        this.send(ctx, MessageFactory.text(`${s.changed} ${this.summary(ctx, intake, 'medications', before)}`));
        return { rest: before };
      }
    }
    if (!cue) return undefined;
    // "Sorry, yes", "actually I also feel dizzy": the cue words go, the rest is the answer.
    return { rest: [before, body].filter(Boolean).join(' ') };
  }

  /** The drug "no wait, it was X" replaces when it names none. */
  private swapTarget(r: Review, name: string, p: Pending, before: string): string | undefined {
    const med = this.deps.triage.knowledge.medications.find((m) => m.id === name);
    const stored = [...new Set([...r.findings.medications.map((m) => m.name), ...this.namesIn(before)])].filter((id) => id !== name);
    const lookAlike = stored.find((id) => med?.confusableWith.includes(id)
      || this.deps.triage.knowledge.medications.find((m) => m.id === id)?.confusableWith.includes(name));
    if (lookAlike) return lookAlike;
    if ((p.kind === 'drug' || p.kind === 'drugName') && p.name !== name) return p.name;
    const kinds = new Set(med?.classes.filter((c) => SWAP_CLASSES.has(c)));
    const same = stored.filter((id) => this.deps.triage.knowledge.medications.find((m) => m.id === id)?.classes.some((c) => kinds.has(c)));
    return same.length === 1 ? same[0] : undefined;
  }

  private namesIn(text: string): string[] {
    if (!text) return [];
    return [...this.names].filter(([, re]) => { re.lastIndex = 0; return re.test(text); }).map(([id]) => id);
  }

  /** Replaces every name of medicine `old` in the stored answers (and the uncertain `mention` of it) with `by`. */
  private replaceDrug(intake: Intake, old: string, by: string, mention?: string): boolean {
    let done = false;
    for (const slot of SLOTS) {
      const before = intake.answers[slot];
      if (!before) continue;
      let after = this.replaceIn(before, old, by);
      if (mention) after = replaceWord(after, mention, by);
      if (after !== before) { intake.answers[slot] = cap(after); done = true; }
    }
    if (!done && mention) appendAnswer(intake, 'medications', by);
    return done;
  }

  private replaceIn(text: string, old: string, by: string): string {
    const re = this.names.get(old);
    if (!text || !re) return text;
    re.lastIndex = 0;
    return text.replace(re, by);
  }

  /** Sets the dose written after a medicine's name; false when the name is nowhere in the answers. */
  private setDose(intake: Intake, name: string, dose: string, alsoIn?: string): boolean {
    for (const slot of SLOTS) {
      const text = intake.answers[slot];
      if (!text) continue;
      const after = this.setDoseIn(text, name, dose);
      if (after !== text) {
        intake.answers[slot] = cap(after);
        return true;
      }
    }
    return Boolean(alsoIn && this.setDoseIn(alsoIn, name, dose) !== alsoIn);
  }

  private setDoseIn(text: string, name: string, dose: string): string {
    const re = this.names.get(name);
    if (!text || !re) return text;
    re.lastIndex = 0;
    const m = re.exec(text);
    if (!m) return text;
    const end = m.index + m[0].length;
    const tail = text.slice(end);
    const existing = /^\s*(\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|milligrams?|miligramos?|ml|g)(?![\p{L}]))/iu.exec(tail);
    return existing ? `${text.slice(0, end)} ${dose}${tail.slice(existing[0].length)}` : `${text.slice(0, end)} ${dose}${tail}`;
  }

  /** The medicine named last in the medicines answer. */
  private lastNamed(intake: Intake, meds: MedicationFinding[]): string | undefined {
    const text = intake.answers.medications ?? '';
    let best: { name: string; at: number } | undefined;
    for (const m of meds) {
      const re = this.names.get(m.name);
      if (!re) continue;
      re.lastIndex = 0;
      for (let hit = re.exec(text); hit; hit = re.exec(text)) if (!best || hit.index > best.at) best = { name: m.name, at: hit.index };
    }
    return best?.name;
  }

  /** Takes a change out of the answers: first only its change words, else the words the core read it from. */
  private dropChange(ctx: TurnContext, intake: Intake, medication: string, change: string): void {
    const s = this.text(ctx);
    const present = () => this.review(ctx, intake).findings.doseChanges.find((c) => c.medication === medication && c.change === change);
    const target = present();
    if (!target) return;
    const span = target.text;
    const words = CHANGE_WORDS[change];
    for (const strip of [
      (t: string) => (words ? replaceSpan(t, span, (x) => x.replace(words, ' ').replace(/\s+/g, ' ')) : t),
      (t: string) => replaceSpan(t, span, () => ''),
    ]) {
      for (const slot of SLOTS) if (intake.answers[slot]) intake.answers[slot] = strip(intake.answers[slot]!);
      if (!present()) break;
    }
    // A "when" answer stored as "stopped baclofen (2 days ago)" goes too.
    const phrase = `${DATED_CHANGES[change]} ${medication} (`;
    if (intake.answers.doseChanges?.includes(phrase)) intake.answers.doseChanges = intake.answers.doseChanges.split('. ').filter((x) => !x.startsWith(phrase)).join('. ');
    const label = [s.changeLabels[change] ?? change, medication].join(' ');
    this.send(ctx, MessageFactory.text(`${s.dropped.replace('{change}', label)} ${this.summary(ctx, intake, 'doseChanges')}`));
  }

  /** "I now have: ...", for the part of the answers a correction changed. */
  private summary(ctx: TurnContext, intake: Intake, part: 'medications' | 'doseChanges', pendingAnswer = ''): string {
    const s = this.text(ctx);
    // The answer given in the same message, before "no wait, ...", is not stored yet but is part of what the bot has.
    const seen = pendingAnswer ? { ...intake, answers: { ...intake.answers, medications: [intake.answers.medications, pendingAnswer].filter(Boolean).join('. ') } } : intake;
    const f = this.review(ctx, seen).findings;
    let list: string;
    if (part === 'medications') {
      const meds = f.medications.map((m) => {
        const dose = this.doseOf(seen, m.name);
        return dose ? `${this.drugName(m.name)} ${dose}` : this.drugName(m.name);
      });
      list = meds.length ? s.nowHaveMedicines.replace('{list}', meds.join(', ')) : s.noMedicines;
    } else {
      const changes = this.known(this.review(ctx, seen), 'doseChanges', s);
      list = changes.length ? s.nowHaveChanges.replace('{list}', changes.join(', ')) : s.noChanges;
    }
    return s.nowHave.replace('{list}', list);
  }

  private doseOf(intake: Intake, name: string): string | undefined {
    const re = this.names.get(name);
    if (!re) return undefined;
    for (const slot of SLOTS) {
      const text = intake.answers[slot];
      if (!text) continue;
      re.lastIndex = 0;
      const m = re.exec(text);
      const d = m && /^\s*(\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|milligrams?|miligramos?|ml|g))(?![\p{L}])/iu.exec(text.slice(m.index + m[0].length));
      if (d) return d[1]!.trim();
    }
    return undefined;
  }

  // ---- the first message ---------------------------------------------------------------------------------------

  /** What the message that opened the conversation already says is kept, so it is confirmed rather than asked again:
   * with the medicines (the widest reading, where changes count too), and with the symptoms when it names some. */
  private takeFirstMessage(ctx: TurnContext, intake: Intake, text: string): void {
    const slots = this.slotsIn(ctx, text);
    if (slots.includes('medications')) appendAnswer(intake, 'medications', text);
    else if (slots.includes('doseChanges')) appendAnswer(intake, 'doseChanges', text);
    if (slots.includes('symptoms')) appendAnswer(intake, 'symptoms', text);
    // Nothing the slots hold ("I don't drink, no pump"): kept as a free answer the core still reads.
    if (!slots.length) intake.followUps.other = cap(text, 500);
    intake.covered = [...new Set([...intake.covered, ...slots])];
  }
}

const keyOf = (a: Partial<Activity>) => (a.channelData as { triage?: { question?: string } } | undefined)?.triage?.question;

/** Replaces `word` (a drug as the person wrote it) wherever it stands alone. */
function replaceWord(text: string, word: string, by: string): string {
  const re = new RegExp(`(?<![\\p{L}\\p{N}])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'giu');
  return text.replace(re, by);
}

/** Applies `edit` to each case-insensitive occurrence of `span` in `text`. */
function replaceSpan(text: string, span: string, edit: (s: string) => string): string {
  if (!span) return text;
  const lower = text.toLowerCase();
  const needle = span.toLowerCase();
  let out = '';
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, from)) {
    out += text.slice(from, at) + edit(text.slice(at, at + span.length));
    from = at + span.length;
  }
  return (out + text.slice(from)).replace(/\s+([.,;])/g, '$1').trim();
}
