// The staff faces of the intake records (INTAKE_RECORDS=on): log in and out, the queue and a record's detail, review,
// deletion (admins), FHIR export, the live feed (server-sent events), alert problems, the audit trail (admins) and the
// Questionnaire at its canonical URL. Wiring only: the records module does the work.
//
// Who: a session cookie (HttpOnly, Secure, SameSite=Strict) from POST /api/staff/login for the page, or
// `Authorization: Bearer <token>` from `npm run staff -- token <name>` for integrations. A staff member sees only their
// centre's records. Missing and wrong credentials get the same 401; repeated failures from one address (or against one
// name) are slowed before they are checked. With STORAGE=postgres, a database that is away answers 503 with
// Retry-After (the page says so and tries again), never a 500.
import type { ServerResponse } from 'node:http';
import type * as restify from 'restify';
import type { Logger } from '../log.js';
import { LEVELS, type Level } from '../triage/types.js';
import { AUDIT_ACTIONS, type AuditAction } from '../records/audit.js';
import { questionnaire, recordBundle } from '../records/fhir.js';
import { normaliseRef } from '../records/refs.js';
import type { Records, RecordChange } from '../records/service.js';
import { FailureThrottle, SESSION_MAX_MS, type Staff } from '../records/staff.js';
import { STATUSES, type Status } from '../records/model.js';
import { isUnavailable } from '../storage/postgres/pool.js';
import { refuse } from './limits.js';
import { jsonBody, requireJson } from './app.js';
import { mountStaffPage } from '../channels/staff/routes.js';

export const SESSION_COOKIE = 'triage_staff';
const MAX_NOTE = 2_000;
const HEARTBEAT_MS = 20_000;

export interface RecordsFacesDeps {
  records: Records;
  logger: Logger;
  /** Test hook: a faster throttle. */
  throttle?: FailureThrottle;
}

export interface RecordsFaces {
  /** Ends the live feeds (a server does not close while they are open). */
  close(): void;
}

