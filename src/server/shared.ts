// What the faces mounted on one server share, created once per server: the secret the local Direct Line and the bot
// authenticate each other with, the health checks /healthz reports, and what "delete my data" must also erase.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import type * as restify from 'restify';

export interface HealthProblem { component: string; code: string }
/** Another place a conversation's data lives; returns a sentence saying what it erased, in the turn's locale. */
export type Eraser = (ctx: TurnContext, locale: string) => Promise<string | undefined>;

export interface Shared {
  /** Random per process start; never logged, never sent anywhere but between this server's own faces. */
  readonly localSecret: string;
  /** True when `header` is `Bearer <localSecret>` (constant time). */
  isLocalSecret(header: string | undefined): boolean;
  readonly healthChecks: (() => HealthProblem | undefined)[];
  readonly erasers: Eraser[];
  /** The local Direct Line's base URL (this server over loopback), once mounted: the bot signs its replies there. */
  localServiceUrl?: () => string;
  /** Withdraws a conversation's intake records (INTAKE_RECORDS=on), once mounted: their references. */
  withdrawRecords?: (channelId: string, conversationId: string) => Promise<string[]>;
  /** The conversation store, once mounted (deletion by a web chat's delete key). */
  storage?: import('botbuilder').Storage & { secret?(name: string): string };
}

const byServer = new WeakMap<restify.Server, Shared>();

export function shared(server: restify.Server): Shared {
  let s = byServer.get(server);
  if (!s) {
    const localSecret = randomBytes(32).toString('base64url');
    const expected = digest(`Bearer ${localSecret}`);
    s = {
      localSecret,
      isLocalSecret: (header) => Boolean(header) && timingSafeEqual(digest(header!.trim()), expected),
      healthChecks: [],
      erasers: [],
    };
    byServer.set(server, s);
  }
  return s;
}

export function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
