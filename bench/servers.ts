// The servers the turn benchmark compares, each started in its own process: `node --import tsx bench/servers.ts <kind>`.
// bare: restify JSON echo (the machine's limit); minimal: the SDK's floor (3 text prompts, MemoryStorage);
// triage: the real bot on its durable store (SQLite, or PostgreSQL with STORAGE=postgres and DATABASE_URL). Prints the
// port on stdout.
import type { AddressInfo } from 'node:net';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConversationState, MemoryStorage } from 'botbuilder';
import { ComponentDialog, DialogSet, DialogTurnStatus, TextPrompt, WaterfallDialog, type DialogState } from 'botbuilder-dialogs';
import * as restify from 'restify';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { createServer } from '../src/server/app.js';
import { mountConversation } from '../src/server/conversationFace.js';
import { createTriage } from '../src/triage/index.js';
import { openDatabase } from '../src/server/database.js';
import { roundTrips, type Pool } from '../src/storage/postgres/index.js';

function bare(): restify.Server {
  const server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  server.post('/api/messages', (req, res, next) => { res.send(200, { ok: true, conv: req.body?.conversation?.id }); next(); });
  return server;
}

function minimal(): restify.Server {
  const state = new ConversationState(new MemoryStorage());
  const dialogs = new DialogSet(state.createProperty<DialogState>('dialog'));
  const root = new ComponentDialog('root');
  root.addDialog(new TextPrompt('text')).addDialog(new WaterfallDialog('w', [
    (s) => s.prompt('text', 'First?'), (s) => s.prompt('text', 'Second?'), (s) => s.prompt('text', 'Third?'),
    async (s) => { await s.context.sendActivity('Done'); return s.endDialog(); },
  ]));
  dialogs.add(root);
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, async (ctx) => {
      const dc = await dialogs.createContext(ctx);
      if ((await dc.continueDialog()).status === DialogTurnStatus.empty) await dc.beginDialog('root');
      await state.saveChanges(ctx);
    });
  });
  return server;
}

/** STORAGE=postgres (DATABASE_URL): the instance's pool as main.ts opens it, its round trips counted. */
let pool: Pool | undefined;

/** Built before it listens (as npm start builds it just after): its memory figures then start with the SDK loaded. */
async function triage(): Promise<restify.Server> {
  const config = loadConfig({
    PORT: '0', STORAGE: process.env.STORAGE ?? 'sqlite', SQLITE_PATH: process.env.SQLITE_PATH ?? './data/bench.sqlite',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  });
  const logger = createLogger({ logLevel: 'error', logHealthData: false });
  const core = createTriage();
  while (!core.prepare()); // what npm start builds between its first requests
  if (config.postgres) pool = await openDatabase(config.postgres);
  let face: ReturnType<typeof mountConversation> | undefined;
  const server = createServer({ config, logger, triage: core, extraRoutes: (s) => { face = mountConversation(s, { config, logger, triage: core, pool }); } });
  await face?.storage.ready;
  await face?.built();
  return server;
}

async function main(): Promise<void> {
  const kind = process.argv[2] as 'bare' | 'minimal' | 'triage';
  const server = kind === 'triage' ? await triage() : { bare, minimal }[kind]();
  server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
}

void main();
// The benchmark asks for memory figures after a full collection (started with --expose-gc and an IPC channel), for
// database round trips, and for the CPU time used so far around each measured run.
process.on('message', (m) => {
  if (m === 'roundTrips') process.send?.({ roundTrips: pool ? roundTrips(pool) : 0 });
  if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  if (m !== 'memory') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.(process.memoryUsage());
});
// Exit normally on a signal, so --cpu-prof can write its profile.
for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => process.exit(0));
