// FHIR R4 export of an intake record: a Bundle (type collection) with a QuestionnaireResponse (each answer and
// follow-up, against the Questionnaire this server serves at its canonical URL), a RiskAssessment (the level as
// prediction.qualitativeRisk, the patterns and red flags with their evidence, basis → the QuestionnaireResponse),
// an Observation for a reported temperature (LOINC 8310-5, UCUM Cel) and a Flag when the level is emergency.
import { createHash } from 'node:crypto';
import type { Level } from '../triage/types.js';
import type { IntakeRecord } from './model.js';

export const QUESTIONNAIRE_ID = 'triage-intake';
export const QUESTIONNAIRE_VERSION = '1.0.0';

/** Follow-up topics of DESIGN.md "HTTP faces" (the emergency screen's answer is `screen`). */
const FOLLOW_UPS: [string, string][] = [
  ['temperature', 'Have you taken a temperature? If so, what was it?'],
  ['pump', 'About the baclofen pump: has it alarmed, is a refill overdue, or has there been recent surgery or a fall?'],
  ['timing', 'When did these symptoms start?'],
  ['breathing', 'How is the breathing: normal, or slow, shallow or noisy? Is the person easy to wake?'],
  ['suicidal', 'Since the antidepressant started or changed, or with low mood: any thoughts of self-harm or of ending life?'],
  ['alcohol', 'Has there been any alcohol recently, or a recent stop in heavy drinking?'],
  ['screen', 'Emergency signs not yet denied (the emergency screen): is any of them happening now?'],
  ['other', 'Anything else?'],
];
const MAIN: [string, string][] = [
  ['medications', 'Which medicines do you (or the person you are helping) take now?'],
  ['doseChanges', 'Any recent changes: a medicine started, stopped, missed, run out, increased or decreased, or a pump alarm or missed refill? And when was that?'],
  ['symptoms', 'What symptoms or changes have you noticed?'],
];

export const questionnaireUrl = (publicUrl: string) => `${publicUrl}/fhir/Questionnaire/${QUESTIONNAIRE_ID}`;
const system = (publicUrl: string, name: string) => `${publicUrl}/fhir/CodeSystem/${name}`;

const LEVEL_DISPLAY: Record<Level, string> = {
  emergency: 'Emergency: call the emergency number now',
  urgent: 'Urgent: get care or reach the prescriber or pump clinic today',
  'contact-clinician': 'Contact the prescriber or pharmacist within 1-3 days',
  'self-monitor': 'Self-monitor: no concerning pattern',
};

export function questionnaire(publicUrl: string): Record<string, unknown> {
  return {
    resourceType: 'Questionnaire',
    id: QUESTIONNAIRE_ID,
    url: questionnaireUrl(publicUrl),
    version: QUESTIONNAIRE_VERSION,
    name: 'TriageIntake',
    title: 'Medication reaction triage intake',
    status: 'active',
    subjectType: ['Patient'],
    description: 'The questions of the medication-reaction triage (serotonin toxicity, baclofen withdrawal, CNS depression, withdrawal at intake). Answers are free text as the person typed them.',
    item: [
      ...MAIN.map(([linkId, text]) => ({ linkId, text, type: 'text' })),
      { linkId: 'followUps', text: 'Follow-up questions asked only when they could change the level', type: 'group', item: FOLLOW_UPS.map(([linkId, text]) => ({ linkId, text, type: 'text' })) },
    ],
  };
}

