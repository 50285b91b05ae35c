// The ActivityHandler: safety gate first on every message, then commands, then the intake dialog; one turn at a time
// per conversation; state saved after each turn.
import { ActivityHandler, ActivityTypes, MessageFactory, TurnContext, type Activity, type Storage, type StatePropertyAccessor } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from '../../dialogs/sdk.js';
import {
  GATE_FIRED, RESET_EVENT, TRIAGE_DIALOG, TriageDialog, addAlert, emergencyNumber, emptyIntake, hasPage, inputText, linksPhones,
  phone, resultActivities, say, toAssessInput, turnClock, type BeginOptions, type Intake,
} from '../../dialogs/index.js';
import type { IntakeRecords } from '../../dialogs/consent.js';
import type { Logger } from '../log.js';
import type { Triage } from '../triage/index.js';
import { matchCommand, type Command } from './commands.js';
import { ConversationStore } from './conversationStore.js';
import { TurnQueue } from './turnQueue.js';
import { TurnUnavailable } from '../storage/turnUnavailable.js';

export interface BotDeps {
  triage: Triage;
  storage: Storage;
  defaultLocale: string;
  logger: Logger;
  /** Debug switch: let error messages (which may quote what a person typed) into the logs. */
  logHealthData?: boolean;
  /** "delete my data" in the other places a conversation lives (a channel's transcript); each sentence says what. */
  erase?: (ctx: TurnContext, locale: string) => Promise<string[]>;
  /** INTAKE_RECORDS=on: the intake dialog asks consent and saves the result as an intake record. */
  records?: IntakeRecords;
}

const SKIP_SAVE = Symbol('skipSave');
/** The event the web page sends once connected, with its locale (the local Direct Line's conversationUpdate has none). */
export const JOIN_EVENT = 'webchat/join';
/** botbuilder-dialogs' turn-state key for its memory-scope configuration (not exported by the SDK). */
const DIALOG_STATE_CONFIG = 'DialogStateManagerConfiguration';

export class TriageBot extends ActivityHandler {
  readonly conversationState: ConversationStore;
  private readonly intake: StatePropertyAccessor<Intake>;
  private readonly dialogs: DialogSet;
  private readonly triageDialog: TriageDialog;
  private readonly queue = new TurnQueue();
  /** The dialogs' memory scopes hold no turn data; the SDK rebuilds them every turn unless handed them. */
  private dialogStateConfig: unknown;

  constructor(private readonly deps: BotDeps) {
    super();
    this.conversationState = new ConversationStore(deps.storage);
    this.intake = this.conversationState.createProperty<Intake>('intake');
    this.triageDialog = new TriageDialog({ triage: deps.triage, intake: this.intake, defaultLocale: deps.defaultLocale, records: deps.records });
    this.dialogs = new DialogSet(this.conversationState.createProperty<DialogState>('dialog')).add(this.triageDialog);

    this.onMembersAdded(async (ctx, next) => {
      // Greet when the person joins (Web Chat, Emulator), not when the bot itself is added. A Direct Line join without
      // a locale waits for the page's join event, which carries it, so the greeting is in the person's language.
      const person = ctx.activity.membersAdded?.some((m) => m.id !== ctx.activity.recipient?.id);
      const waitForLocale = ctx.activity.channelId === 'directline' && !ctx.activity.locale;
      if (person && !waitForLocale && !this.isGroupChat(ctx)) await this.greetOnce(ctx);
      await next();
    });
    this.onEvent(async (ctx, next) => {
      if (ctx.activity.name === JOIN_EVENT && !this.isGroupChat(ctx)) await this.greetOnce(ctx);
      await next();
    });
  }

  /** The greeting and first question, unless this conversation already has them. */
  private async greetOnce(ctx: TurnContext): Promise<void> {
    const intake = await this.intake.get(ctx);
    if (intake?.greeted) return;
    await this.runDialog(ctx, undefined);
  }

  /** The locale the person's client sent last: a message without one (a card submit, some channels) keeps it. */
  private async rememberLocale(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    const value = a.value as { locale?: unknown } | undefined;
    if (!a.locale && typeof value?.locale === 'string' && /^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/i.test(value.locale)) a.locale = value.locale;
    const intake = await this.intake.get(ctx);
    if (a.locale) {
      if (intake && intake.locale !== a.locale) intake.locale = a.locale;
    } else if (intake?.locale) a.locale = intake.locale;
  }