type Authed = restify.Request & { staff?: Staff; viaSession?: boolean };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cookie(req: restify.Request, name: string): string | undefined {
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

const address = (req: restify.Request) => req.socket?.remoteAddress ?? 'unknown';

export function mountRecordsFaces(server: restify.Server, { records, logger, throttle = new FailureThrottle() }: RecordsFacesDeps): RecordsFaces {
  const streams = new Set<ServerResponse>();
  const log = logger.child({ component: 'records' });

  /** Who is asking, by bearer token or session cookie; undefined for nobody (the same answer for missing and wrong). */
  async function identify(req: Authed): Promise<Staff | undefined> {
    const auth = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '');
    if (auth) return records.staff.byToken(auth[1]!);
    const sid = cookie(req, SESSION_COOKIE);
    if (sid) {
      const s = await records.staff.bySession(sid);
      if (s) req.viaSession = true;
      return s;
    }
    return undefined;
  }

  const unauthorized = (res: restify.Response) => {
    res.header('WWW-Authenticate', 'Bearer realm="staff"');
    res.header('Cache-Control', 'no-store');
    res.send(401, { error: 'Log in at /staff, or send Authorization: Bearer <staff token>' });
  };

  /** Staff only (admins only with `admin`); cross-site requests with a session are refused. */
  async function authorize(req: Authed, res: restify.Response, admin: boolean): Promise<boolean> {
    const keys = [`ip:${address(req)}`];
    const wait = throttle.delayFor(keys);
    if (wait) await sleep(wait);
    const staff = await identify(req);
    if (!staff) {
      throttle.fail(keys);
      unauthorized(res);
      return false;
    }
    if (req.viaSession && req.method !== 'GET' && req.method !== 'HEAD' && !sameOrigin(req.header('origin'), req.header('host'))) {
      res.send(403, { error: 'Cross-site request refused' });
      return false;
    }
    if (admin && !staff.admin) {
      res.send(403, { error: 'Only an admin may do this' });
      return false;
    }
    req.staff = staff;
    res.header('Cache-Control', 'no-store');
    return true;
  }

  const requireStaff = (admin = false): restify.RequestHandler => (req, res, next) => {
    authorize(req as Authed, res, admin).then((ok) => next(ok ? undefined : false), (err: Error) => {
      if (!unavailable(res, err)) next(err);
      else next(false);
    });
  };

  /** The records database is away: 503 with Retry-After instead of a 500 (true when answered). */
  function unavailable(res: restify.Response, err: unknown): boolean {
    if (!isUnavailable(err) || res.headersSent) return false;
    refuse(res, 503, 5, 'The intake records are unavailable just now; try again shortly');
    return true;
  }

  /** An async route whose database errors of that kind answer 503. */
  const route = (fn: (req: Authed, res: restify.Response) => Promise<void>) => async (req: restify.Request, res: restify.Response) => {
    try {
      await fn(req as Authed, res);
    } catch (err) {
      if (!unavailable(res, err)) throw err;
    }
  };

  // ---- sessions ---------------------------------------------------------------------------------------------------

  server.post('/api/staff/login', requireJson, ...jsonBody(8 * 1024), route(async (req, res) => {
    const body = (req.body ?? {}) as { name?: unknown; password?: unknown };
    const name = typeof body.name === 'string' ? body.name.trim().slice(0, 64) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
    const keys = [`ip:${address(req)}`, `name:${name.toLowerCase()}`];
    const wait = throttle.delayFor(keys);
    if (wait) await sleep(wait);
    const staff = await records.staff.login(name, password);
    res.header('Cache-Control', 'no-store');
    if (!staff) {
      throttle.fail(keys);
      const known = await records.staff.get(name);
      await records.audit.append({ centre: known?.centre ?? null, actor: known ? known.name : 'unknown', action: 'login-failed' });
      res.send(401, { error: 'Wrong name or password' });
      return;
    }
    throttle.succeed(keys);
    const sid = await records.staff.newSession(staff.name);
    await records.audit.append({ centre: staff.centre, actor: staff.name, action: 'login' });
    res.header('Set-Cookie', `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${SESSION_MAX_MS / 1000}`);
    res.send(200, who(staff));
  }));

  server.post('/api/staff/logout', route(async (req, res) => {
    const sid = cookie(req, SESSION_COOKIE);
    if (sid) {
      const staff = await records.staff.bySession(sid);
      await records.staff.endSession(sid);
      if (staff) await records.audit.append({ centre: staff.centre, actor: staff.name, action: 'logout' });
    }
    res.header('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0`);
    res.send(204);
  }));

  server.get('/api/staff/me', requireStaff(), (req: Authed, res, next) => {
    res.send(200, who(req.staff!));
    return next();
  });

  function who(s: Staff) {
    return { name: s.name, admin: s.admin, centre: { id: s.centre, name: records.centreName(s.centre) }, alerts: alertSummary() };
  }

  function alertSummary() {
    const a = records.config.alerts;
    return a ? { format: a.format, levels: a.levels } : null;
  }

  // ---- records ----------------------------------------------------------------------------------------------------

  server.get('/api/records', requireStaff(), route(async (req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const levels = list(q.get('level'));
    const statuses = list(q.get('status'));
    const bad = (name: string, msg: string) => { res.send(400, { error: `${name} ${msg}` }); };
    if (levels.some((l) => !(LEVELS as readonly string[]).includes(l))) return bad('level', `must be a comma-separated list of ${[...LEVELS].reverse().join(', ')}`);
    if (statuses.some((s) => !(STATUSES as readonly string[]).includes(s))) return bad('status', `must be a comma-separated list of ${STATUSES.join(', ')}`);
    let since: number | undefined;
    if (q.get('since')) {
      since = Date.parse(q.get('since')!);
      if (Number.isNaN(since) || !/^\d{4}-\d{2}-\d{2}/.test(q.get('since')!)) return bad('since', 'must be an ISO-8601 date or date-time, e.g. 2026-03-08T09:00:00Z');
    }
    const limit = q.get('limit') ? Number(q.get('limit')) : 200;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return bad('limit', 'must be a whole number 1-1000');
    const staff = req.staff!;
    const rows = await records.store.list({ centre: staff.centre, levels: levels as Level[], statuses: statuses as Status[], since, limit });
    await records.audit.append({ centre: staff.centre, actor: staff.name, action: 'list', detail: { level: levels, status: statuses, since: q.get('since') ?? undefined, count: rows.length } });
    res.send(200, { records: rows });
  }));

  // The live queue: a change in this staff member's centre is sent as it happens (summary only; no answers).
  server.get('/api/records/events', requireStaff(), (req: Authed, res: restify.Response, next: restify.Next) => {
    const staff = req.staff!;
    const sid = req.viaSession ? cookie(req, SESSION_COOKIE) : undefined;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '')?.[1];
    const raw = res as unknown as ServerResponse;
    req.socket.setTimeout(0);
    raw.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    raw.write('retry: 3000\n\n');
    streams.add(raw);
    void records.audit.append({ centre: staff.centre, actor: staff.name, action: 'list', detail: { stream: true } }).catch(() => end());
    /** Still signed in? A database that is away ends the stream (the page reconnects after `retry`). */
    const still = async () => {
      try {
        return (await (sid ? records.staff.bySession(sid) : token ? records.staff.byToken(token) : undefined))?.name === staff.name;
      } catch {
        return false;
      }
    };
    // Changes are written in the order they came, even though each needs a look-up first.
    let queue = Promise.resolve();
    const onChange = (c: RecordChange) => {
      if (c.centre !== staff.centre) return;
      queue = queue.then(async () => {
        if (raw.writableEnded) return;
        if (!(await still())) return end();
        const record = c.kind === 'deleted' || c.kind === 'expired' ? null : (await records.store.summaryOf(c.ref)) ?? null;
        if (!raw.writableEnded) raw.write(`event: change\ndata: ${JSON.stringify({ kind: c.kind, ref: c.ref, record })}\n\n`);
      }).catch(() => end());
    };
    const beat = setInterval(() => {
      void still().then((ok) => (ok ? raw.writableEnded || raw.write(': ping\n\n') : end()));
    }, HEARTBEAT_MS);
    const end = () => {
      clearInterval(beat);
      records.changes.off('change', onChange);
      streams.delete(raw);
      if (!raw.writableEnded) raw.end();
    };
    records.changes.on('change', onChange);
    req.on('close', end);
    raw.on('close', end);
    return next(false); // the response stays open; nothing else runs for it
  });

  /** The record the path names, within the staff member's centre. */
  const recordOf = async (req: Authed) => {
    const ref = normaliseRef(String(req.params.ref));
    return ref ? records.store.get(req.staff!.centre, ref) : undefined;
  };
  const notFound = (res: restify.Response) => {
    res.send(404, { error: 'No such record' });
  };

  server.get('/api/records/:ref', requireStaff(), route(async (req, res) => {
    const staff = req.staff!;
    const record = await recordOf(req);
    if (!record) return notFound(res);
    await records.audit.append({ centre: staff.centre, actor: staff.name, action: 'read', ref: record.ref });
    res.send(200, record);
  }));

  server.post('/api/records/:ref/review', requireStaff(), requireJson, ...jsonBody(16 * 1024), route(async (req, res) => {
    const staff = req.staff!;
    const body = (req.body ?? {}) as { note?: unknown };
    if (body.note !== undefined && (typeof body.note !== 'string' || body.note.length > MAX_NOTE)) {
      res.send(400, { error: `note must be a string of at most ${MAX_NOTE} characters` });
      return;
    }
    const ref = normaliseRef(String(req.params.ref));
    const note = typeof body.note === 'string' ? body.note.trim() : '';
    const out = ref
      ? await records.store.review(staff.centre, ref, staff.name, note, { centre: staff.centre, actor: staff.name, action: 'review', ref, detail: { noteChars: note.length } })
      : undefined;
    if (!out) return notFound(res);
    if (out === 'withdrawn') {
      res.send(409, { error: 'This record was withdrawn by the person: there is nothing to review' });
      return;
    }
    records.emit({ ref: out.ref, centre: staff.centre, kind: 'reviewed' });
    res.send(200, out);
  }));

  server.del('/api/records/:ref', requireStaff(true), route(async (req, res) => {
    const staff = req.staff!;
    const ref = normaliseRef(String(req.params.ref));
    const done = ref ? await records.store.delete(staff.centre, ref, { centre: staff.centre, actor: staff.name, action: 'delete', ref }) : false;
    if (!done) return notFound(res);
    records.emit({ ref: ref!, centre: staff.centre, kind: 'deleted' });
    res.send(204);
  }));

  server.get('/api/records/:ref/fhir', requireStaff(), route(async (req, res) => {
    const staff = req.staff!;
    const record = await recordOf(req);
    if (!record) return notFound(res);
    const bundle = recordBundle(record, records.config.publicUrl);
    if (!bundle) {
      res.send(410, { error: 'This record was withdrawn by the person: there is nothing to export' });
      return;
    }
    await records.audit.append({ centre: staff.centre, actor: staff.name, action: 'export', ref: record.ref, detail: { format: 'fhir-r4' } });
    const body = JSON.stringify(bundle);
    res.writeHead(200, {
      'Content-Type': 'application/fhir+json; fhirVersion=4.0; charset=utf-8',
      'Content-Disposition': `attachment; filename="intake-${record.ref}.fhir.json"`,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
    });
    res.end(body);
  }));

  // Alerts that are failing or gave up, for this centre (the staff page shows them).
  server.get('/api/alerts', requireStaff(), route(async (req, res) => {
    res.send(200, { configured: alertSummary(), problems: await records.store.alertProblems(req.staff!.centre) });
  }));

  // ---- audit (admins; read only: there is no route that changes it) ----------------------------------------------

  server.get('/api/audit', requireStaff(true), route(async (req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const since = q.get('since') ? Date.parse(q.get('since')!) : undefined;
    const before = q.get('before') ? Number(q.get('before')) : undefined;
    const limit = q.get('limit') ? Number(q.get('limit')) : 200;
    const action = q.get('action');
    if ((since !== undefined && Number.isNaN(since)) || (before !== undefined && !Number.isInteger(before))
      || !Number.isInteger(limit) || limit < 1 || limit > 1000 || (action && !(AUDIT_ACTIONS as readonly string[]).includes(action))) {
      res.send(400, { error: `since (ISO-8601), before (a seq), limit (1-1000) or action (${AUDIT_ACTIONS.join(', ')}) is not valid` });
      return;
    }
    const ref = q.get('ref') ? normaliseRef(q.get('ref')!) : undefined;
    let entries = await records.audit.list({ centre: req.staff!.centre, since, before, ref, limit });
    if (action) entries = entries.filter((e) => e.action === (action as AuditAction));
    res.send(200, { entries, chain: await records.audit.verify() });
  }));

  // ---- FHIR Questionnaire at its canonical URL (public: it holds no one's data) ---------------------------------

  server.get('/fhir/Questionnaire/:id', (req, res, next) => {
    if (req.params.id !== 'triage-intake') {
      res.send(404, { error: 'No such Questionnaire' });
      return next(false);
    }
    const body = JSON.stringify(questionnaire(records.config.publicUrl));
    res.writeHead(200, { 'Content-Type': 'application/fhir+json; fhirVersion=4.0; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return next();
  });

  mountStaffPage(server);
  log.info({ centres: records.config.centres.map((c) => c.id), alerts: records.config.alerts?.format ?? 'off' }, 'intake records on');

  return {
    close() {
      for (const s of streams) s.end();
      streams.clear();
    },
  };
}

function list(v: string | null): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** No Origin header (same-origin GETs, non-browser clients) or one naming this host. */
function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return true;
  try {
    return Boolean(host) && new URL(origin).host === host;
  } catch {
    return false;
  }
}
