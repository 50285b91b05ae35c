// HTTP faces: wiring only, no clinical logic. Contract: DESIGN.md "HTTP faces".
import { createHash, timingSafeEqual } from 'node:crypto';
import * as restify from 'restify';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Triage } from '../triage/index.js';
import { parseAssessRequest } from './assessRequest.js';
import type { Records } from '../records/service.js';
import { saveAssessRecord, splitRecordFields } from './recordsAssess.js';
import { Gate, refuse } from './limits.js';
import { isUnavailable } from '../storage/postgres/pool.js';
import { shared } from './shared.js';

export const MAX_BODY_BYTES = 64 * 1024;
/** The bot's replies to the local Direct Line carry whole assessments (evidence, sources): a larger cap there. */
export const BOT_BODY_BYTES = 256 * 1024;
const BOT_ROUTES = '/v3/conversations/';

export interface ServerDeps {
  config: Config;
  logger: Logger;
  triage: Triage;
  /** Mounts further faces (e.g. /api/messages) on the same server before it listens. */
  extraRoutes?: (server: restify.Server) => void;
  /** INTAKE_RECORDS=on: /api/assess may save its assessment as an intake record ("record": true). */
  records?: Records;
}

export function createServer({ config, logger, triage, extraRoutes, records }: ServerDeps): restify.Server {
  const server = restify.createServer({
    name: 'triage-bot',
    // restify's own request logs go through our redacting logger.
    log: logger.child({ component: 'restify' }) as unknown as restify.ServerOptions['log'],
    // No domains (a Node domain per request cost ~25 % of a turn): async handlers' rejections reach restifyError
    // through restify's chain, and guardHandlers turns a synchronous throw in a callback handler into next(err).
    handleUncaughtExceptions: false,
  });
  guardHandlers(server);
  // Before routing, so it holds for every route, known or not: no multipart (restify would spool it to /tmp), no
  // body larger than the route's cap.
  server.pre(refuseBodies);

  const checks = shared(server).healthChecks;
  server.get('/healthz', (_req, res, next) => {
    // A load balancer takes the instance out while a component (storage) fails; the body names only the error code.
    const problems = checks.map((check) => check()).filter(Boolean);
    if (problems.length) {
      res.header('Retry-After', '10');
      res.send(503, { status: 'unhealthy', problems, knowledgeVersion: triage.knowledgeVersion });
    } else {
      res.send(200, { status: 'ok', knowledgeVersion: triage.knowledgeVersion });
    }
    return next();
  });
  // For load balancers: this instance can serve a turn now (the knowledge is loaded before the server listens; the
  // database, with STORAGE=postgres, answers; storage writes succeed). Nothing else: no version, no details.
  server.get('/readyz', (_req, res, next) => {
    const ready = checks.every((check) => !check());
    if (!ready) res.header('Retry-After', '5');
    res.send(ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable' });
    return next();
  });

  // The core is synchronous: a few requests at a time, each on its own event-loop turn, a few more waiting, and the
  // rest told to come back, so /healthz and the other faces are never stuck behind a burst.
  const assessGate = new Gate(config.limits.assessConcurrency, config.limits.assessConcurrency * 4);
  server.post('/api/assess', requireBearer(config.intakeApiKey), requireJson, ...jsonBody(), async (req: restify.Request, res: restify.Response) => {
    const rec = splitRecordFields(req.body, records); // "record" and "client" (intake records)
    if (!rec.ok) {
      res.send(rec.status, { error: rec.error });
      return;
    }
    const parsed = parseAssessRequest(rec.body, config.limits.answerChars);
    if (!parsed.ok) {
      res.send(400, { error: parsed.error });
      return;
    }
    // DEFAULT_LOCALE picks the emergency numbers when the caller does not say.
    // A record is saved in the same job as its assessment; a failure to save rejects → restifyError → 500 without details.
    const done = await assessGate.run(() => {
      const assessment = triage.assess({ ...parsed.input, locale: parsed.input.locale ?? config.defaultLocale });
      return rec.wanted ? saveAssessRecord(records!, rec.wanted, parsed.input, assessment) : assessment;
    }).catch((err: unknown) => {
      // The records database is away (STORAGE=postgres): nothing was saved; the integration retries later.
      if (!isUnavailable(err)) throw err;
      refuse(res, 503, 5, 'The intake records are unavailable just now; nothing was saved. Retry shortly');
      return null;
    });
    if (done === null) return;
    if (!done) {
      refuse(res, 503, 1, 'Too many assessments at once; retry shortly');
      return;
    }
    res.header('Cache-Control', 'no-store'); // health data: never cached by proxies
    res.send(200, done.value);
  });

  extraRoutes?.(server);

  // Every restify error (404, 405, 413, bad JSON, thrown handler errors) answers as { error } JSON.
  server.on('restifyError', (req: restify.Request, res: restify.Response, err: Error & { statusCode?: number }, cb: () => void) => {
    const { status, message } = publicError(err, req);
    if (status >= 500) logger.error({ err, req }, 'request failed');
    else logger.debug({ req, status }, message);
    if (!res.headersSent) res.send(status, { error: message });
    return cb();
  });

  return server;
}

type Handler = ((req: restify.Request, res: restify.Response, next: restify.Next) => unknown) & { _name?: string };

/** A callback handler that throws synchronously calls next(err) instead (→ restifyError → 500); async ones are left as they are. */
function guard(handler: unknown): unknown {
  if (Array.isArray(handler)) return handler.map(guard);
  if (typeof handler !== 'function' || handler.length !== 3 || handler.constructor.name === 'AsyncFunction') return handler;
  const h = handler as Handler;
  const guarded: Handler = function (this: unknown, req, res, next) {
    try {
      return h.call(this, req, res, next);
    } catch (err) {
      return next(err instanceof Error ? err : new Error(String(err)));
    }
  };
  Object.defineProperty(guarded, 'name', { value: h.name });
  if (h._name) guarded._name = h._name;
  return guarded;
}

/** Every handler mounted on this server (here, by extraRoutes or later) goes through guard. */
function guardHandlers(server: restify.Server): void {
  const s = server as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['get', 'head', 'post', 'put', 'patch', 'del', 'opts', 'use', 'pre'] as const) {
    const original = s[method]!.bind(server);
    s[method] = (...args: unknown[]) => original(...args.map(guard));
  }
}

