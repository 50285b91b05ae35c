// Web Chat's own Direct Line client (botframework-directlinejs) in Node. It was written for browsers: its HTTP goes
// through rxjs' XMLHttpRequest-based ajax and it names a global WebSocket, neither of which Node 20 has. So the ajax
// service is backed by fetch and WebSocket is a stub (polling only); the protocol logic is the library's own.
import { DirectLine } from 'botframework-directlinejs';
import { Observable } from 'rxjs/Observable';

interface AjaxRequest { url: string; method?: string; headers?: Record<string, string>; body?: unknown; timeout?: number }

function fetchAjax(req: AjaxRequest) {
  return Observable.create((observer: { next(v: unknown): void; error(e: unknown): void; complete(): void }) => {
    const body = req.body === undefined || typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    fetch(req.url, { method: req.method ?? 'GET', headers: req.headers, body: body as string | undefined })
      .then(async (r) => {
        const text = await r.text();
        const response = text ? JSON.parse(text) : null;
        if (r.ok) {
          observer.next({ status: r.status, response });
          observer.complete();
        } else observer.error({ status: r.status, response });
      })
      .catch((err) => observer.error({ status: 0, message: String(err) }));
  });
}

class NoWebSocket {
  constructor() { throw new Error('websockets are off in this test'); }
}

export function nodeDirectLine(options: { domain: string; token: string; pollingInterval?: number }): DirectLine {
  return new DirectLine({ ...options, webSocket: false, ajax: fetchAjax, WebSocket: NoWebSocket } as unknown as ConstructorParameters<typeof DirectLine>[0]);
}
