// Slack request signing (v0): HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body), hex, "v0=" prefix.
// Hash the raw bytes exactly as received (re-serialised JSON would not match), refuse timestamps more than five
// minutes away (replays of captured requests), and compare in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const MAX_AGE_SECONDS = 5 * 60;

export type Verdict = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

export interface SignedRequest {
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
}

export function slackSignature(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest('hex')}`;
}

export function verifySlackRequest(signingSecret: string, req: SignedRequest, nowMs = Date.now()): Verdict {
  const { timestamp, signature } = req;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return { ok: false, reason: 'missing' };
  // Both directions: a timestamp far in the future would let a captured request be replayed later.
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_AGE_SECONDS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(slackSignature(signingSecret, timestamp, req.rawBody));
  const given = Buffer.from(signature);
  // The length of a valid signature is public; only the bytes need a constant-time comparison.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'mismatch' };
  return { ok: true };
}