const tooLarge = (limit: number) => `Request body is larger than ${limit} bytes (${limit / 1024} KiB)`;

/** 415 for multipart on any route, 413 when Content-Length is over the route's cap; the connection is then closed
 * so the rest of the upload is never read. */
function refuseBodies(req: restify.Request, res: restify.Response, next: restify.Next): void {
  const type = (req.headers['content-type'] ?? '').trimStart().toLowerCase();
  if (type.startsWith('multipart/')) {
    res.header('Connection', 'close');
    res.send(415, { error: 'Multipart bodies are not accepted; send application/json' });
    return next(false);
  }
  const limit = req.url?.startsWith(BOT_ROUTES) ? BOT_BODY_BYTES : MAX_BODY_BYTES;
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > limit) {
    res.header('Connection', 'close');
    res.send(413, { error: tooLarge(limit) });
    return next(false);
  }
  return next();
}

/**
 * The body read in memory up to the cap (a chunked body past it gets 413 and the connection closed), then parsed
 * as JSON; an empty body is `undefined`. Only JSON: nothing is written to disk, whatever the Content-Type says.
 * Exported so every face parses the same way.
 */
export function jsonBody(maxBodySize = MAX_BODY_BYTES): restify.RequestHandler[] {
  const readJsonBody: restify.RequestHandler = (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    const encoding = req.header('content-encoding');
    // Compressed bodies would bypass the cap (it counts bytes on the wire).
    if (encoding && encoding.toLowerCase() !== 'identity') {
      res.header('Connection', 'close');
      res.send(415, { error: `Content-Encoding "${encoding}" is not supported; send the body uncompressed` });
      return next(false);
    }
    new BodyReader(req, res, next, maxBodySize).start();
  };
  return [readJsonBody];
}

/** One request's body, read up to the cap (see jsonBody). A class, so a request costs one object, not a set of closures. */
class BodyReader {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private settled = false;
  private readonly onData = this.data.bind(this);

