// How the conversation's own answers are read: the emergency screen's answer, and follow-up topics that earlier
// free text already answered (so neither the intake nor an integrator asks them again). Kept apart from the reader
// (text → findings), which is rewritten separately; this file only looks at answers and at the findings read from them.
import type { AssessInput, Findings, FollowUpTopic } from './types.js';

// ---- the emergency screen (clinical.md 5.1, 5.1b) ---------------------------------------------------------------

// A word ends where no letter or digit follows (\b does not know that "sí" is a word).
const SCREEN_NONE = /^\s*(?:no(?:pe|ne)?|nothing|nah|never|not (?:at all|any|one)|ninguno|ninguna|nada|nunca)(?![\p{L}\p{N}])/iu;
const SCREEN_YES = /^\s*(?:y|yes|yeah|yep|yup|si|sí|one of (?:them|these|those)|some of (?:them|these|those)|alguno|alguna|uno de)(?![\p{L}\p{N}])/iu;

/** The screen's answer says that one of the emergency signs is happening now ("yes", "yes: chest pain", "sí").
 * A named sign without "yes" is read as a symptom by the reader, like any other answer. */
export function screenAffirmed(answer: string | undefined): boolean {
  return Boolean(answer) && !SCREEN_NONE.test(answer!) && SCREEN_YES.test(answer!);
}

// ---- follow-ups already answered in free text --------------------------------------------------------------

/** Said where baclofen is named: taken by mouth, or no pump ("baclofen tablets", "no pump", "sin bomba"). */
const ORAL_ROUTE = /\b(?:tablets?|pills?|by mouth|oral(?:ly)?|capsules?|liquid|pastillas?|tabletas?|c[aá]psulas?|por boca|l[ií]quido)\b/i;
const NO_PUMP = /\b(?:no|not|don'?t|dont|doesn'?t|never|without|sin|ninguna?)\b(?:\s+\S+){0,3}\s+(?:pump|bomba)\b/i;
/** "breathing is fine", "respira bien": the breathing question's answer, which the findings do not record. */
const BREATHING_FINE = /\b(?:breath\w*|respira\w*)\s+(?:is\s+|seems\s+|looks\s+|sounds\s+)?(?:fine|normal(?:ly)?|ok(?:ay)?|good|alright|bien)\b/i;

const SENTENCES = /[^.!?;\n]+/g;
const BREATHING_FINDINGS = new Set(['breathing-problem']);
const SUICIDAL_FINDINGS = new Set(['suicidal-ideation', 'suicidal-intent']);

/** Follow-up topics that the answers so far already answer, whatever was asked: the baclofen route (tablets, "no pump"),
 * alcohol ("I don't drink", "a beer a night"), breathing ("breathing is fine") and thoughts of self-harm (said or denied). */
export function answeredInText(input: AssessInput, f: Findings): Set<FollowUpTopic> {
  const out = new Set<FollowUpTopic>();
  const texts = [input.medications, input.doseChanges, input.symptoms, ...Object.values(input.followUps ?? {})]
    .filter((t): t is string => typeof t === 'string' && t.length > 0);
  // The pump question stays for pump users and for anyone who has not said how baclofen is taken.
  const baclofen = f.medications.find((m) => m.name === 'baclofen');
  if (baclofen && !f.pumpUser) {
    const mention = baclofen.text.toLowerCase();
    const sentences = texts.flatMap((t) => t.match(SENTENCES) ?? []);
    if (sentences.some((s) => NO_PUMP.test(s)) || sentences.some((s) => s.toLowerCase().includes(mention) && ORAL_ROUTE.test(s))) out.add('pump');
  }
  if (f.medications.some((m) => m.name === 'alcohol') || f.excludedMedications.some((e) => e.name === 'alcohol')) out.add('alcohol');
  if (f.symptoms.some((s) => BREATHING_FINDINGS.has(s.id)) || texts.some((t) => BREATHING_FINE.test(t))) out.add('breathing');
  if (f.symptoms.some((s) => SUICIDAL_FINDINGS.has(s.id))) out.add('suicidal');
  return out;
}