/** A stable urn:uuid per record and resource, so the same record exports to the same Bundle ids. */
function urn(ref: string, kind: string): string {
  const h = createHash('sha256').update(`${ref}/${kind}`).digest('hex');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The Bundle; undefined for a withdrawn record (nothing left to export). */
export function recordBundle(r: IntakeRecord, publicUrl: string): Record<string, unknown> | undefined {
  const a = r.assessment;
  const answers = r.answers;
  if (!a || !answers || r.status === 'withdrawn') return undefined;
  const refId = { system: `${publicUrl}/fhir/intake-reference`, value: r.ref };
  const subject = r.clientReference
    ? { identifier: { system: `${publicUrl}/fhir/client-reference/${r.centre}`, value: r.clientReference }, display: `Client ${r.clientReference}` }
    : { display: `Person who completed intake ${r.ref}` };
  const ids = { qr: urn(r.ref, 'QuestionnaireResponse'), ra: urn(r.ref, 'RiskAssessment'), obs: urn(r.ref, 'Observation'), flag: urn(r.ref, 'Flag') };
  const text = (v: string | undefined) => (v ?? '').trim();

  const followUps = FOLLOW_UPS.filter(([id]) => text(answers.followUps?.[id])).map(([linkId, q]) => ({
    linkId, text: q, answer: [{ valueString: text(answers.followUps[linkId]) }],
  }));
  const qr = {
    resourceType: 'QuestionnaireResponse',
    identifier: refId,
    questionnaire: `${questionnaireUrl(publicUrl)}|${QUESTIONNAIRE_VERSION}`,
    status: 'completed',
    subject,
    authored: r.createdAt,
    item: [
      ...MAIN.filter(([id]) => text(answers[id as 'medications'])).map(([linkId, q]) => ({
        linkId, text: q, answer: [{ valueString: text(answers[linkId as 'medications']) }],
      })),
      ...(followUps.length ? [{ linkId: 'followUps', text: 'Follow-up questions asked only when they could change the level', item: followUps }] : []),
    ],
  };

  const temperature = a.findings.temperatureC;
  const observation = temperature === undefined ? undefined : {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '8310-5', display: 'Body temperature' }], text: 'Body temperature (reported)' },
    subject,
    effectiveDateTime: a.now || r.createdAt,
    valueQuantity: { value: Math.round(temperature * 10) / 10, unit: 'Cel', system: 'http://unitsofmeasure.org', code: 'Cel' },
    derivedFrom: [{ reference: ids.qr }],
    note: [{ text: 'Reported by the person in the triage; not measured by staff.' }],
  };

  const level = { coding: [{ system: system(publicUrl, 'triage-level'), code: a.level, display: LEVEL_DISPLAY[a.level] }], text: a.level };
  const ra = {
    resourceType: 'RiskAssessment',
    identifier: [refId],
    status: 'final',
    method: { text: `Rule-based medication-reaction triage, knowledge version ${a.knowledgeVersion}` },
    code: { text: 'Medication reaction triage' },
    subject,
    occurrenceDateTime: r.createdAt,
    basis: [{ reference: ids.qr }, ...(observation ? [{ reference: ids.obs }] : [])],
    prediction: [
      { outcome: { text: a.headline }, qualitativeRisk: level, rationale: a.reasons.map((x) => x.text).join(' ') || a.headline },
      ...a.patterns.filter((p) => p.status !== 'absent').map((p) => ({
        outcome: { coding: [{ system: system(publicUrl, 'triage-pattern'), code: p.id }], text: p.id },
        qualitativeRisk: { coding: [{ system: system(publicUrl, 'triage-pattern-status'), code: p.status }], text: p.status },
        rationale: p.evidence.length ? `Evidence: ${p.evidence.join('; ')}` : `Pattern ${p.status}`,
      })),
      ...a.redFlags.map((f) => ({
        outcome: { coding: [{ system: system(publicUrl, 'triage-red-flag'), code: f.id }], text: `Red flag: ${f.id}` },
        qualitativeRisk: { coding: [{ system: system(publicUrl, 'triage-level'), code: 'emergency', display: LEVEL_DISPLAY.emergency }], text: 'emergency' },
        rationale: `Evidence: ${f.evidence}`,
      })),
    ],
    note: [{ text: 'Automated triage from what the person typed. Not a diagnosis.' }],
  };

  const flag = a.level !== 'emergency' ? undefined : {
    resourceType: 'Flag',
    status: 'active',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'clinical', display: 'Clinical' }] }],
    code: { coding: [{ system: system(publicUrl, 'triage-level'), code: 'emergency', display: LEVEL_DISPLAY.emergency }], text: `Emergency triage result: ${a.headline}` },
    subject,
    period: { start: r.createdAt },
  };

  return {
    resourceType: 'Bundle',
    identifier: refId,
    type: 'collection',
    timestamp: new Date().toISOString(),
    entry: [
      { fullUrl: ids.qr, resource: qr },
      { fullUrl: ids.ra, resource: ra },
      ...(observation ? [{ fullUrl: ids.obs, resource: observation }] : []),
      ...(flag ? [{ fullUrl: ids.flag, resource: flag }] : []),
    ],
  };
}