  constructor(private readonly req: restify.Request, private readonly res: restify.Response, private readonly next: restify.Next, private readonly max: number) {}

  start(): void {
    this.req.on('data', this.onData);
    this.req.on('error', this.failed.bind(this));
    this.req.on('end', this.ended.bind(this));
  }

  /** Only the first of end, error or an overflow answers; reading stops there. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.req.removeListener('data', this.onData);
    return true;
  }

  private data(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size <= this.max) this.chunks.push(chunk);
    else if (this.settle()) {
      this.res.header('Connection', 'close');
      this.res.send(413, { error: tooLarge(this.max) });
      this.next(false);
    }
  }

  private failed(): void {
    if (this.settle()) this.next(false);
  }

  private ended(): void {
    if (!this.settle()) return;
    const { req, res, next } = this;
    if (this.size === 0) {
      req.body = undefined;
      next();
      return;
    }
    const type = (req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json' && !/^application\/[\w.-]+\+json$/.test(type)) {
      res.send(415, { error: 'Content-Type must be application/json (UTF-8)' });
      next(false);
      return;
    }
    try {
      req.body = JSON.parse(Buffer.concat(this.chunks, this.size).toString('utf8'));
    } catch {
      res.send(400, { error: 'Malformed JSON: the request body is not valid JSON' });
      next(false);
      return;
    }
    next();
  }
}

/** 415 unless the body is declared as UTF-8 JSON; a charset parameter is optional. */
export const requireJson: restify.RequestHandler = (req, res, next) => {
  const encoding = req.header('content-encoding');
  // Compressed bodies would bypass the 64 KiB cap (it counts bytes on the wire).
  if (encoding && encoding.toLowerCase() !== 'identity') {
    res.send(415, { error: `Content-Encoding "${encoding}" is not supported; send the body uncompressed` });
    return next(false);
  }
  const [type = '', ...params] = (req.header('content-type') ?? '').split(';').map((s) => s.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '');
  if (type !== 'application/json' || (charset && charset !== 'utf-8' && charset !== 'utf8')) {
    res.send(415, { error: 'Content-Type must be application/json (UTF-8)' });
    return next(false);
  }
  return next();
};

/** 401 unless `Authorization: Bearer <key>` matches; no check when no key is configured. */
export function requireBearer(key: string | undefined): restify.RequestHandler {
  const matches = bearerMatcher(key);
  return (req, res, next) => {
    if (!key) return next();
    if (!matches(req.header('authorization'))) {
      res.header('WWW-Authenticate', 'Bearer');
      res.send(401, { error: 'Missing or invalid Authorization: Bearer <key>' });
      return next(false);
    }
    return next();
  };
}

/** True when an Authorization header is `Bearer <key>`; always false without a key. */
export function bearerMatcher(key: string | undefined): (header: string | undefined) => boolean {
  const expected = key ? digest(key) : undefined;
  return (header) => {
    if (!expected) return false;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    // Hashing first gives equal-length buffers, so the comparison time does not depend on the key.
    return Boolean(match) && timingSafeEqual(digest(match![1]!), expected);
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Maps restify's error objects to a status and a message that is safe to show (never internals). */
function publicError(err: Error & { statusCode?: number }, req: restify.Request): { status: number; message: string } {
  switch (err.name) {
    case 'InvalidContentError':
      return { status: 400, message: 'Malformed JSON: the request body is not valid JSON' };
    case 'PayloadTooLargeError':
    case 'RequestEntityTooLargeError':
      return { status: 413, message: `Request body is larger than ${MAX_BODY_BYTES} bytes (64 KiB)` };
    case 'ResourceNotFoundError':
      return { status: 404, message: `Not found: ${req.method} ${req.path()}` };
    case 'MethodNotAllowedError':
      return { status: 405, message: `Method ${req.method} is not allowed on ${req.path()}` };
    case 'UnsupportedMediaTypeError':
      return { status: 415, message: 'Unsupported media type; send application/json' };
  }
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  return status >= 500 ? { status, message: 'Internal error' } : { status, message: err.message };
}
