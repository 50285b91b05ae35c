// HTTP faces: wiring only, no clinical logic. Contract: DESIGN.md "HTTP faces".
import { createHash, timingSafeEqual } from 'node:crypto';
import * as restify from 'restify';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Triage } from '../triage/index.js';
import { parseAssessRequest } from './assessRequest.js';
import type { Records } from '../records/service.js';
import { saveAssessRecord, splitRecordFields } from './recordsAssess.js';

export const MAX_BODY_BYTES = 64 * 1024;

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

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok', knowledgeVersion: triage.knowledgeVersion });
    return next();
  });

  server.post('/api/assess', requireBearer(config.intakeApiKey), requireJson, ...jsonBody(), (req, res, next) => {
    const rec = splitRecordFields(req.body, records); // "record" and "client" (intake records)
    if (!rec.ok) {
      res.send(rec.status, { error: rec.error });
      return next(false);
    }
    const parsed = parseAssessRequest(rec.body);
    if (!parsed.ok) {
      res.send(400, { error: parsed.error });
      return next(false);
    }
    // DEFAULT_LOCALE picks the emergency numbers when the caller does not say.
    let assessment;
    try {
      assessment = triage.assess({ ...parsed.input, locale: parsed.input.locale ?? config.defaultLocale });
      if (rec.wanted) assessment = saveAssessRecord(records!, rec.wanted, parsed.input, assessment);
    } catch (err) {
      return next(err as Error); // → restifyError handler: logged, answered as 500 without details
    }
    res.header('Cache-Control', 'no-store'); // health data: never cached by proxies
    res.send(200, assessment);
    return next();
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

/** restify's body reader + JSON parser, capped at 64 KiB; exported so other faces parse the same way. */
export function jsonBody(maxBodySize = MAX_BODY_BYTES): restify.RequestHandler[] {
  return restify.plugins.bodyParser({ maxBodySize, mapParams: false });
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
  const expected = key ? digest(key) : undefined;
  return (req, res, next) => {
    if (!expected) return next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '');
    // Hashing first gives equal-length buffers, so the comparison time does not depend on the key.
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      res.header('WWW-Authenticate', 'Bearer');
      res.send(401, { error: 'Missing or invalid Authorization: Bearer <key>' });
      return next(false);
    }
    return next();
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
