// POST /api/assess with "record": true (and optionally "client": { "reference", "centre" }): the assessment is saved
// as an intake record and answered with `record: { ref }`. The two fields are taken off the body here, so the
// assessment's own validation (assessRequest.ts) stays as it is.
import type { AssessInput, Assessment } from '../triage/index.js';
import type { Records } from '../records/service.js';

export interface RecordWanted { clientReference?: string; centre: string }

export type RecordFields =
  | { ok: true; body: unknown; wanted?: RecordWanted }
  | { ok: false; status: number; error: string };

const CLIENT_KEYS = ['reference', 'centre'];
const PRINTABLE = /^[\p{L}\p{N}\p{P}\p{S} ]+$/u;

/** Splits "record" and "client" off an /api/assess body; errors name the field. */
export function splitRecordFields(body: unknown, records: Records | undefined): RecordFields {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: true, body };
  const { record, client, ...rest } = body as Record<string, unknown>;
  if (record === undefined && client === undefined) return { ok: true, body };
  if (record !== undefined && record !== null && typeof record !== 'boolean') return { ok: false, status: 400, error: 'record must be true or false' };
  if (client !== undefined && client !== null) {
    if (typeof client !== 'object' || Array.isArray(client)) return { ok: false, status: 400, error: 'client must be an object such as { "reference": "A-1234" }' };
    const unknown = Object.keys(client).find((k) => !CLIENT_KEYS.includes(k));
    if (unknown) return { ok: false, status: 400, error: `unknown field "client.${unknown}"; expected ${CLIENT_KEYS.join(', ')}` };
    const { reference, centre } = client as Record<string, unknown>;
    if (reference !== undefined && reference !== null && (typeof reference !== 'string' || !reference.trim() || reference.length > 128 || !PRINTABLE.test(reference))) {
      return { ok: false, status: 400, error: 'client.reference must be a string of 1-128 printable characters' };
    }
    if (centre !== undefined && centre !== null && (typeof centre !== 'string' || !records?.centre(centre))) {
      return { ok: false, status: 400, error: `client.centre must be one of the configured centres${records ? ` (${records.config.centres.map((c) => c.id).join(', ')})` : ''}` };
    }
  }
  if (record !== true) {
    if (client !== undefined && client !== null) return { ok: false, status: 400, error: 'client is only used with "record": true' };
    return { ok: true, body: rest };
  }
  if (!records) return { ok: false, status: 400, error: 'record: intake records are off on this server (INTAKE_RECORDS)' };
  const c = (client ?? {}) as { reference?: string; centre?: string };
  return { ok: true, body: rest, wanted: { clientReference: c.reference?.trim() || undefined, centre: records.centre(c.centre)! } };
}

/** Saves the record; the assessment goes back with `record: { ref }`. */
export async function saveAssessRecord(records: Records, wanted: RecordWanted, input: AssessInput, assessment: Assessment): Promise<Assessment & { record: { ref: string } }> {
  const ref = await records.saveFromApi({
    centre: wanted.centre,
    clientReference: wanted.clientReference,
    answers: {
      medications: input.medications ?? '', doseChanges: input.doseChanges ?? '', symptoms: input.symptoms ?? '',
      followUps: { ...(input.followUps ?? {}) } as Record<string, string>, now: input.now, locale: input.locale,
    },
    assessment,
  });
  return { ...assessment, record: { ref } };
}
