// Process entry point: config → logger → triage core → faces → listen. Wiring only.
import type { Server } from 'restify';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { captureConsole, createLogDestination, createLogger } from '../log.js';
import { StorageError } from '../storage/index.js';
import { createTriage, KnowledgeError, type Triage } from '../triage/index.js';
import { mountChannels } from '../channels/index.js';
import { createServer } from './app.js';
import { mountConversation, type ConversationFace } from './conversationFace.js';
import { RecordsStorageError, startRecords, type Records } from '../records/index.js';
import { mountRecordsFaces, type RecordsFaces } from './records.js';
import type { ConversationStorage } from '../storage/index.js';
import type { Pool } from '../storage/postgres/pool.js';
import { DatabaseStartError, START_WAIT_MS, openDatabase } from './database.js';

/** How long after listening the bot is built in the background: long enough for a readiness check that was waiting
 * for the port to be answered first (building blocks the event loop for about a tenth of a second). */
const BUILD_BOT_AFTER_MS = 50;

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

let listening!: () => void;
/** Resolves once the server listens: the build runs a start to here to record the code a start compiles (start.ts). */
export const started = new Promise<void>((resolve) => { listening = resolve; });

async function main(): Promise<void> {
  const { config, triage } = boot();
  // Asynchronous, bounded: a full disk under the log drops lines instead of hanging the process.
  const destination = createLogDestination();
  const logger = createLogger(config, destination.stream);
  captureConsole(logger, config.logHealthData);

  // STORAGE=postgres: one pool for every store of this instance, the schema migrated before listening.
  let pool: Pool | undefined;
  if (config.postgres) {
    try {
      pool = await openDatabase(config.postgres, START_WAIT_MS, (code) => logger.warn({ code }, 'waiting for the database'));
    } catch (err) {
      if (!(err instanceof DatabaseStartError)) throw err;
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
  }

  // Intake records (INTAKE_RECORDS=on): records file beside SQLITE_PATH (or PostgreSQL), staff faces, alert worker.
  let records: Records | undefined;
  let recordsFaces: RecordsFaces | undefined;
  let conversation: ConversationFace | undefined;
  let server: Server;
  let storage: ConversationStorage | undefined;
  try {
    records = startRecords(config, logger, { pool });
    server = createServer({
      config,
      logger,
      triage,
      records,
      // Further faces (/api/messages, web chat, channels) mount here.
      extraRoutes: (s) => {
        conversation = mountConversation(s, { config, logger, triage, records, pool });
        storage = conversation.storage;
        mountChannels(s, { config, logger, triage, bot: conversation.bot, pool }); // web chat page + local Direct Line, Slack
        if (records) recordsFaces = mountRecordsFaces(s, { records, logger }); // /staff, /api/records, /api/audit
      },
    });
  } catch (err) {
    if (!(err instanceof StorageError) && !(err instanceof RecordsStorageError)) throw err;
    process.stderr.write(`${err.message}\n`); // one line, no stack: the operator's fix is in it
    process.exit(1);
  }

  // A shared store serves once it has what every instance shares (its secret): a failure here is the database's.
  try {
    await storage?.ready;
  } catch (err) {
    process.stderr.write(`DATABASE_URL: the conversation store could not start (${(err as { code?: string }).code ?? (err as Error).name})\n`);
    process.exit(1);
  }

  server.on('error', (err: Error & { code?: string }) => {
    process.stderr.write(`server error: ${err.code ?? err.name}: ${err.message}\n`); // the log may be buffered
    logger.fatal({ err }, 'server error');
    process.exit(1);
  });
  // Loopback unless HOST says otherwise (or Bot Framework auth is on): see config.ts.
  server.listen(config.port, config.host, () => {
    logger.info({
      port: (server.address() as { port: number }).port,
      host: config.host ?? 'all interfaces',
      botFrameworkAuth: Boolean(config.botFramework.MicrosoftAppId),
      intakeApiKey: Boolean(config.intakeApiKey),
      intakeRecords: Boolean(records),
      knowledgeVersion: triage.knowledgeVersion,
      // False after an edit to knowledge/ without npm run knowledge:index: the start read the files themselves (slower).
      knowledgeFromCompiledFile: triage.knowledgeFromCompiledFile,
    }, 'listening');
    // The bot and the Bot Framework SDK are built in the background, so the first person does not wait for them; a turn
    // that comes sooner builds them itself (and waits for that once).
    setTimeout(() => {
      conversation?.built().catch((err: Error) => logger.error({ errName: err.name, message: err.message }, 'the bot could not be built'));
    }, BUILD_BOT_AFTER_MS).unref();
    prepareBetweenRequests(triage);
    listening();
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      recordsFaces?.close(); // live feeds would hold the close open
      // The records file closes after the last request (checkpointed, nothing left in its WAL).
      shutdown(server, signal, logger, async () => {
        await records?.close();
        storage?.close?.();
        await pool?.end();
      });
    });
  }
}

/** The core's after-start work (its typo look-up), a slice of a few milliseconds at a time with requests served
 * between slices, so that no one waits for all of it at once. */
function prepareBetweenRequests(triage: Triage): void {
  const step = () => {
    if (!triage.prepare()) setImmediate(step).unref();
  };
  setImmediate(step).unref();
}

function shutdown(server: Server, signal: string, logger: ReturnType<typeof createLogger>, closed?: () => Promise<void> | undefined): void {
  logger.info({ signal }, 'shutting down');
  // Stop accepting connections, let in-flight requests finish, but never hang a deploy.
  setTimeout(() => process.exit(1), 10_000).unref();
  server.close(() => void Promise.resolve(closed?.()).finally(() => process.exit(0)));
  // Idle keep-alive connections would hold the close open until the deadline.
  (server.server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
}

main().catch((err: Error) => {
  process.stderr.write(`start failed: ${err.message}\n`); // e.g. the database unreachable or newer than this release
  process.exit(1);
});
