// The smaller findings of the hardening issue, each against a real server: forged tokens, odd asset names, quoted
// answers as markdown, framing, and the web chat bundle's transfer (compression, ETag, HEAD).
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAbuseServer, startRecorder, type AbuseServer } from './abuse-helpers.js';

const APP_ID = '00000000-0000-4000-8000-000000000001';
const b64 = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');

describe('forged Bot Framework tokens', () => {
  let srv: AbuseServer;
  let metadata: Awaited<ReturnType<typeof startRecorder>>;
  beforeAll(async () => {
    // The SDK fetches signing keys for tokens from known issuers: here from a loopback stand-in that answers nonsense,
    // as an unreachable or misbehaving login endpoint would.
    metadata = await startRecorder();
    srv = await startAbuseServer({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-used' }, {
      ToBotFromChannelOpenIdMetadataUrl: `${metadata.url}/channel/.well-known/openid-configuration`,
      ToBotFromEmulatorOpenIdMetadataUrl: `${metadata.url}/emulator/.well-known/openid-configuration`,
    });
  });
  afterAll(async () => { await srv?.close(); await metadata?.close(); });

  it.each([
    ['no header', ''],
    ['a bare scheme', 'Bearer'],
    ['not a JWT', 'Bearer x'],
    ['three dots of nothing', 'Bearer a.b.c'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a header that is not JSON', `Bearer ${b64('nope')}.${b64({})}.c2ln`],
    ['a payload that is an array', `Bearer ${b64({ alg: 'RS256', kid: 'k' })}.${b64([1, 2])}.c2ln`],
    ['alg none from the channel issuer', `Bearer ${b64({ alg: 'none' })}.${b64({ iss: 'https://api.botframework.com', aud: APP_ID })}.`],
    ['the channel issuer without a key id', `Bearer ${b64({ alg: 'RS256' })}.${b64({ iss: 'https://api.botframework.com', aud: APP_ID })}.c2ln`],
    ['the emulator issuer', `Bearer ${b64({ alg: 'RS256', kid: 'k' })}.${b64({ iss: 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/', ver: '1.0', appid: APP_ID })}.c2ln`],
    ['an issuer that is an object', `Bearer ${b64({ alg: 'RS256', kid: {} })}.${b64({ iss: { a: 1 } })}.c2ln`],
  ])('%s gets 401, never 500', async (_shape, authorization) => {
    const r = await srv.post('/api/messages', {
      type: 'message', channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/amer/', conversation: { id: 'c' },
      from: { id: 'u' }, recipient: { id: 'b' }, text: 'hi',
    }, authorization ? { authorization } : {});
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ error: 'Unauthorized' });
  });
});

describe('web chat assets', () => {
  let srv: AbuseServer;
  beforeAll(async () => { srv = await startAbuseServer(); });
  afterAll(async () => { await srv?.close(); });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', '..%2Fpackage.json'])('/webchat/%s is 404', async (name) => {
    const r = await fetch(`${srv.url}/webchat/${name}`);
    expect(r.status).toBe(404);
  });

  it('sends webchat.js compressed (br, else gzip), with an ETag that answers 304, and HEAD works', async () => {
    const plain = await fetch(`${srv.url}/webchat/webchat.js`, { headers: { 'accept-encoding': 'identity' } });
    const original = Buffer.from(await plain.arrayBuffer());
    expect(original.length).toBeGreaterThan(1_000_000);
    expect(plain.headers.get('content-encoding')).toBeNull();

    const raw = async (encoding: string) => {
      // fetch would decode; node:http shows the bytes on the wire.
      const { request } = await import('node:http');
      return new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        request(`${srv.url}/webchat/webchat.js`, { headers: { 'accept-encoding': encoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        }).on('error', reject).end();
      });
    };
    const br = await raw('gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.body.length).toBeLessThan(original.length / 4);
    expect(brotliDecompressSync(br.body).equals(original)).toBe(true);
    const gz = await raw('gzip;q=1, br;q=0');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(original)).toBe(true);
    expect(br.headers.vary).toMatch(/accept-encoding/i);

    const etag = plain.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(`${srv.url}/webchat/webchat.js`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect((await again.arrayBuffer()).byteLength).toBe(0);

    const head = await fetch(`${srv.url}/webchat/webchat.js`, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(original.length);
    expect(head.headers.get('etag')).toBe(etag);
  });
});

describe('framing', () => {
  it("allows only this origin by default, and FRAME_ANCESTORS's sites when set", async () => {
    const dflt = await startAbuseServer();
    const clinic = await startAbuseServer({ FRAME_ANCESTORS: 'https://clinic.example https://*.health.example' });
    try {
      const csp = async (s: AbuseServer) => (await fetch(`${s.url}/`)).headers.get('content-security-policy') ?? '';
      expect(await csp(dflt)).toMatch(/frame-ancestors 'self'(;|$)/);
      expect(await csp(clinic)).toMatch(/frame-ancestors https:\/\/clinic\.example https:\/\/\*\.health\.example(;|$)/);
      expect(await csp(dflt)).not.toMatch(/frame-ancestors \*/);
    } finally {
      await dflt.close();
      await clinic.close();
    }
  });
});

describe('answers quoted back in questions', () => {
  it('go out as plain text, so "You mentioned …" can never render a markdown link in the bot\'s voice', async () => {
    const srv = await startAbuseServer();
    try {
      const say = async (text: string) => {
        const r = await srv.post('/api/messages', {
          type: 'message', channelId: 'webchat', serviceUrl: 'http://127.0.0.1:1', deliveryMode: 'expectReplies',
          conversation: { id: 'md' }, from: { id: 'u' }, recipient: { id: 'bot' }, locale: 'en-US', text,
        });
        return ((await r.json()) as { activities: { type: string; text?: string; textFormat?: string; channelData?: { triage?: { question?: string } } }[] }).activities;
      };
      const replies = [];
      // The first answer names symptoms too: the symptoms question then quotes them back.
      for (const text of ['sertraline, and I am [shaking](https://evil.example/login) and sweating a lot', 'no', 'none']) replies.push(...await say(text));
      const prompt = replies.find((a) => a.text?.startsWith('You mentioned') && /shaking/.test(a.text));
      expect(prompt?.text).toMatch(/shaking/);
      expect(prompt?.textFormat).toBe('plain');
      // Every question is plain text; nothing in them is a link.
      for (const a of replies.filter((x) => x.channelData?.triage?.question)) {
        expect(a.textFormat).toBe('plain');
        expect(a.text).not.toMatch(/\]\(|<https?:/);
      }
    } finally {
      await srv.close();
    }
  });
});
