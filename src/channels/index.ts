// Mounts the channel faces next to /api/messages: the web chat page with its Direct Line, and Slack.
// Teams needs no route of its own: Azure Bot Service delivers its activities to /api/messages.
import type { AddressInfo } from 'node:net';
import type * as restify from 'restify';
import { emergencyNumber } from '../../dialogs/contacts.js';
import { say } from '../../dialogs/strings.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Pool } from '../storage/postgres/pool.js';
import { clientAddress, RateLimiter } from '../server/limits.js';
import type { Triage } from '../triage/index.js';
import { mountDirectLine, PostgresConversationStore, type DirectLineStore } from './directline/index.js';
import type { Bot } from '../bot/bot.js';
import { mountSlack } from './slack/routes.js';
import { mountWebChat } from './webchat/routes.js';

export interface ChannelDeps {
  config: Config;
  logger: Logger;
  triage: Triage;
  bot: Bot;
  /** Tests point the Azure Direct Line exchange at a loopback stand-in. */
  azureDirectLineDomain?: string;
  /** STORAGE=postgres: the instance's pool; the local Direct Line is then shared by every instance. */
  pool?: Pool;
}

export interface Channels {
  directLine?: DirectLineStore;
  /** Resolves when every Slack reply started so far has been posted. */
  slackDone: () => Promise<void>;
}

export function mountChannels(server: restify.Server, deps: ChannelDeps): Channels {
  const { config, logger, triage } = deps;
  const { limits } = config;
  // New conversations (tokens) per client address, shared by the page's token route and Direct Line's own.
  const tokens = new RateLimiter(limits.conversationsPerMinute);
  const tokenLimit = (req: restify.Request) => tokens.take(clientAddress(req, config.trustProxy));
  // The local Direct Line reaches the bot through /api/messages with this process's secret, so it exists only for
  // local use (no MicrosoftAppId) and only when Azure's Direct Line is not configured.
  const storeLimits = { conversations: limits.openConversations, activities: limits.conversationActivities, bytes: limits.conversationBytes };
  const local = !config.directLineSecret && !config.botFramework.MicrosoftAppId
    ? mountDirectLine(server, {
      logger, selfUrl: () => selfUrl(server), tokenLimit, answerChars: limits.answerChars, eventValueBytes: limits.eventValueBytes,
      limits: storeLimits, store: deps.pool ? new PostgresConversationStore(deps.pool, storeLimits) : undefined,
    })
    : undefined;
  mountWebChat(server, {
    logger,
    defaultLocale: config.defaultLocale,
    emergencyNumber: (locale) => emergencyNumber(triage, locale),
    local,
    azure: config.directLineSecret ? { secret: config.directLineSecret, domain: deps.azureDirectLineDomain } : undefined,
    frameAncestors: config.frameAncestors,
    tokenLimit,
  });
  const slack = mountSlack(server, {
    logger,
    bot: deps.bot,
    signingSecret: config.slack.signingSecret,
    botToken: config.slack.botToken,
    apiUrl: config.slack.apiUrl,
    locale: config.defaultLocale,
    personalOnly: (locale) => say(locale, 'personalOnly'),
    answerChars: limits.answerChars,
    concurrency: limits.slackConcurrency,
    emergencyNumber: emergencyNumber(triage, config.defaultLocale),
  });
  return { directLine: local, slackDone: slack.done };
}

/** This server over loopback (it may listen on all interfaces): where the local Direct Line reaches /api/messages. */
function selfUrl(server: restify.Server): string {
  const addr = server.address() as AddressInfo | null;
  if (!addr) throw new Error('the server is not listening yet');
  const host = addr.address === '::1' ? '[::1]' : addr.address.startsWith('127.') ? addr.address : '127.0.0.1';
  return `http://${host}:${addr.port}`;
}
