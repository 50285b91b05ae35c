// Settings of the intake handoff (DESIGN.md "Configuration"): INTAKE_RECORDS, RECORDS_TTL_DAYS, ALERT_WEBHOOK_URL,
// ALERT_WEBHOOK_SECRET, ALERT_WEBHOOK_FORMAT, ALERT_LEVELS, plus INTAKE_CENTRES and PUBLIC_URL. src/config.ts merges
// this schema into its own and calls recordsConfig() on the parsed values; every problem names its setting.
import path from 'node:path';
import { z } from 'zod';
import { LEVELS, type Level } from '../triage/types.js';

export const ALERT_FORMATS = ['json', 'teams', 'slack'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

const onOff = z.enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'], { error: 'must be on or off' });
const CENTRE_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** The records settings as zod fields; an empty value has already been removed by loadConfig ("not set"). */
export const recordsSchema = {
  INTAKE_RECORDS: onOff.default('off'),
  RECORDS_TTL_DAYS: z.coerce.number({ error: 'must be a number' }).positive('must be greater than 0')
    .max(3650, 'must be at most 3650 (ten years)').default(30),
  ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  ALERT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  ALERT_WEBHOOK_FORMAT: z.enum(ALERT_FORMATS, { error: 'must be json, teams or slack' }).default('json'),
  ALERT_LEVELS: z.string().default('emergency,urgent'),
  INTAKE_CENTRES: z.string().optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://triage.example.org' }).optional(),
};

type RecordsEnv = z.output<z.ZodObject<typeof recordsSchema>>;

export interface Centre { id: string; name: string }

export interface RecordsConfig {
  /** INTAKE_RECORDS=on: assessments may be saved (with consent) and the staff faces exist. Off by default. */
  enabled: boolean;
  ttlDays: number;
  /** SQLite file of records, staff, audit and alert outbox: beside the conversation store (SQLITE_PATH's folder). */
  path: string;
  centres: Centre[];
  /** Base URL people and webhooks reach this server at: links to the staff page, the Questionnaire's canonical URL. */
  publicUrl: string;
  alerts?: { url: string; secret?: string; format: AlertFormat; levels: Level[] };
}

/** Validates the cross-field rules; returns the config or the problems, each naming its setting. */
export function recordsConfig(e: RecordsEnv, ctx: { sqlitePath: string; port: number }): RecordsConfig | string[] {
  const problems: string[] = [];
  const levels = e.ALERT_LEVELS.split(/[\s,]+/).filter(Boolean);
  const badLevel = levels.find((l) => !(LEVELS as readonly string[]).includes(l));
  if (badLevel !== undefined || !levels.length) {
    problems.push(`ALERT_LEVELS must be a comma-separated list of ${[...LEVELS].reverse().join(', ')}${badLevel ? ` ("${badLevel}" is not one)` : ''}`);
  }
  const centres: Centre[] = [];
  for (const part of (e.INTAKE_CENTRES ?? 'main').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [id = '', ...rest] = part.split('=');
    const name = rest.join('=').trim() || id.trim();
    if (!CENTRE_ID.test(id.trim())) problems.push(`INTAKE_CENTRES "${id.trim()}" must be an id of lowercase letters, digits and dashes (id or id=Name)`);
    else if (centres.some((c) => c.id === id.trim())) problems.push(`INTAKE_CENTRES lists "${id.trim()}" twice`);
    else centres.push({ id: id.trim(), name: name.slice(0, 80) });
  }
  if (!centres.length) problems.push('INTAKE_CENTRES must name at least one centre');
  if (e.ALERT_WEBHOOK_URL && e.ALERT_WEBHOOK_FORMAT === 'json' && !e.ALERT_WEBHOOK_SECRET) {
    problems.push('ALERT_WEBHOOK_SECRET is required when ALERT_WEBHOOK_URL is set with ALERT_WEBHOOK_FORMAT=json (alerts are signed)');
  }
  if (problems.length) return problems;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${ctx.port || 3978}`).replace(/\/+$/, '');
  const sqliteDir = ctx.sqlitePath === ':memory:' ? './data' : path.dirname(ctx.sqlitePath);
  return {
    enabled: ['on', 'true', '1', 'yes'].includes(e.INTAKE_RECORDS),
    ttlDays: e.RECORDS_TTL_DAYS,
    path: path.join(sqliteDir, 'records.sqlite'),
    centres,
    publicUrl,
    alerts: e.ALERT_WEBHOOK_URL
      ? { url: e.ALERT_WEBHOOK_URL, secret: e.ALERT_WEBHOOK_SECRET, format: e.ALERT_WEBHOOK_FORMAT, levels: levels as Level[] }
      : undefined,
  };
}
