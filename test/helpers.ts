// Starts the real HTTP server on a random loopback port for tests.
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { createServer } from '../src/server/app.js';
import { createTriage, type Triage } from '../src/triage/index.js';

let shared: Triage | undefined;

export interface RunningServer {
  url: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}, triage?: Triage): Promise<RunningServer> {
  const config = loadConfig({ PORT: '0', ...env });
  const logger = createLogger({ logLevel: 'silent', logHealthData: false });
  const server = createServer({ config, logger, triage: triage ?? (shared ??= createTriage()) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    post: (path, body, headers = {}) => fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
