// Starts the real HTTP server on a random loopback port for tests.
import type { AddressInfo } from 'node:net';
import { mountChannels, type Channels } from '../src/channels/index.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { createServer } from '../src/server/app.js';
import { mountConversation } from '../src/server/conversationFace.js';
import { createTriage, type Triage } from '../src/triage/index.js';
import type { Pool } from '../src/storage/postgres/index.js';

let shared: Triage | undefined;

export interface RunningServer {
  url: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
  /** The conversation face (/api/messages): its bot and store. */
  conversation: ReturnType<typeof mountConversation>;
  /** The channel faces (local Direct Line, web chat page, Slack), when asked for with `{ channels: true }`. */
  channels?: Channels;
}

/** `opts.channels`: also mount the channel faces as `npm start` does, so tests can reach the bot through the local
 * Direct Line (tokens, /v3/directline/conversations) on the same server and store. */
export async function startServer(env: Record<string, string> = {}, triage?: Triage, opts: { channels?: boolean; pool?: Pool } = {}): Promise<RunningServer> {
  // Tests keep conversation state in memory unless they ask for SQLite.
  const config = loadConfig({ PORT: '0', STORAGE: 'memory', ...env });
  const logger = createLogger({ logLevel: 'silent', logHealthData: false });
  const core = triage ?? (shared ??= createTriage());
  let conversation!: ReturnType<typeof mountConversation>;
  let channels: Channels | undefined;
  const server = createServer({
    config, logger, triage: core,
    extraRoutes: (s) => {
      conversation = mountConversation(s, { config, logger, triage: core, pool: opts.pool });
      if (opts.channels) channels = mountChannels(s, { config, logger, triage: core, bot: conversation.bot });
    },
  });
  await conversation.storage.ready; // STORAGE=postgres: the shared secret loaded
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    post: (path, body, headers = {}) => fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
    conversation,
    channels,
    close: () => new Promise<void>((resolve) => {
      // The Direct Line bridge's keep-alive connections to this server's own /api/messages would hold close() open.
      if (channels) server.closeAllConnections?.();
      server.close(() => { conversation.storage.close?.(); resolve(); });
    }),
  };
}

/** Polls `fn` every 25 ms until it gives something other than undefined, null or false; fails after `ms` naming `what`. */
export async function waitFor<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}
