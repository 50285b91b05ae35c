// The FHIR R4 export, checked by a real validator: the `fhir` package (lantanagroup FHIR.js) validates each resource
// against the R4 core structure definitions and value sets it ships, offline.
import { Fhir } from 'fhir';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStaff, EMERGENCY_BODY, MILD_BODY, startRecordsServer, type RecordsServer } from './records-helpers.js';

const fhir = new Fhir();
const EXTERNAL_CODE = /^Code "[^"]+" \((?:http:\/\/loinc\.org|https:\/\/triage\.example\.org\/fhir\/CodeSystem\/triage-[a-z-]+)\) not found in value set$/;

/**
 * Errors, and every warning except two kinds the offline validator gives for any code of a system it does not ship:
 * LOINC 8310-5 (Observation.code, an example binding), and this server's own level/pattern code systems in
 * RiskAssessment.prediction.qualitativeRisk and Flag.code (example bindings in R4, so other codes are allowed).
 */
function problems(resource: unknown): string[] {
  const result = fhir.validate(resource, { errorOnUnexpected: true }) as { valid: boolean; messages: { location?: string; severity: string; message: string }[] };
  return result.messages
    .filter((m) => m.severity === 'error' || (m.severity === 'warning' && !EXTERNAL_CODE.test(m.message)))
    .map((m) => `${m.severity} ${m.location}: ${m.message}`);
}

let srv: RecordsServer;
let token: string;
beforeAll(async () => {
  srv = await startRecordsServer();
  ({ token } = await addStaff(srv.records, 'fhir-reader'));
});
afterAll(async () => { await srv?.close(true); });

async function saved(body: object): Promise<string> {
  const res = await srv.request('POST', '/api/assess', { body: { ...body, record: true } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { record: { ref: string } }).record.ref;
}

async function bundleOf(ref: string) {
  const res = await srv.request('GET', `/api/records/${ref}/fhir`, { auth: token });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
  return (await res.json()) as { resourceType: string; type: string; entry: { fullUrl: string; resource: Record<string, any> }[] };
}

describe('FHIR R4 export', () => {
  it('the validator itself rejects what is not R4 (so a pass means something)', () => {
    expect(problems({ resourceType: 'Flag', status: 'bogus', code: { text: 'x' } }).length).toBeGreaterThan(0);
    expect(problems({ resourceType: 'RiskAssessment', status: 'final', subject: { display: 'x' }, prediction: [{ qualitativeRisk: 'high' }] }).length).toBeGreaterThan(0);
    expect(problems({ resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'urn:uuid:1', resource: { resourceType: 'Observation', status: 'nope', code: { text: 't' } } }] }).length).toBeGreaterThan(0);
  });

  it('an emergency with a temperature: Bundle with QuestionnaireResponse, RiskAssessment, Observation and Flag, all valid R4', async () => {
    const ref = await saved({ ...EMERGENCY_BODY, client: { reference: 'MRN-0042' }, followUps: { breathing: 'slow and noisy' } });
    const bundle = await bundleOf(ref);
    expect(problems(bundle)).toEqual([]);
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.type).toBe('collection');
    const byType = Object.fromEntries(bundle.entry.map((e) => [e.resource.resourceType, e]));
    expect(Object.keys(byType).sort()).toEqual(['Flag', 'Observation', 'QuestionnaireResponse', 'RiskAssessment']);
    for (const e of bundle.entry) expect(problems(e.resource)).toEqual([]);

    const qr = byType.QuestionnaireResponse!.resource;
    expect(qr.questionnaire).toBe('https://triage.example.org/fhir/Questionnaire/triage-intake|1.0.0');
    expect(qr.status).toBe('completed');
    const answer = (id: string) => qr.item.find((i: any) => i.linkId === id)?.answer?.[0]?.valueString;
    expect(answer('medications')).toBe(EMERGENCY_BODY.medications);
    expect(answer('symptoms')).toBe(EMERGENCY_BODY.symptoms);
    expect(qr.item.find((i: any) => i.linkId === 'followUps').item[0]).toMatchObject({ linkId: 'breathing', answer: [{ valueString: 'slow and noisy' }] });
    expect(qr.subject.identifier.value).toBe('MRN-0042');

    const ra = byType.RiskAssessment!.resource;
    expect(ra.prediction[0].qualitativeRisk.coding[0].code).toBe('emergency');
    expect(ra.basis.map((b: any) => b.reference)).toContain(byType.QuestionnaireResponse!.fullUrl);
    const outcomes = ra.prediction.flatMap((p: any) => p.outcome.coding?.map((c: any) => c.code) ?? []);
    expect(outcomes).toEqual(expect.arrayContaining(['seizure', 'hyperthermia']));
    expect(ra.prediction.find((p: any) => p.outcome.coding?.[0].code === 'seizure').rationale).toMatch(/seizure/i);

    const obs = byType.Observation!.resource;
    expect(obs.code.coding[0]).toMatchObject({ system: 'http://loinc.org', code: '8310-5' });
    expect(obs.valueQuantity).toEqual({ value: 40.1, unit: 'Cel', system: 'http://unitsofmeasure.org', code: 'Cel' });
    expect(obs.derivedFrom[0].reference).toBe(byType.QuestionnaireResponse!.fullUrl);
    expect(byType.Flag!.resource.status).toBe('active');
  });

  it('a mild result has no Flag and no Observation, and is valid', async () => {
    const bundle = await bundleOf(await saved(MILD_BODY));
    expect(problems(bundle)).toEqual([]);
    expect(bundle.entry.map((e) => e.resource.resourceType)).toEqual(['QuestionnaireResponse', 'RiskAssessment']);
  });

  it('the Questionnaire is served at its canonical URL and is valid R4; every answered linkId is in it', async () => {
    const res = await fetch(`${srv.url}/fhir/Questionnaire/triage-intake`);
    expect(res.status).toBe(200);
    const q = (await res.json()) as { url: string; item: { linkId: string; item?: { linkId: string }[] }[] };
    expect(problems(q)).toEqual([]);
    expect(q.url).toBe('https://triage.example.org/fhir/Questionnaire/triage-intake');
    const ids = q.item.flatMap((i) => [i.linkId, ...(i.item ?? []).map((x) => x.linkId)]);
    expect(ids).toEqual(expect.arrayContaining(['medications', 'doseChanges', 'symptoms', 'followUps', 'temperature', 'breathing', 'screen']));
    expect((await fetch(`${srv.url}/fhir/Questionnaire/other`)).status).toBe(404);
  });
});
