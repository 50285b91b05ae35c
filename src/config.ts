// Settings from the environment (and `.env` when present). Names are a contract: see DESIGN.md.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { recordsConfig, recordsSchema, type RecordsConfig } from './records/config.js';
import { postgresConfig, postgresSchema, type PostgresConfig } from './storage/postgres/settings.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** BCP-47 in practice: a 2–3 letter language, then subtags ("en", "en-US", "es-419", "zh-Hant-TW"). */
export const BCP47 = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const secret = z.string().optional();

const schema = z.object({
  PORT: z.coerce.number({ error: 'must be a number' })
    .int('must be a whole number').min(0, 'must be 0–65535').max(65535, 'must be 0–65535').default(3978),
  STORAGE: z.enum(['sqlite', 'memory', 'postgres'], { error: 'must be "sqlite", "memory" or "postgres"' }).default('sqlite'),
  SQLITE_PATH: z.string().default('./data/triage.sqlite'),
  // Scale-out (STORAGE=postgres): src/storage/postgres/settings.ts.
  ...postgresSchema,
  MicrosoftAppId: secret,
  MicrosoftAppPassword: secret,
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], {
    error: 'must be MultiTenant, SingleTenant or UserAssignedMSI',
  }).default('MultiTenant'),
  MicrosoftAppTenantId: secret,
  INTAKE_API_KEY: secret,
  DEFAULT_LOCALE: z.string().regex(BCP47, 'must be a BCP-47 tag such as en-US').default('en-US'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  LOG_HEALTH_DATA: z.stringbool({ error: 'must be true or false' }).default(false),
  CONVERSATION_TTL_HOURS: z.coerce.number({ error: 'must be a number' }).positive('must be greater than 0').default(24),
  DIRECT_LINE_SECRET: secret,
  SLACK_SIGNING_SECRET: secret,
  SLACK_BOT_TOKEN: secret,
  SLACK_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://slack.com/api/'),
  // Hardening (README "Security"): each limit has a default that serves a clinic's traffic.
  HOST: z.string().regex(/^[\w.:-]+$/, 'must be an address such as 127.0.0.1, 0.0.0.0 or ::').optional(),
  TRUST_PROXY: z.stringbool({ error: 'must be true or false' }).default(false),
  MAX_ANSWER_CHARS: count(1, 20_000).default(2_000),
  CONVERSATIONS_PER_MINUTE: count(1, 100_000).default(20),
  MAX_OPEN_CONVERSATIONS: count(1, 1_000_000).default(10_000),
  MAX_CONVERSATION_ACTIVITIES: count(10, 100_000).default(400),
  MAX_CONVERSATION_BYTES: count(64 * 1024, 64 * 1024 * 1024).default(1024 * 1024),
  MAX_EVENT_VALUE_BYTES: count(0, 64 * 1024).default(2048),
  ASSESS_CONCURRENCY: count(1, 1000).default(4),
  SLACK_CONCURRENCY: count(1, 1000).default(4),
  LOCAL_CLIENT_PORTS: z.string().optional(),
  FRAME_ANCESTORS: z.string().optional(),
  // Intake handoff (issue 12): INTAKE_RECORDS, RECORDS_TTL_DAYS, ALERT_*, INTAKE_CENTRES, PUBLIC_URL.
  ...recordsSchema,
});

/** A whole number within bounds, from its text. */
function count(min: number, max: number) {
  return z.coerce.number({ error: 'must be a number' }).int('must be a whole number')
    .min(min, `must be ${min}–${max}`).max(max, `must be ${min}–${max}`);
}

type Env = z.output<typeof schema>;

export interface Config {
  port: number;
  storage: Env['STORAGE'];
  sqlitePath: string;
  /** Set when STORAGE=postgres: where and how to reach the shared database. */
  postgres?: PostgresConfig;
  /** Passed as-is to botbuilder's ConfigurationBotFrameworkAuthentication; empty MicrosoftAppId = local use. */
  botFramework: {
    MicrosoftAppId: string;
    MicrosoftAppPassword: string;
    MicrosoftAppType: Env['MicrosoftAppType'];
    MicrosoftAppTenantId: string;
  };
  intakeApiKey?: string;
  defaultLocale: string;
  logLevel: Env['LOG_LEVEL'];
  /** Debug switch: lets message text and answers into the logs. Off in any real deployment. */
  logHealthData: boolean;
  conversationTtlHours: number;
  directLineSecret?: string;
  slack: { signingSecret?: string; botToken?: string; apiUrl: string };
  /** Interface to listen on: loopback when Bot Framework auth is off, every interface (undefined) when it is on, unless HOST says. */
  host: string | undefined;
  /** Behind a reverse proxy: the client address is the last one it appended to X-Forwarded-For. */
  trustProxy: boolean;
  limits: {
    /** Characters of one answer (a message's text, an /api/assess field). */
    answerChars: number;
    /** New web-chat conversations (tokens) per client address per minute. */
    conversationsPerMinute: number;
    /** Local Direct Line conversations held in memory; the longest idle is dropped for a new one. */
    openConversations: number;
    conversationActivities: number;
    conversationBytes: number;
    eventValueBytes: number;
    assessConcurrency: number;
    slackConcurrency: number;
  };
  /** With Bot Framework auth off, the loopback ports a serviceUrl may name (e.g. the Emulator's). */
  localClientPorts: number[];
  /** Sources allowed to frame the web chat page (CSP frame-ancestors). */
  frameAncestors: string[];
  /** Intake handoff: saved assessments, staff faces, alerts (src/records/config.ts). */
  records: RecordsConfig;
}

