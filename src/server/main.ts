// Process entry point: config → logger → triage core → faces → listen. Wiring only.
import type { Server } from 'restify';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createLogger } from '../log.js';
import { createTriage, KnowledgeError, type Triage } from '../triage/index.js';
import { mountChannels } from '../channels/index.js';
import { createServer } from './app.js';
import { mountConversation } from './messages.js';

/** Loads what the server needs; a bad setting or knowledge file stops the start with its message. */
function boot(): { config: Config; triage: Triage } {
  try {
    const config = loadConfig();
    return { config, triage: createTriage() };
  } catch (err) {
    if (err instanceof ConfigError || err instanceof KnowledgeError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

function main(): void {
  const { config, triage } = boot();
  const logger = createLogger(config);

  const server = createServer({
    config,
    logger,
    triage,
    // Further faces (/api/messages, web chat, channels) mount here.
    extraRoutes: (s) => {
      const { bot } = mountConversation(s, { config, logger, triage });
      mountChannels(s, { config, logger, triage, bot }); // web chat page + local Direct Line, Slack
    },
  });

  server.on('error', (err: Error) => {
    logger.fatal({ err }, 'server error');
    process.exit(1);
  });
  server.listen(config.port, () => {
    logger.info({
      port: (server.address() as { port: number }).port,
      botFrameworkAuth: Boolean(config.botFramework.MicrosoftAppId),
      intakeApiKey: Boolean(config.intakeApiKey),
      knowledgeVersion: triage.knowledgeVersion,
    }, 'listening');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => shutdown(server, signal, logger));
}

function shutdown(server: Server, signal: string, logger: ReturnType<typeof createLogger>): void {
  logger.info({ signal }, 'shutting down');
  // Stop accepting connections, let in-flight requests finish, but never hang a deploy.
  setTimeout(() => process.exit(1), 10_000).unref();
  server.close(() => process.exit(0));
}

main();
