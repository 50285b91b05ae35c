// The staff page at /staff (INTAKE_RECORDS=on): log in, the live queue, a record's detail, review, FHIR download.
// Static files only; everything it shows comes from the staff API with the session cookie. No inline script or style,
// so the Content-Security-Policy forbids both; nothing is loaded from another origin.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as restify from 'restify';
import { projectRoot } from '../../projectRoot.js';

const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self'",
  "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
].join('; ');

const FILES: Record<string, { file: string; type: string }> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'app.js': { file: 'app.js', type: 'application/javascript; charset=utf-8' },
  'app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  'icon.svg': { file: 'icon.svg', type: 'image/svg+xml' },
};

export function mountStaffPage(server: restify.Server): void {
  const dir = path.join(projectRoot(), 'src/channels/staff/public');
  // Read once: small files, and a missing one stops the start rather than the first visit.
  const cache = Object.fromEntries(Object.entries(FILES).map(([k, v]) => [k, { body: readFileSync(path.join(dir, v.file)), type: v.type }]));
  const send = (name: string): restify.RequestHandler => (_req, res, next) => {
    const f = cache[name]!;
    res.writeHead(200, {
      'content-type': f.type,
      'content-length': f.body.length,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    });
    res.end(f.body);
    return next();
  };
  server.get('/staff', send(''));
  server.get('/staff/app.js', send('app.js'));
  server.get('/staff/app.css', send('app.css'));
  server.get('/staff/icon.svg', send('icon.svg'));
}
