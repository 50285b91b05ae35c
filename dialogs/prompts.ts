// Prompts that accept what people really send: typed text, a card button (activity.value, no text), "not sure".
import { InputHints, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import { TextPrompt, type PromptOptions, type PromptRecognizerResult, type PromptValidatorContext } from './sdk.js';

/** Text of a message, or of a card submit: botbuilder-js #515, a submit arrives with `value` and no `text`. */
export function inputText(activity: Partial<Activity>): string {
  const text = typeof activity.text === 'string' ? activity.text.trim() : '';
  if (text) return text;
  const v = activity.value as unknown;
  if (typeof v === 'string') return v.trim();
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const preferred = o.answer ?? o.text ?? o.value;
    if (typeof preferred === 'string') return preferred.trim();
    return Object.values(o).filter((x): x is string => typeof x === 'string').join(' ').trim();
  }
  return '';
}

export class AnswerPrompt extends TextPrompt {
  protected override async onRecognize(context: TurnContext, _s: object, _o: PromptOptions): Promise<PromptRecognizerResult<string>> {
    const value = context.activity.type === 'message' ? inputText(context.activity) : '';
    return value ? { succeeded: true, value } : { succeeded: false };
  }
}

const UNKNOWN = /^(?:i\s*)?(?:(?:don'?t|do not|dont)\s+know|not\s+sure|no\s+idea|unsure|unknown|n\/?a|dunno|idk|no\s+s[eé]|ni\s+idea|no\s+estoy\s+segur[oa])\b/i;
const YES = /^(?:y|yes|yeah|yep|yup|sure|correct|right|that'?s right|ok(?:ay)?|s[ií]|claro|correcto)\b/i;
const NO = /^(?:n|no|nope|nah|not really|wrong|incorrect)\b/i;
const GREETING_ONLY = /^(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|hola|buenas|buenos d[ií]as)[\s!.,]*$/i;

export const isUnknown = (text: string) => UNKNOWN.test(text.trim());

/** Any real answer: not empty, not only emoji or punctuation, not just "hi" (which would otherwise become an answer). */
export async function answerValidator(pc: PromptValidatorContext<string>): Promise<boolean> {
  const t = pc.recognized.value?.trim() ?? '';
  return pc.recognized.succeeded && /[\p{L}\p{N}]/u.test(t) && !GREETING_ONLY.test(t);
}

export type YesNo = 'yes' | 'no' | 'unsure';

export function yesNo(text: string): YesNo | undefined {
  const t = text.trim();
  if (isUnknown(t)) return 'unsure';
  if (NO.test(t)) return 'no';
  if (YES.test(t)) return 'yes';
  return undefined;
}

export async function yesNoValidator(pc: PromptValidatorContext<string>): Promise<boolean> {
  return pc.recognized.succeeded && yesNo(pc.recognized.value ?? '') !== undefined;
}

/** A number in a reply must be a plausible body temperature (°C or °F); words ("no fever", "not sure") pass. */
export async function temperatureValidator(pc: PromptValidatorContext<string>): Promise<boolean> {
  if (!(await answerValidator(pc))) return false;
  const numbers = [...(pc.recognized.value ?? '').replace(/(\d),(\d)/g, '$1.$2').matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
  return numbers.every((n) => (n >= 30 && n <= 45) || (n >= 86 && n <= 113));
}

/** A prompt that says it expects an answer, with optional buttons where the channel shows them. */
export function question(text: string, retry: string, buttons: string[] = [], showButtons = true): PromptOptions {
  const make = (t: string) => {
    const a = showButtons && buttons.length ? MessageFactory.suggestedActions(buttons, t) : MessageFactory.text(t);
    a.inputHint = InputHints.ExpectingInput;
    return a;
  };
  return { prompt: make(text), retryPrompt: make(retry) };
}