const FRAME_SOURCE = /^(?:'self'|'none'|https:\/\/(?:\*\.)?[a-z0-9.-]+(?::\d{1,5})?|http:\/\/(?:localhost|127\.0\.0\.1)(?::\d{1,5})?)$/i;

/** "https://a.example https://*.b.example" → the list, or a message naming what is wrong. */
function parseFrameAncestors(value: string | undefined): string[] | string {
  if (!value) return ["'self'"];
  const list = value.split(/[\s,]+/).filter(Boolean);
  const bad = list.find((s) => !FRAME_SOURCE.test(s));
  if (bad) return `FRAME_ANCESTORS "${bad}" is not an https:// origin (https://*.host allowed), 'self' or 'none'`;
  if (list.includes("'none'") && list.length > 1) return "FRAME_ANCESTORS 'none' cannot be combined with other sources";
  return list;
}

function parsePorts(value: string | undefined): number[] | string {
  if (!value) return [];
  const list = value.split(/[\s,]+/).filter(Boolean);
  const ports = list.map(Number);
  const bad = list.find((p, i) => !/^\d+$/.test(p) || ports[i]! < 1 || ports[i]! > 65535);
  return bad === undefined ? ports : `LOCAL_CLIENT_PORTS "${bad}" is not a port number (1–65535)`;
}

/** Reads `.env` (without overriding what is already set) and validates every setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Only the real environment takes `.env`; an explicit object (tests) stays hermetic.
  if (env === process.env) {
    const file = path.resolve('.env');
    if (existsSync(file)) process.loadEnvFile(file);
  }
  // An empty value (as copied from .env.example) means "not set".
  const present = Object.fromEntries(
    Object.keys(schema.shape).flatMap((k) => (env[k] === undefined || env[k]!.trim() === '' ? [] : [[k, env[k]!.trim()]])),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const records = recordsConfig(e, { sqlitePath: e.SQLITE_PATH, port: e.PORT });
  const frameAncestors = parseFrameAncestors(e.FRAME_ANCESTORS);
  const localClientPorts = parsePorts(e.LOCAL_CLIENT_PORTS);
  const postgres = e.STORAGE === 'postgres' ? postgresConfig(e) : undefined;
  const wrong = [frameAncestors, localClientPorts, postgres].filter((x): x is string => typeof x === 'string');
  if (Array.isArray(records)) wrong.push(...records);
  if (wrong.length) throw new ConfigError(`Invalid configuration: ${wrong.join('; ')}`);
  const authOn = Boolean(e.MicrosoftAppId);
  return {
    port: e.PORT,
    storage: e.STORAGE,
    sqlitePath: e.SQLITE_PATH,
    postgres: postgres as PostgresConfig | undefined,
    botFramework: {
      MicrosoftAppId: e.MicrosoftAppId ?? '',
      MicrosoftAppPassword: e.MicrosoftAppPassword ?? '',
      MicrosoftAppType: e.MicrosoftAppType,
      MicrosoftAppTenantId: e.MicrosoftAppTenantId ?? '',
    },
    intakeApiKey: e.INTAKE_API_KEY,
    defaultLocale: e.DEFAULT_LOCALE,
    logLevel: e.LOG_LEVEL,
    logHealthData: e.LOG_HEALTH_DATA,
    conversationTtlHours: e.CONVERSATION_TTL_HOURS,
    directLineSecret: e.DIRECT_LINE_SECRET,
    slack: {
      signingSecret: e.SLACK_SIGNING_SECRET,
      botToken: e.SLACK_BOT_TOKEN,
      apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
    },
    host: e.HOST ?? (authOn ? undefined : '127.0.0.1'),
    trustProxy: e.TRUST_PROXY,
    limits: {
      answerChars: e.MAX_ANSWER_CHARS,
      conversationsPerMinute: e.CONVERSATIONS_PER_MINUTE,
      openConversations: e.MAX_OPEN_CONVERSATIONS,
      conversationActivities: e.MAX_CONVERSATION_ACTIVITIES,
      conversationBytes: e.MAX_CONVERSATION_BYTES,
      eventValueBytes: e.MAX_EVENT_VALUE_BYTES,
      assessConcurrency: e.ASSESS_CONCURRENCY,
      slackConcurrency: e.SLACK_CONCURRENCY,
    },
    localClientPorts: localClientPorts as number[],
    frameAncestors: frameAncestors as string[],
    records: records as RecordsConfig,
  };
}

/** For command-line tools: the settings, or the setting's message on standard error and exit code 1. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
