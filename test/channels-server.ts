// The whole server as `npm start` wires it (/api/messages plus the channel faces), on a random loopback port; with a
// pool, its local Direct Line lives in PostgreSQL as with STORAGE=postgres.
import type { AddressInfo } from 'node:net';
import { mountChannels, type Channels } from '../src/channels/index.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import type { Pool } from '../src/storage/postgres/index.js';
import { createServer } from '../src/server/app.js';
import { mountConversation } from '../src/server/conversationFace.js';
import { createTriage, type Triage } from '../src/triage/index.js';

let shared: Triage | undefined;

export interface ChannelsServer {
  url: string;
  channels: Channels;
  close(): Promise<void>;
}

export async function startChannelsServer(env: Record<string, string> = {}, opts: { azureDirectLineDomain?: string; pool?: Pool } = {}): Promise<ChannelsServer> {
  const config = loadConfig({ PORT: '0', STORAGE: 'memory', ...env });
  const logger = createLogger({ logLevel: 'silent', logHealthData: false });
  const triage = (shared ??= createTriage());
  let channels!: Channels;
  let conversation!: ReturnType<typeof mountConversation>;
  const server = createServer({
    config, logger, triage,
    extraRoutes: (s) => {
      conversation = mountConversation(s, { config, logger, triage });
      channels = mountChannels(s, { config, logger, triage, bot: conversation.bot, azureDirectLineDomain: opts.azureDirectLineDomain, pool: opts.pool });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    channels,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => {
        conversation.storage.close?.();
        void Promise.resolve(channels.directLine?.close?.()).then(() => resolve());
      });
    }),
  };
}
