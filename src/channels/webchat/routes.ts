// Serves the web chat page at `/`, its assets (Web Chat's prebuilt bundle from node_modules, no CDN) and the
// token endpoint the page starts from: local Direct Line token, or an Azure one exchanged from the secret.
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import type * as restify from 'restify';
import { BCP47 } from '../../config.js';
import type { Logger } from '../../log.js';
import { AZURE_DIRECT_LINE, exchangeSecret, query, type ConversationStore } from '../directline/index.js';
import { contentSecurityPolicy, renderPage } from './page.js';

export interface WebChatDeps {
  logger: Logger;
  defaultLocale: string;
  emergencyNumber: (locale: string) => string;
  /** Local Direct Line, when no Azure one is configured. */
  local?: ConversationStore;
  /** Azure Direct Line: the secret, and its domain (tests point it at loopback). */
  azure?: { secret: string; domain?: string };
}

const ASSETS: Record<string, { file: string; type: string }> = {
  'webchat.js': { file: webChatBundle(), type: 'application/javascript; charset=utf-8' },
  'app.js': { file: path.join(projectRoot(), 'src/channels/webchat/public/app.js'), type: 'application/javascript; charset=utf-8' },
  'app.css': { file: path.join(projectRoot(), 'src/channels/webchat/public/app.css'), type: 'text/css; charset=utf-8' },
};

export function mountWebChat(server: restify.Server, deps: WebChatDeps): void {
  const azureDomain = deps.azure ? deps.azure.domain ?? AZURE_DIRECT_LINE : undefined;
  const csp = contentSecurityPolicy(azureDomain && new URL(azureDomain).origin);

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

  server.get('/webchat/:asset', (req, res, next) => {
    const asset = ASSETS[req.params.asset as string];
    if (!asset) {
      res.send(404, { error: `Not found: ${req.path()}` });
      return next(false);
    }
    res.writeHead(200, { 'content-type': asset.type, 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=3600' });
    createReadStream(asset.file).on('error', (err) => { deps.logger.error({ err }, 'asset unreadable'); res.destroy(); }).pipe(res);
    return next(false);
  });

  // POST so no cache or proxy keeps a token; the page calls it once when it loads.
  server.post('/api/webchat/token', async (_req: restify.Request, res: restify.Response) => {
    res.header('Cache-Control', 'no-store');
    const userId = `web_${randomBytes(8).toString('hex')}`;
    if (deps.azure) {
      try {
        const t = await exchangeSecret(deps.azure.secret, userId, azureDomain);
        res.send(200, { domain: azureDomain, token: t.token, conversationId: t.conversationId, userId, webSocket: true });
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
    const { token, grant } = deps.local.generate(userId);
    res.send(200, { domain: '/v3/directline', token, conversationId: grant.conversationId, userId, webSocket: false });
  });
}

/** The package's exports map hides dist/, so step from its main entry (lib/index.js) to ../dist. */
function webChatBundle(): string {
  return path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');
}

/** The checkout's root, found from src/… under tsx or from dist/src/… after a build (assets stay in src/). */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'src/channels/webchat/public')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
