export { TriageBot, type BotDeps } from './triageBot.js';
export { TurnQueue } from './turnQueue.js';
export { LocalAdapter, localIsoNow, type Outbound } from './localAdapter.js';
export { matchCommand, type Command } from './commands.js';
export type { Bot } from './bot.js';
