// What the conversation gets from the intake records: saving with consent (dialogs/consent.ts) and the withdrawal that
// "delete my data" does. A conversation's records are found again by a digest of its channel and conversation ids.
import type { TurnContext } from 'botbuilder';
import type { IntakeRecords } from '../../dialogs/consent.js';
import type { Logger } from '../log.js';
import type { Records } from './service.js';
import { isUnavailable } from '../storage/postgres/pool.js';
import { TurnUnavailable } from '../storage/turnUnavailable.js';

const withdrawn = {
  en: (refs: string) => `I also withdrew your intake record ${refs}: the intake staff now see only that it was withdrawn, none of your answers.`,
  es: (refs: string) => `También retiré su registro de admisión ${refs}: el personal de admisión solo ve que fue retirado, ninguna de sus respuestas.`,
};

/** The centre a conversation's record goes to: `channelData.centre` when it names a configured centre, else the first. */
function centreOf(records: Records, ctx: TurnContext): string {
  const asked = (ctx.activity.channelData as { centre?: unknown } | undefined)?.centre;
  return records.centre(typeof asked === 'string' ? asked : undefined) ?? records.config.centres[0]!.id;
}

export function conversationRecords(records: Records, logger: Logger): IntakeRecords {
  return {
    ttlDays: records.config.ttlDays,
    centreName: (ctx) => records.centreName(centreOf(records, ctx)),
    async save(ctx, { input, assessment, statement }) {
      try {
        return await records.saveFromConversation({
          channelId: ctx.activity.channelId,
          conversationId: ctx.activity.conversation.id,
          centre: centreOf(records, ctx),
          answers: {
            medications: input.medications ?? '', doseChanges: input.doseChanges ?? '', symptoms: input.symptoms ?? '',
            followUps: { ...(input.followUps ?? {}) } as Record<string, string>, now: input.now, locale: input.locale,
          },
          assessment,
          statement,
        });
      } catch (err) {
        logger.error({ component: 'records', errName: (err as Error).name, code: (err as { code?: string }).code }, 'intake record not saved');
        throw err;
      }
    },
  };
}

/**
 * "delete my data": withdraws the conversation's records; says which, in the person's language. A records database
 * that is away refuses the turn (503, Retry-After) rather than answer "deleted": the channel sends it again.
 */
export function recordsEraser(records: Records): (ctx: TurnContext, locale: string) => Promise<string[]> {
  return async (ctx, locale) => {
    const refs = await records.withdrawConversation(ctx.activity.channelId, ctx.activity.conversation.id).catch((err: unknown) => {
      if (!isUnavailable(err)) throw err;
      throw new TurnUnavailable('database', 5, (err as { code?: string }).code ?? (err as Error).name);
    });
    if (!refs.length) return [];
    return [withdrawn[locale.toLowerCase().startsWith('es') ? 'es' : 'en'](refs.join(', '))];
  };
}
