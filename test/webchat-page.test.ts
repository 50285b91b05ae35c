// The page and its assets over HTTP: site-owner options, escaping, headers, and the bundle from node_modules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChannelsServer, type ChannelsServer } from './channels-server.js';

let srv: ChannelsServer;
beforeAll(async () => { srv = await startChannelsServer(); });
afterAll(async () => { await srv?.close(); });

describe('web chat page', () => {
  it('is served with a strict Content-Security-Policy and no caching', async () => {
    const r = await fetch(`${srv.url}/`);
    expect(r.status).toBe(200);
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/); // no inline or remote scripts
    expect(csp).toMatch(/connect-src 'self'(;|$)/); // the local Direct Line is same-origin
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('cache-control')).toBe('no-store');
    const html = await r.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)|<script>[^<]/); // every script has a src
    expect(html).toContain('href="tel:911"');
  });

  it("takes the site owner's locale, title and accent colour, escaped and validated", async () => {
    const html = await (await fetch(`${srv.url}/?locale=es-US&title=${encodeURIComponent('<img src=x onerror=alert(1)>Clínica')}&accent=%23AA0000`)).text();
    expect(html).toContain('<html lang="es-US">');
    expect(html).toMatch(/En una emergencia, llame al <a href="tel:911">911<\/a>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;Clínica');
    expect(html).not.toContain('<img');
    expect(html).toContain('data-accent="#AA0000"');
    const bad = await (await fetch(`${srv.url}/?locale=${encodeURIComponent('"><script>')}&accent=red`)).text();
    expect(bad).toContain('<html lang="en-US">');
    expect(bad).not.toContain('data-accent');
  });

  it("serves Web Chat's prebuilt bundle from node_modules and the page script, nothing else", async () => {
    const bundle = await fetch(`${srv.url}/webchat/webchat.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect((await bundle.text()).length).toBeGreaterThan(1_000_000);
    expect((await fetch(`${srv.url}/webchat/app.js`)).status).toBe(200);
    expect((await fetch(`${srv.url}/webchat/..%2f..%2fpackage.json`)).status).toBe(404);
  });
});
