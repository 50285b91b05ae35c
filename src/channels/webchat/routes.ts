// Serves the web chat page at `/`, its assets (Web Chat's prebuilt bundle from node_modules, no CDN) and the
// token endpoint the page starts from: local Direct Line token, or an Azure one exchanged from the secret.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type * as restify from 'restify';
import { BCP47 } from '../../config.js';
import type { Logger } from '../../log.js';
import { projectRoot } from '../../projectRoot.js';
import { jsonBody } from '../../server/app.js';
import { shared } from '../../server/shared.js';
import { AZURE_DIRECT_LINE, exchangeSecret, issueToken, query, storeRoute, type DirectLineStore } from '../directline/index.js';
import { contentSecurityPolicy, renderPage } from './page.js';

export interface WebChatDeps {
  logger: Logger;
  defaultLocale: string;
  emergencyNumber: (locale: string) => string;
  /** Local Direct Line, when no Azure one is configured. */
  local?: DirectLineStore;
  /** Azure Direct Line: the secret, and its domain (tests point it at loopback). */
  azure?: { secret: string; domain?: string };
  /** FRAME_ANCESTORS: who may frame the page. */
  frameAncestors?: string[];
  /** New conversations per client address: seconds to wait, 0 when allowed. */
  tokenLimit?: (req: restify.Request) => number;
}

interface Asset { file: string; type: string }

const ASSETS = new Map<string, Asset>([
  ['webchat.js', { file: webChatBundle(), type: 'application/javascript; charset=utf-8' }],
  ['app.js', { file: path.join(projectRoot(), 'src/channels/webchat/public/app.js'), type: 'application/javascript; charset=utf-8' }],
  ['app.css', { file: path.join(projectRoot(), 'src/channels/webchat/public/app.css'), type: 'text/css; charset=utf-8' }],
]);

/** An asset read once and compressed once (in the thread pool, not the event loop), on its first request. */
interface Prepared { etag: string; identity: Buffer; gzip: Buffer; br: Buffer }

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

async function prepare(asset: Asset): Promise<Prepared> {
  const identity = await readFile(asset.file);
  const [gz, br] = await Promise.all([
    gzip(identity, { level: 6 }),
    // Quality 6: about as small as 9, a quarter of a second for the 3.9 MB bundle (11 takes seconds).
    brotli(identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 6, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
  ]);
  return { etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 27)}"`, identity, gzip: gz, br };
}

/** The best encoding the client accepts: br, then gzip, else none (q=0 means "not this one"). */
function pickEncoding(accept: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = new Set((accept ?? '').split(',').map((part) => {
    const [name = '', ...params] = part.trim().toLowerCase().split(';').map((x) => x.trim());
    return params.some((p) => /^q=0(\.0*)?$/.test(p)) ? '' : name;
  }));
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return undefined;
}

