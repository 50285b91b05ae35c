// Slack's v0 request signature: the documented example, staleness both ways, tampering, and malformed headers.
import { describe, expect, it } from 'vitest';
import { slackSignature, verifySlackRequest } from '../src/channels/slack/verify.js';

// The worked example from Slack's "Verifying requests from Slack" documentation.
const DOC = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};

describe('Slack request signature', () => {
  const docNow = Number(DOC.timestamp) * 1000 + 10_000;
  const signed = (body: string, ts: string, secret = DOC.secret) => ({ timestamp: ts, signature: slackSignature(secret, ts, body), rawBody: Buffer.from(body) });

  it("matches Slack's documented example", () => {
    expect(slackSignature(DOC.secret, DOC.timestamp, DOC.body)).toBe(DOC.signature);
    expect(verifySlackRequest(DOC.secret, { timestamp: DOC.timestamp, signature: DOC.signature, rawBody: Buffer.from(DOC.body) }, docNow)).toEqual({ ok: true });
  });

  it('refuses requests older (or newer) than five minutes', () => {
    const now = Date.now();
    const old = String(Math.floor(now / 1000) - 301);
    const future = String(Math.floor(now / 1000) + 301);
    const edge = String(Math.floor(now / 1000) - 299);
    expect(verifySlackRequest('s', signed('{}', old, 's'), now)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySlackRequest('s', signed('{}', future, 's'), now)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySlackRequest('s', signed('{}', edge, 's'), now)).toEqual({ ok: true });
  });

  it('refuses a changed body, a wrong secret and a truncated signature', () => {
    const req = signed('{"a":1}', DOC.timestamp);
    expect(verifySlackRequest(DOC.secret, { ...req, rawBody: Buffer.from('{"a":2}') }, docNow)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackRequest('other-secret', req, docNow)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackRequest(DOC.secret, { ...req, signature: req.signature.slice(0, -2) }, docNow)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('hashes the raw bytes, so re-serialised JSON does not pass', () => {
    const raw = '{ "type": "event_callback" }';
    const req = signed(raw, DOC.timestamp);
    expect(verifySlackRequest(DOC.secret, { ...req, rawBody: Buffer.from(JSON.stringify(JSON.parse(raw))) }, docNow).ok).toBe(false);
  });

  it('refuses missing or malformed headers without throwing', () => {
    const body = Buffer.from('{}');
    expect(verifySlackRequest('s', { timestamp: undefined, signature: 'v0=00', rawBody: body })).toEqual({ ok: false, reason: 'missing' });
    expect(verifySlackRequest('s', { timestamp: '123', signature: undefined, rawBody: body })).toEqual({ ok: false, reason: 'missing' });
    expect(verifySlackRequest('s', { timestamp: '12.5e3', signature: 'v0=00', rawBody: body })).toEqual({ ok: false, reason: 'missing' });
  });
});
