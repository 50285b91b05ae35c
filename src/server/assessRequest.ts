// Validates a POST /api/assess body (DESIGN.md "HTTP faces") into the core's AssessInput.
import { z } from 'zod';
import { BCP47 } from '../config.js';
import { FOLLOW_UP_TOPICS, type AssessInput, type FollowUpTopic } from '../triage/index.js';

/** The default per-answer cap (MAX_ANSWER_CHARS). */
export const MAX_FIELD_CHARS = 2_000;
const FIELDS = ['medications', 'doseChanges', 'symptoms', 'followUps', 'now', 'locale'];

/** The body's schema for one per-answer cap; built once per cap (at start-up), not per request. */
function schemaFor(maxChars: number) {
  // null is accepted as "empty" because form builders and EHR exports often send it for blank answers.
  const answer = z.string({ error: 'must be a string' })
    .max(maxChars, `must be at most ${maxChars} characters (MAX_ANSWER_CHARS)`)
    .nullish();

  const followUps = z.record(z.string(), answer, { error: 'must be an object of topic → answer' })
    .superRefine((obj, ctx) => {
      for (const key of Object.keys(obj)) {
        if (!(FOLLOW_UP_TOPICS as readonly string[]).includes(key)) {
          ctx.addIssue({ code: 'custom', path: [key], message: `is not a known topic (use ${FOLLOW_UP_TOPICS.join(', ')})` });
        }
      }
    })
    .nullish();

  // Unknown top-level fields are rejected: a typo such as "symptom" would otherwise silently lower the level.
  const body = z.strictObject({
    medications: answer,
    doseChanges: answer,
    symptoms: answer,
    followUps,
    now: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time with an offset or Z, e.g. 2026-03-08T09:00:00-05:00' }).nullish(),
    locale: z.string({ error: 'must be a string' }).regex(BCP47, 'must be a BCP-47 tag such as en-US').nullish(),
  }, { error: 'body must be a JSON object' });
  return body;
}

const schemas = new Map<number, ReturnType<typeof schemaFor>>();

export type AssessRequestResult = { ok: true; input: AssessInput } | { ok: false; error: string };

export function parseAssessRequest(raw: unknown, maxChars = MAX_FIELD_CHARS): AssessRequestResult {
  let body = schemas.get(maxChars);
  if (!body) schemas.set(maxChars, (body = schemaFor(maxChars)));
  const parsed = body.safeParse(raw);
  if (!parsed.success) return { ok: false, error: describe(parsed.error.issues[0]!) };
  const b = parsed.data;
  const input: AssessInput = {
    medications: b.medications ?? '',
    doseChanges: b.doseChanges ?? '',
    symptoms: b.symptoms ?? '',
  };
  if (b.followUps) {
    const entries = Object.entries(b.followUps).filter((e): e is [FollowUpTopic, string] => typeof e[1] === 'string');
    input.followUps = Object.fromEntries(entries);
  }
  if (b.now) input.now = b.now;
  if (b.locale) input.locale = b.locale;
  return { ok: true, input };
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}; expected ${FIELDS.join(', ')}`;
  }
  if (issue.path.length === 0) return 'body must be a JSON object';
  return `${issue.path.join('.')} ${issue.message}`;
}