export function mountWebChat(server: restify.Server, deps: WebChatDeps): void {
  const azureDomain = deps.azure ? deps.azure.domain ?? AZURE_DIRECT_LINE : undefined;
  const csp = contentSecurityPolicy(azureDomain && new URL(azureDomain).origin, deps.frameAncestors);
  const faces = shared(server);
  const limited = (req: restify.Request) => deps.tokenLimit?.(req) ?? 0;
  // A conversation's delete key: HMAC of its id under a secret kept with the stored conversations, so it still works
  // after a restart (the local Direct Line's memory is gone by then, the bot's stored answers are not). A Direct Line
  // shared by several instances keeps one secret for all of them, so a key from one is honoured by another.
  let deleteSecret: string | undefined;
  const deleteKey = async (conversationId: string) => {
    deleteSecret ??= (await deps.local?.sharedSecret?.('webchat-delete-key'))
      ?? faces.storage?.secret?.('webchat-delete-key') ?? randomBytes(32).toString('base64url');
    return createHmac('sha256', deleteSecret).update(conversationId).digest('base64url');
  };

  server.get('/', (req, res, next) => {
    const q = query(req);
    const locale = BCP47.test(q.get('locale') ?? '') ? q.get('locale')! : deps.defaultLocale;
    const accent = /^#[0-9a-f]{6}$/i.test(q.get('accent') ?? '') ? q.get('accent')! : undefined;
    const title = q.get('title')?.trim().slice(0, 80) || undefined;
    const html = renderPage({ locale, emergencyNumber: deps.emergencyNumber(locale), title, accent });
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    res.end(html);
    return next();
  });

  const prepared = new Map<string, Promise<Prepared>>();
  const serveAsset = async (req: restify.Request, res: restify.Response) => {
    const name = req.params.asset as string;
    const asset = ASSETS.get(name); // a Map: "constructor" or "__proto__" is just an unknown name
    if (!asset) {
      res.send(404, { error: `Not found: ${req.path()}` });
      return;
    }
    let p = prepared.get(name);
    if (!p) {
      prepared.set(name, (p = prepare(asset)));
      p.catch(() => prepared.delete(name));
    }
    let body: Prepared;
    try {
      body = await p;
    } catch (err) {
      deps.logger.error({ errName: (err as Error).name, asset: name }, 'asset unreadable');
      res.send(500, { error: 'Internal error' });
      return;
    }
    const headers: Record<string, string | number> = {
      'content-type': asset.type, 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=3600',
      etag: body.etag, vary: 'Accept-Encoding',
    };
    const match = req.header('if-none-match');
    if (match && match.split(',').some((t) => t.trim().replace(/^W\//, '') === body.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const encoding = pickEncoding(req.header('accept-encoding'));
    const bytes = encoding ? body[encoding] : body.identity;
    if (encoding) headers['content-encoding'] = encoding;
    headers['content-length'] = bytes.length;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : bytes);
  };
  server.get('/webchat/:asset', serveAsset);
  server.head('/webchat/:asset', serveAsset);

  // POST so no cache or proxy keeps a token; the page calls it once when it loads.
  server.post('/api/webchat/token', storeRoute(async (req, res) => {
    res.header('Cache-Control', 'no-store');
    const userId = `web_${randomBytes(8).toString('hex')}`;
    const wait = limited(req);
    if (deps.azure) {
      if (wait) {
        res.header('Retry-After', String(wait));
        res.send(429, { error: 'Too many new conversations from this address; retry later' });
        return;
      }
      try {
        const t = await exchangeSecret(deps.azure.secret, userId, azureDomain);
        res.send(200, { domain: azureDomain, token: t.token, conversationId: t.conversationId, userId, webSocket: true, deleteKey: await deleteKey(t.conversationId) });
      } catch (err) {
        deps.logger.error({ errName: (err as Error).name, message: (err as Error).message }, 'Direct Line token exchange failed');
        res.send(502, { error: 'Could not reach Direct Line' });
      }
      return;
    }
    if (!deps.local) {
      res.send(503, { error: 'Web chat needs DIRECT_LINE_SECRET when MicrosoftAppId is set' });
      return;
    }
    const issued = await issueToken(deps.local, res, userId, wait);
    if (!issued) return;
    res.send(200, {
      domain: '/v3/directline', token: issued.token, conversationId: issued.conversationId, userId, webSocket: false,
      deleteKey: await deleteKey(issued.conversationId),
    });
  }));

  /**
   * Deletion without the conversation: a page (or the person, with the id and key the page kept) erases the bot's
   * stored answers and the local transcript with the conversation's delete key, e.g. after a restart ended its tokens.
   */
  server.post('/api/webchat/delete', ...jsonBody(), storeRoute(async (req, res) => {
    res.header('Cache-Control', 'no-store');
    const wait = limited(req);
    if (wait) {
      res.header('Retry-After', String(wait));
      res.send(429, { error: 'Too many requests from this address; retry later' });
      return;
    }
    const { conversationId, deleteKey: key } = (req.body ?? {}) as { conversationId?: unknown; deleteKey?: unknown };
    if (typeof conversationId !== 'string' || !/^[\w:.|-]{1,200}$/.test(conversationId) || typeof key !== 'string') {
      res.send(400, { error: 'conversationId and deleteKey are required' });
      return;
    }
    const expected = Buffer.from(await deleteKey(conversationId));
    const given = Buffer.from(key);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.send(403, { error: 'The delete key does not match this conversation' });
      return;
    }
    // The bot keeps Direct Line conversations under ConversationState's key: channel, "conversations", id, namespace ("").
    await faces.storage?.delete([`directline/conversations/${conversationId}/`]);
    const transcript = (await deps.local?.remove(conversationId)) ?? false;
    // Intake records saved from this conversation are withdrawn as "delete my data" in the chat would.
    const records = faces.withdrawRecords ? await faces.withdrawRecords('directline', conversationId) : undefined;
    deps.logger.info({ records: records?.length }, 'web chat conversation deleted with its delete key');
    res.send(200, { deleted: { answers: true, transcript, ...(records ? { records } : {}) } });
  }));
}

/** The package's exports map hides dist/, so step from its main entry (lib/index.js) to ../dist. */
function webChatBundle(): string {
  return path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');
}
