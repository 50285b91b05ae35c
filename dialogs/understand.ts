// What a message does besides answering: a question back to the bot ("is that dangerous?", "what do you mean?"), or a
// correction of an earlier answer ("no wait, it was Lexapro not Celexa", "actually it's 20 mg", "I didn't stop it").
// Word lists for the shape of a message only; drugs, doses and changes are found by the core.

const END = '(?![\\p{L}\\p{N}\'])';
const LEAD = /^(?:and|but|so|also|oh|ok(?:ay)?|well|um+|hmm+|wait|y|pero|entonces|bueno|oye)[\s,]+/iu;
const QUESTION_START = new RegExp(
  `^¿?\\s*(?:what(?:'?s)?|which|who|whose|why|how|where|when|is|isn'?t|are|aren'?t|am|was|were|do|does|did|can|could|should|shall|will|would|may|might|must|`
  + `qu[eé]|cu[aá]l(?:es)?|qui[eé]n|por\\s*qu[eé]|para\\s+qu[eé]|c[oó]mo|d[oó]nde|cu[aá]ndo|es|son|est[aá]|debo|debe|puedo|puede|tengo\\s+que|hay|y\\s+si)${END}`, 'iu');
/** Questions even without a question mark; a bare "what?" or "¿mande?" asks what the question means. */
const PLAIN_QUESTION = /^(?:(?:what|wut|wat|huh|eh|sorry|pardon|come again|say again|qu[eé]|c[oó]mo|mande|perd[oó]n)\s*[?!.]*\s*$|what do you mean|what does (?:that|it|this) mean|why do you (?:ask|need|want)|why are you asking|i don'?t (?:understand|get it)|not sure what you mean|what kind of|qu[eé] quiere decir|no entiendo|a qu[eé] se refiere|por qu[eé] (?:lo )?pregunta|qu[eé] significa)/iu;

function isQuestion(sentence: string): boolean {
  const t = sentence.trim().replace(LEAD, '');
  if (PLAIN_QUESTION.test(t.replace(/^¿\s*/u, ''))) return true;
  return (t.endsWith('?') || t.startsWith('¿')) && QUESTION_START.test(t);
}

/** The message's questions to the bot, and the rest (what answers the pending question). "I stopped it 2 days ago, is
 * that dangerous?" is both: the question is answered and the rest is kept as the answer. */
export function splitQuestions(text: string): { questions: string[]; rest: string } {
  // "?" alone: "what do you mean?".
  if (/^\s*[¿?]+\s*$/u.test(text)) return { questions: ['what do you mean?'], rest: '' };
  const questions: string[] = [];
  const rest: string[] = [];
  // A full stop between digits ("38.5") does not end a sentence.
  for (const sentence of text.match(/(?:[^.!?\n]|\.(?=\d))+[.!?]*|[.!?]+/g) ?? []) {
    if (isQuestion(sentence)) {
      questions.push(sentence.trim());
      continue;
    }
    // A question at the end of a sentence, after a comma or a dash.
    const parts = sentence.split(/,\s*|\s+-+\s+|;\s*/);
    const last = parts.length > 1 ? parts[parts.length - 1]! : '';
    if (last && isQuestion(last)) {
      questions.push(last.trim());
      rest.push(parts.slice(0, -1).join(', '));
    } else rest.push(sentence);
  }
  if (!questions.length) return { questions, rest: text.trim() };
  return { questions, rest: rest.join(' ').replace(/\s+/g, ' ').trim() };
}

export type QuestionKind = 'help' | 'who' | 'medicine-change' | 'serotonin' | 'withdrawal' | 'meaning' | 'danger' | 'depressants' | 'other';

const KINDS: [QuestionKind, RegExp][] = [
  ['help', /\b(?:can you help|could you help|help me|need help|necesito ayuda|me (?:puede|puedes) ayudar|ay[uú]dame)\b/iu],
  ['who', /\b(?:who are you|what are you|are you (?:a |an )?(?:bot|robot|human|real|person|doctor|nurse|ai|machine)|qui[eé]n eres|qui[eé]n es usted|eres (?:un )?(?:bot|robot|humano|persona|m[eé]dico)|es usted (?:un )?(?:bot|robot|humano|persona|m[eé]dico))/iu],
  ['medicine-change', /\b(?:stop|stopping|quit|skip|take|taking|start|restart|double|taper|increase|decrease|lower|raise|mix|combine|switch|dose|dosage|ok to|okay to|safe to|dejar|dejo|lo dejo|tomar|tomo|tomarlo|empezar|mezclar|combinar|dosis|suspender|cambiar)\b/iu],
  ['serotonin', /seroton/iu],
  ['withdrawal', /\b(?:withdrawal|withdrawl|abstinencia|abstinence)\b/iu],
  ['meaning', /\b(?:mean|meaning|what kind|which (?:ones?|kind|medicines?|medications?|meds|drugs?|changes?|symptoms?)|like what|such as|for example|why|explain|understand|significa|quiere decir|refiere|qu[eé] tipo|cu[aá]les|por\s*qu[eé]|para qu[eé]|como qu[eé]|c[oó]mo qu[eé]|ejemplo|entiendo)\b/iu],
  ['danger', /\b(?:dangerous|danger|serious|bad|worr(?:y|ied)|safe|normal|emergency|er|hospital|a&e|ambulance|911|die|dying|fatal|deadly|ok|okay|fine|peligro\w*|grave|malo|preocup\w*|seguro|urgencias?|hospital|morir|ambulancia)\b/iu],
  ['depressants', /\b(?:sedat\w*|overdos\w*|sobredosis|drowsy|sleepy|alcohol|drink\w*|beber|together|juntos|breath\w*|respir\w*)\b/iu],
];

export function questionKind(q: string): QuestionKind {
  // "what do you mean by dose change?" asks what the question means, whatever words it quotes back.
  if (PLAIN_QUESTION.test(q.trim().replace(/^¿\s*/u, '').replace(LEAD, ''))) return 'meaning';
  return KINDS.find(([, re]) => re.test(q))?.[0] ?? 'other';
}

// ---- corrections ------------------------------------------------------------------------------------------------

const CUE_WORDS = 'no,?\\s*wait|wait,?\\s*no|wait|hold on|actually|sorry|oops|correction|scratch that|i meant|i mean|my mistake|my bad|i was wrong|i got it wrong|'
  + 'no,?\\s+(?:it\'?s|it\\s+(?:is|was)|i\\s+meant|i\\s+mean)|perd[oó]n|disculpa|espera|en realidad|quise decir|me equivoqu[eé]|corrijo|no,?\\s+(?:es|era|quise)';
const CUE_AT_START = new RegExp(`^\\s*(?:${CUE_WORDS})${END}[\\s,.:;!-]*`, 'iu');
const CUE_INSIDE = new RegExp(`(?:[,.;!]\\s*|\\s+-+\\s+)(?:${CUE_WORDS})${END}[\\s,.:;!-]*`, 'iu');

/** Where a correction starts: at the start of the message, or after an answer given first ("celexa 10mg, no wait, ...").
 * `rest` is what follows the cue words. */
export function correctionCue(text: string): { before: string; rest: string } | undefined {
  const start = CUE_AT_START.exec(text);
  if (start) return { before: '', rest: text.slice(start[0].length).trim() };
  const inside = CUE_INSIDE.exec(text);
  if (inside) return { before: text.slice(0, inside.index).trim(), rest: text.slice(inside.index + inside[0].length).trim() };
  return undefined;
}

/** Right before a drug's mention: the drug is the one being corrected ("not Celexa", "instead of Celexa"). */
export const NEGATED_BEFORE = /(?:\bnot|\bno|\binstead of|\brather than|\bin place of|\bnor|\bnever|\ben vez de|\ben lugar de|\bno es|\bno era|\bni)\s+(?:the\s+|my\s+|el\s+|la\s+|mi\s+)?$/iu;

/** Doses ("20 mg", "0.5mg", "40 miligramos"). */
export const DOSE = /(\d+(?:[.,]\d+)?)\s*(mg|mcg|µg|milligrams?|miligramos?|ml|g)(?![\p{L}])/iu;

const DENIED_CHANGE = new RegExp(
  `\\b(?:i\\s+)?(?:did\\s*n[o']?t|didnt|did\\s+not|never|have\\s*n'?t|haven'?t|havent|have\\s+not|has\\s*n'?t|hasn'?t|am\\s+not|i'?m\\s+not|was\\s*n'?t|was\\s+not|no\\s+(?:he|lo|la|los|las|se\\s+me)|nunca)\\s+(?:\\w+\\s+){0,2}?`
  + `(stop|quit|start|run|ran|miss|increas|rais|decreas|lower|cut|chang|dej|empec|empez|acab|olvid|sub|baj|cambi)`, 'iu');
const STILL_TAKING = /\b(?:still (?:taking|on) (?:it|them|my)|i'?m still on|just asking|only asking|it was (?:just )?a question|hypothetical(?:ly)?|sigo tom[aá]ndol[oa]s?|todav[ií]a (?:lo|la) tomo|solo pregunt\w*|era una pregunta)\b/iu;

export type ChangeKind = 'started' | 'stopped' | 'ran-out' | 'missed' | 'increased' | 'decreased' | 'any';

const STEM_KIND: [RegExp, ChangeKind][] = [
  [/^(?:stop|quit|dej)/i, 'stopped'], [/^(?:start|empec|empez)/i, 'started'], [/^(?:run|ran|acab)/i, 'ran-out'],
  [/^(?:miss|olvid)/i, 'missed'], [/^(?:increas|rais|sub)/i, 'increased'], [/^(?:decreas|lower|cut|baj)/i, 'decreased'],
];

/** A change the person says did not happen ("I didn't stop it", "I'm just asking", "sigo tomándolo"): its kind. */
export function deniedChange(text: string): ChangeKind | undefined {
  const m = DENIED_CHANGE.exec(text);
  if (m) return STEM_KIND.find(([re]) => re.test(m[1]!))?.[1] ?? 'any';
  if (STILL_TAKING.test(text)) return 'any';
  return undefined;
}
