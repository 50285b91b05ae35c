// Consent to share with the centre's intake staff (INTAKE_RECORDS=on), asked once after the emergency screen, just
// before the result (an emergency's result comes first, so the question never holds it up): yes saves the result as an
// intake record and shows its reference; no, "not sure" or no answer saves nothing and the result is shown all the same.
// What a record is and where it goes is the records module's business; the dialog only asks and hands it over.
import type { TurnContext } from 'botbuilder';
import type { Assessment, AssessInput } from '../src/triage/index.js';
import { langOf } from './strings.js';

/** What the dialog needs from the intake records (given by the server when INTAKE_RECORDS=on). */
export interface IntakeRecords {
  /** The centre that would receive the record, by name, for the question. */
  centreName(ctx: TurnContext): string;
  /** Days a record is kept (RECORDS_TTL_DAYS). */
  ttlDays: number;
  /** Saves the record; returns its reference code ("K7F-2QX"). */
  save(ctx: TurnContext, r: { input: AssessInput; assessment: Assessment; statement: string }): Promise<string>;
}

const text = {
  en: {
    ask: 'Before your result: do you agree that your answers and this result are shared with the intake staff of {centre}? '
      + 'They would see what you told me here and may contact you about it. It is kept for {days} days, and you can type '
      + '"delete my data" at any time to withdraw it. If you say no, nothing is saved and you still get your result.',
    askAfter: 'Do you agree that your answers and this result are shared with the intake staff of {centre}? '
      + 'They would see what you told me here and may contact you about it. It is kept for {days} days, and you can type '
      + '"delete my data" at any time to withdraw it. If you say no, nothing is saved.',
    saved: 'Thank you. Your answers were shared with the intake staff. Your reference is {ref}.',
    notSaved: 'OK, nothing was shared or saved.',
    failed: 'Sorry, I could not save your answers for the intake staff just now, so nothing was shared. Your result is below.',
    failedAfter: 'Sorry, I could not save your answers for the intake staff just now, so nothing was shared.',
    explain: 'If you say yes, the intake staff of {centre} can read your answers and this result, and may contact you; '
      + 'it is deleted after {days} days, or as soon as you type "delete my data". If you say no, nothing is kept.',
    centre: 'the centre',
  },
  es: {
    ask: 'Antes de su resultado: ¿acepta que sus respuestas y este resultado se compartan con el personal de admisión de {centre}? '
      + 'Verían lo que me dijo aquí y podrían contactarle. Se guarda {days} días, y puede escribir "borrar mis datos" '
      + 'en cualquier momento para retirarlo. Si dice que no, no se guarda nada y recibe su resultado igual.',
    askAfter: '¿Acepta que sus respuestas y este resultado se compartan con el personal de admisión de {centre}? '
      + 'Verían lo que me dijo aquí y podrían contactarle. Se guarda {days} días, y puede escribir "borrar mis datos" '
      + 'en cualquier momento para retirarlo. Si dice que no, no se guarda nada.',
    saved: 'Gracias. Sus respuestas se compartieron con el personal de admisión. Su referencia es {ref}.',
    notSaved: 'De acuerdo, no se compartió ni se guardó nada.',
    failed: 'Perdón, no pude guardar sus respuestas para el personal de admisión, así que no se compartió nada. Su resultado está abajo.',
    failedAfter: 'Perdón, no pude guardar sus respuestas para el personal de admisión, así que no se compartió nada.',
    explain: 'Si dice que sí, el personal de admisión de {centre} puede leer sus respuestas y este resultado, y podría contactarle; '
      + 'se borra a los {days} días, o en cuanto escriba "borrar mis datos". Si dice que no, no se guarda nada.',
    centre: 'el centro',
  },
};

export type ConsentText = keyof (typeof text)['en'];

export function consentSay(locale: string | undefined, key: ConsentText, vars: Record<string, string> = {}): string {
  return text[langOf(locale)][key].replace(/\{(\w+)\}/g, (m, name: string) => vars[name] ?? m);
}

/** The question, with the centre and the retention filled in; `after`: the result (an emergency) was shown first. */
export function consentQuestion(records: IntakeRecords, ctx: TurnContext, locale: string, after: boolean): string {
  return consentSay(locale, after ? 'askAfter' : 'ask', consentVars(records, ctx, locale));
}

/** What saying yes or no means, for "what do you mean?" or "who would see it?" at the question. */
export function consentExplain(records: IntakeRecords, ctx: TurnContext, locale: string): string {
  return consentSay(locale, 'explain', consentVars(records, ctx, locale));
}

function consentVars(records: IntakeRecords, ctx: TurnContext, locale: string): Record<string, string> {
  return { centre: records.centreName(ctx) || consentSay(locale, 'centre'), days: String(records.ttlDays) };
}
