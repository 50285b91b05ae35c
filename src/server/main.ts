// Process entry point: config → logger → triage core → faces → listen. Wiring only.
import type { Server } from 'restify';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createLogger } from '../log.js';
import { createTriage, KnowledgeError, type Triage } from '../triage/index.js';
import { mountChannels } from '../channels/index.js';
import { createServer } from './app.js';
import { mountConversation } from './messages.js';
import { RecordsStorageError, startRecords, type Records } from '../records/index.js';
import { mountRecordsFaces, type RecordsFaces } from './records.js';

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
  // Intake records (INTAKE_RECORDS=on): records file beside SQLITE_PATH, staff faces, alert worker.
  let records: Records | undefined;
  let recordsFaces: RecordsFaces | undefined;
  try {
    records = startRecords(config, logger);
  } catch (err) {
    if (!(err instanceof RecordsStorageError)) throw err;
    console.error(err.message);
    process.exit(1);
  }

  const server = createServer({
    config,
    logger,
    triage,
    records,
    // Further faces (/api/messages, web chat, channels) mount here.
    extraRoutes: (s) => {
      const { bot } = mountConversation(s, { config, logger, triage, records });
      mountChannels(s, { config, logger, triage, bot }); // web chat page + local Direct Line, Slack
      if (records) recordsFaces = mountRecordsFaces(s, { records, logger }); // /staff, /api/records, /api/audit
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

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      recordsFaces?.close(); // live feeds would hold the close open
      // The records file closes after the last request (checkpointed, nothing left in its WAL).
      shutdown(server, signal, logger, () => records?.close());
    });
  }
}

function shutdown(server: Server, signal: string, logger: ReturnType<typeof createLogger>, closed?: () => Promise<void> | undefined): void {
  logger.info({ signal }, 'shutting down');
  // Stop accepting connections, let in-flight requests finish, but never hang a deploy.
  setTimeout(() => process.exit(1), 10_000).unref();
  server.close(() => void Promise.resolve(closed?.()).finally(() => process.exit(0)));
}

main();