  override async run(ctx: TurnContext): Promise<void> {
    const key = `${ctx.activity.channelId}/${ctx.activity.conversation?.id}`;
    // In this process the queue holds later turns of the conversation without a database connection each; across
    // instances (a shared store) the turn holds the conversation in the database.
    await this.queue.run(key, () => this.conversationState.inTurn(ctx, async () => {
      if (this.dialogStateConfig) ctx.turnState.set(DIALOG_STATE_CONFIG, this.dialogStateConfig);
      await this.rememberLocale(ctx);
      // Messages go straight to the handler: ActivityHandler's event chain has nothing else to run for them.
      if (ctx.activity.type === ActivityTypes.Message) await this.handleMessage(ctx);
      else await super.run(ctx);
      this.dialogStateConfig ??= ctx.turnState.get(DIALOG_STATE_CONFIG);
      if (!ctx.turnState.get(SKIP_SAVE)) await this.conversationState.saveChanges(ctx);
    }));
  }

  /** For the adapter: apologise and log, but keep the stored state (the failed turn's changes are simply not saved). */
  readonly onTurnError = async (ctx: TurnContext, err: Error): Promise<void> => {
    if (err instanceof TurnUnavailable) return this.refuseTurn(ctx, err);
    const safe = this.deps.logHealthData ? { err } : { errName: err?.name, stack: err?.stack?.split('\n').slice(1, 6).join('\n') };
    this.deps.logger.error({ ...safe, channelId: ctx.activity.channelId, activityType: ctx.activity.type }, 'turn failed');
    const { locale } = turnClock(ctx.activity, this.deps.defaultLocale);
    try {
      await ctx.sendActivity(say(locale, 'error', { emergency: phone(emergencyNumber(this.deps.triage, locale), linksPhones(ctx.activity.channelId)) }));
    } catch (sendErr) {
      this.deps.logger.warn({ errName: (sendErr as Error)?.name }, 'could not send the apology');
    }
  };

  /**
   * The turn could not be kept (database silent, conversation busy on another instance): the channel is answered 503
   * and sends it again. The message is still read for red flags (on its own: the stored answers are out of reach), and
   * the person is told to send it again and, in an emergency, to call now. Rethrown for the adapter's 503.
   */
  private async refuseTurn(ctx: TurnContext, err: TurnUnavailable): Promise<never> {
    this.deps.logger.warn({ reason: err.reason, code: err.code, channelId: ctx.activity.channelId }, 'turn refused for now');
    const clock = turnClock(ctx.activity, this.deps.defaultLocale);
    const text = ctx.activity.type === ActivityTypes.Message ? inputText(ctx.activity) : '';
    const flags = text ? this.deps.triage.emergencies({ symptoms: text, ...clock }) : [];
    const emergency = phone(emergencyNumber(this.deps.triage, clock.locale), linksPhones(ctx.activity.channelId));
    const replies: Partial<Activity>[] = [
      ...(flags.length ? resultActivities(this.deps.triage.assess({ symptoms: text, ...clock }), ctx.activity.channelId, say(clock.locale, 'emergencyLead')) : []),
      MessageFactory.text(say(clock.locale, 'unavailable', { emergency })),
    ];
    try {
      await ctx.sendActivities(replies);
    } catch (sendErr) {
      this.deps.logger.warn({ errName: (sendErr as Error)?.name }, 'could not tell the person to send it again');
    }
    if (ctx.activity.deliveryMode === 'expectReplies') err.replies = replies;
    throw err;
  }

  private isGroupChat(ctx: TurnContext): boolean {
    const type = ctx.activity.conversation?.conversationType;
    return ctx.activity.channelId === 'msteams' && Boolean(type) && type !== 'personal';
  }

