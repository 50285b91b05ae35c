import { startAbuseServer } from './test/abuse-helpers.js';
const b64 = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');
(async () => {
  const srv = await startAbuseServer({ MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'p' });
  const shapes: Record<string, string> = {
    none: '', bearerOnly: 'Bearer', garbage: 'Bearer x', dots: 'Bearer a.b.c', basic: 'Basic dXNlcjpwYXNz',
    notJsonHeader: `Bearer ${b64('nope')}.${b64({})}.sig`,
    arrayPayload: `Bearer ${b64({ alg: 'RS256', kid: 'k' })}.${b64([1, 2])}.sig`,
    nullPayload: `Bearer ${b64({ alg: 'RS256', kid: 'k' })}.${b64('null')}.sig`,
    algNone: `Bearer ${b64({ alg: 'none' })}.${b64({ iss: 'https://api.botframework.com', aud: '00000000-0000-0000-0000-000000000001' })}.`,
    allowedIssuerNoKid: `Bearer ${b64({ alg: 'RS256' })}.${b64({ iss: 'https://api.botframework.com', aud: 'x' })}.c2ln`,
    issuerObject: `Bearer ${b64({ alg: 'RS256', kid: {} })}.${b64({ iss: { a: 1 } })}.c2ln`,
    emulatorIssuer: `Bearer ${b64({ alg: 'RS256', kid: 'k' })}.${b64({ iss: 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/', ver: '1.0', appid: 'x' })}.c2ln`,
  };
  for (const [name, auth] of Object.entries(shapes)) {
    const r = await srv.post('/api/messages', { type: 'message', channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/amer/', conversation: { id: 'c' }, from: { id: 'u' }, recipient: { id: 'b' }, text: 'hi' }, auth ? { authorization: auth } : {});
    console.log(name, r.status, await r.text());
  }
  await srv.close();
})();
