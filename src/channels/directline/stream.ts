// Direct Line streaming: a client with websockets on opens the conversation's stream URL and is sent each new page
// of activities ({ activities, watermark }) as it is appended, by this instance or, with a shared store, any other.
// A stream is woken by its store (an in-process event, or PostgreSQL's NOTIFY) and also looks every few seconds,
// so a lost notification only delays. Work per stream is bounded: one read at a time, wakes during a read fold into
// one more read, and a client that does not keep up is disconnected (it reconnects from its watermark).
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type * as restify from 'restify';
import WebSocket from 'ws';
import type { Logger } from '../../log.js';
import { isUnavailable } from '../../storage/postgres/pool.js';
import type { ConversationRef, DirectLineStore } from './store.js';

const STREAM_PATH = /^\/v3\/directline\/conversations\/([^/]+)\/stream$/;
/** How often a stream looks for activities without being woken, checks its conversation still exists, and pings. */
export const STREAM_TICK_MS = 5_000;
/** Unsent bytes a slow client may leave queued before its stream is closed. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface StreamDeps {
  store: DirectLineStore;
  logger: Logger;
  bearer: (req: { headers: Record<string, string | string[] | undefined> }) => string | undefined;
  tickMs?: number;
}

/** The stream URL Direct Line hands out with a conversation: same host as the request, token in the query (a browser's
 * WebSocket cannot send headers). */
export function streamUrl(req: restify.Request, conversationId: string, token: string, watermark?: string): string {
  const secure = (req.connection as { encrypted?: boolean } | undefined)?.encrypted || req.header('x-forwarded-proto') === 'https';
  const url = new URL(`${secure ? 'wss' : 'ws'}://${req.header('host') || 'localhost'}`);
  url.pathname = `/v3/directline/conversations/${encodeURIComponent(conversationId)}/stream`;
  url.searchParams.set('t', token);
  if (watermark) url.searchParams.set('watermark', watermark);
  return url.toString();
}

export function mountStreams(server: restify.Server, deps: StreamDeps): void {
  // Clients send nothing on a Direct Line stream; anything bigger than a ping is not a client of ours.
  const sockets = new WebSocket.Server({ noServer: true, maxPayload: 1024 });
  server.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    void upgrade(req, socket, head);
  });
  server.server.on('close', () => {
    for (const ws of sockets.clients) ws.terminate();
  });

  async function upgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', () => undefined); // a client that goes away mid-handshake is no concern of the process
    const url = new URL(req.url ?? '/', 'http://local');
    const path = STREAM_PATH.exec(url.pathname);
    if (!path) return refuse(socket, 404, 'Not Found');
    let conversation: ConversationRef | undefined;
    try {
      conversation = await deps.store.byToken(url.searchParams.get('t') ?? deps.bearer(req));
    } catch (err) {
      deps.logger.warn({ errName: (err as Error).name }, 'stream refused: store unavailable');
      return refuse(socket, isUnavailable(err) ? 503 : 500, isUnavailable(err) ? 'Service Unavailable' : 'Internal Server Error');
    }
    if (!conversation || conversation.id !== decodeURIComponent(path[1]!)) return refuse(socket, 403, 'Forbidden');
    const start = conversation;
    sockets.handleUpgrade(req, socket, head, (ws) => stream(ws, start, url.searchParams.get('watermark') ?? undefined));
  }

  function stream(ws: WebSocket, conversation: ConversationRef, from: string | undefined): void {
    let watermark = from;
    let reading = false;
    let again = false;
    let open = true;
    let alive = true;
    const read = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          const page = await deps.store.since(conversation, watermark);
          if (!open) return;
          if (page.activities.length) {
            if (ws.bufferedAmount > MAX_BUFFERED_BYTES) return ws.terminate();
            ws.send(JSON.stringify(page));
          }
          watermark = page.watermark;
        } while (again && open);
      } catch {
        // The store is unreachable: the next wake or tick reads again from the same watermark.
      } finally {
        reading = false;
      }
    };
    const unwatch = deps.store.watch(conversation.id, () => void read());
    const tick = setInterval(() => void (async () => {
      if (!alive) return ws.terminate(); // no pong since the last tick
      alive = false;
      ws.ping();
      const still = await Promise.resolve(deps.store.get(conversation.id)).catch(() => conversation);
      if (!still) ws.close(1000, 'conversation ended');
      else void read();
    })(), deps.tickMs ?? STREAM_TICK_MS);
    ws.on('pong', () => { alive = true; });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      open = false;
      unwatch();
      clearInterval(tick);
    });
    void read(); // whatever came after the client's watermark
  }
}

function refuse(socket: Socket, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
