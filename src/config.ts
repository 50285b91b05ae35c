// Settings from the environment (and `.env` when present). Names are a contract: see DESIGN.md.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { recordsConfig, recordsSchema, type RecordsConfig } from './records/config.js';

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
  STORAGE: z.enum(['sqlite', 'memory'], { error: 'must be "sqlite" or "memory"' }).default('sqlite'),
  SQLITE_PATH: z.string().default('./data/triage.sqlite'),
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
  // Intake handoff (issue 12): INTAKE_RECORDS, RECORDS_TTL_DAYS, ALERT_*, INTAKE_CENTRES, PUBLIC_URL.
  ...recordsSchema,
});

type Env = z.output<typeof schema>;

export interface Config {
  port: number;
  storage: Env['STORAGE'];
  sqlitePath: string;
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
  /** Intake handoff: saved assessments, staff faces, alerts (src/records/config.ts). */
  records: RecordsConfig;
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
  if (Array.isArray(records)) throw new ConfigError(`Invalid configuration: ${records.join('; ')}`);
  return {
    port: e.PORT,
    storage: e.STORAGE,
    sqlitePath: e.SQLITE_PATH,
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
    records,
  };
}