  private async handleMessage(ctx: TurnContext): Promise<void> {
    const activity = ctx.activity;
    if (activity.channelId === 'msteams') TurnContext.removeRecipientMention(activity);
    const text = inputText(activity);
    // A card submit carries its answer in `value`; the prompts then read it like typed text.
    if (text && !activity.text?.trim()) activity.text = text;
    const clock = turnClock(activity, this.deps.defaultLocale);

    const alerts = text ? await this.safetyGate(ctx, text) : [];
    if (this.isGroupChat(ctx)) {
      await ctx.sendActivity(say(clock.locale, 'personalOnly'));
      return;
    }
    const command = matchCommand(text);
    if (command) await this.runCommand(ctx, command);
    else await this.runDialog(ctx, text);
    // Stored after the dialog, so a check that begins with this very message keeps it too.
    if (alerts.length) {
      const intake = await this.intake.get(ctx, emptyIntake());
      for (const e of alerts) addAlert(intake, e);
    }
  }

  /**
   * A red flag in this message, whatever was asked: emergency guidance and the result event now, before any dialog.
   * The single message decides (what it says on its own that the core rates emergency; patterns that need the whole
   * picture are left to the result, where they cannot raise false alarms); the event carries the assessment of
   * everything collected plus this message.
   */
  private async safetyGate(ctx: TurnContext, text: string): Promise<string[]> {
    const clock = turnClock(ctx.activity, this.deps.defaultLocale);
    const flags = this.deps.triage.emergencies({ symptoms: text, ...clock });
    if (!flags.length) return [];
    const input = toAssessInput(await this.intake.get(ctx, emptyIntake()), clock);
    const full = this.deps.triage.assess({ ...input, symptoms: [input.symptoms, text].filter(Boolean).join('. ') });
    const assessment = full.level === 'emergency' ? full : this.deps.triage.assess({ symptoms: text, ...clock });
    await ctx.sendActivities(resultActivities(assessment, ctx.activity.channelId, say(clock.locale, 'emergencyLead')));
    // The dialog, which runs next, says the person may carry on before its next question, and sends no second result.
    ctx.turnState.set(GATE_FIRED, true);
    // The message itself is kept (not only the words that fired): the result reads it again as the gate did.
    return [text];
  }

  private async runDialog(ctx: TurnContext, text: string | undefined): Promise<void> {
    const dc = await this.dialogs.createContext(ctx);
    const active = dc.activeDialog;
    if (active?.id === TRIAGE_DIALOG && active.version && active.version !== this.triageDialog.stepsVersion) {
      // Saved by an earlier build whose steps may no longer exist: start the intake again over the kept answers,
      // reading this message as a first one. What was already said is confirmed, not lost.
      this.deps.logger.warn('conversation saved by another version of the intake: restarting its steps');
      await dc.cancelAllDialogs();
      await dc.beginDialog(TRIAGE_DIALOG, { firstText: text, resume: true } satisfies BeginOptions);
      return;
    }
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) {
      await dc.beginDialog(TRIAGE_DIALOG, { firstText: text, fresh: true } satisfies BeginOptions);
    }
  }

  private async runCommand(ctx: TurnContext, command: Command): Promise<void> {
    const { locale } = turnClock(ctx.activity, this.deps.defaultLocale);
    const emergency = phone(emergencyNumber(this.deps.triage, locale), linksPhones(ctx.activity.channelId));
    const dc = await this.dialogs.createContext(ctx);
    switch (command) {
      case 'help':
        await ctx.sendActivity(say(locale, 'help', { emergency }));
        if (dc.activeDialog) await dc.repromptDialog();
        return;
      case 'start over':
        await dc.cancelAllDialogs();
        await dc.beginDialog(TRIAGE_DIALOG, { fresh: true } satisfies BeginOptions);
        return;
      case 'cancel': {
        const greeted = (await this.intake.get(ctx, emptyIntake())).greeted;
        await dc.cancelAllDialogs();
        await this.intake.set(ctx, emptyIntake(greeted, locale));
        await ctx.sendActivity(say(locale, 'cancelled', { emergency }));
        return;
      }
      case 'delete my data': {
        await this.conversationState.delete(ctx);
        // Saving now would write an empty record back; there must be nothing left.
        ctx.turnState.set(SKIP_SAVE, true);
        const also = (await this.deps.erase?.(ctx, locale)) ?? [];
        await ctx.sendActivities([
          MessageFactory.text([say(locale, 'deleted'), ...also].join(' ')),
          // The page takes down its call-now panel: nothing of this check is left.
          ...(hasPage(ctx.activity.channelId) ? [{ type: ActivityTypes.Event, name: RESET_EVENT }] : []),
        ]);
        return;
      }
    }
  }
}
