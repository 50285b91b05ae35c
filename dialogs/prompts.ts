// What people really send, read as answers: typed text, a card button (activity.value, no text), "not sure", "no sé",
// "never", emoji. Word lists only; what the words mean clinically is the core's business.
import { InputHints, MessageFactory, type Activity } from 'botbuilder';

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

// A word ends where no letter or digit follows: \b does not know that "sí" or "sé" are words.
const END = '(?![\\p{L}\\p{N}])';
const UNKNOWN = new RegExp(`^(?:i\\s*)?(?:(?:don'?t|do not|dont)\\s+know|not\\s+(?:sure|certain)|no\\s+idea|unsure|unknown|n/?a|dunno|idk|i\\s+can'?t\\s+(?:say|tell|remember)|can'?t\\s+remember|no\\s+s[eé]|no\\s+lo\\s+s[eé]|ni\\s+idea|no\\s+estoy\\s+segur[oa]|no\\s+me\\s+acuerdo|qui[eé]n\\s+sabe|desconozco)${END}`, 'iu');
const YES = new RegExp(`^(?:y|yes|yeah|yea|yep|yup|ya|sure|correct|right|that'?s right|that'?s it|exactly|ok(?:ay)?|of course|s[ií]|claro|correcto|exacto|as[ií] es|eso)${END}`, 'iu');
const NO = new RegExp(`^(?:n|no|nope|nah|not really|wrong|incorrect|never|none|nunca|ninguno|ninguna|para nada|i\\s+(?:did\\s*n[o']?t|didnt|have\\s*n'?t|havent|have not|did not)|did\\s*n[o']?t|didnt|haven'?t)${END}`, 'iu');
/** "No", "none", "nothing", "that's all": an answer that adds nothing (a bare "no" is still an answer). */
export const NOTHING = new RegExp(`^(?:no(?:pe|ne)?|nothing(?:\\s+else)?|none\\s+of\\s+(?:these|them|those)|nah|never|no\\s+(?:changes?|symptoms?|others?|more|thanks)|that(?:'?s|\\s+is)\\s+(?:all|it)|no,?\\s+that(?:'?s|\\s+is)\\s+(?:all|it)|nada(?:\\s+m[aá]s)?|ninguno|ninguna(?:\\s+de\\s+estas)?|nunca|eso\\s+es\\s+todo|es\\s+todo)[\\s.!]*$`, 'iu');
const GREETING_ONLY = /^(?:hi|hello|hey|hiya|yo|good (?:morning|afternoon|evening)|hola|buenas|buenos d[ií]as|buenas (?:tardes|noches))[\s!.,]*$/iu;

export const isUnknown = (text: string) => UNKNOWN.test(text.trim());
/** Any real answer: letters or digits (not only emoji or punctuation), and not just "hi". */
export const hasContent = (text: string) => /[\p{L}\p{N}]/u.test(text) && !GREETING_ONLY.test(text.trim());
export const isGreeting = (text: string) => GREETING_ONLY.test(text.trim());

export type YesNo = 'yes' | 'no' | 'unsure';

export function yesNo(text: string): YesNo | undefined {
  const t = text.trim();
  if (isUnknown(t)) return 'unsure';
  if (NO.test(t)) return 'no';
  if (YES.test(t)) return 'yes';
  return undefined;
}

/** A number in a reply must be a plausible body temperature (°C or °F); words ("no fever", "not sure") pass. */
export function plausibleTemperature(text: string): boolean {
  const numbers = [...text.replace(/(\d),(\d)/g, '$1.$2').matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
  return numbers.every((n) => (n >= 30 && n <= 45) || (n >= 86 && n <= 113));
}

/** A question, with buttons where the channel shows them, tagged with what it asks (`channelData.triage.question`). */
export function question(text: string, key: string, buttons: string[] = [], showButtons = true): Partial<Activity> {
  const a = showButtons && buttons.length ? MessageFactory.suggestedActions(buttons, text) : MessageFactory.text(text);
  a.inputHint = InputHints.ExpectingInput;
  a.channelData = { triage: { question: key } };
  return a;
}
