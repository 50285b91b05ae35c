// What the faces need of the bot: a turn, and what to do when a turn fails. The server hands them a stand-in that
// builds the real bot (and loads the Bot Framework SDK) on the first turn or just after the server starts listening.
import type { TurnContext } from 'botbuilder';

export interface Bot {
  run(ctx: TurnContext): Promise<void>;
  onTurnError: (ctx: TurnContext, err: Error) => Promise<void>;
}
