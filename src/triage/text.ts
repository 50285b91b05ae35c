// Text normalisation and clause splitting shared by every extractor.

/**
 * Every match of a global regular expression, as `text.matchAll(re)` gives them, without the copy of the expression
 * that matchAll makes on each call (most of the cost on the short clauses read on every request). The expression's
 * `lastIndex` is 0 before and after.
 */
export function matchesOf(re: RegExp, text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(m);
    // An empty match moves on by one character (one code point with the u flag), as matchAll does.
    if (m[0] === '') re.lastIndex += re.unicode && (text.codePointAt(re.lastIndex) ?? 0) > 0xffff ? 2 : 1;
  }
  re.lastIndex = 0;
  return out;
}

/** Lowercase, accents folded (ñ→n), straight quotes, single spaces. Offsets are not kept: evidence is quoted from this form. */
export function normalize(text: string): string {
  // Most lexicon entries are already in this form: nothing to fold, no contraction to restore.
  if (PLAIN.test(text) && !CONTRACTION_OR_SHORTHAND.test(text)) return text;
  // Plain ASCII (most answers) has no accents, curly quotes or long dashes to fold: of those steps only the backtick's.
  const folded = ASCII.test(text)
    ? text.replace(/`/g, "'")
    : text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[\u2018\u2019\u02bc`´]/g, "'")
      .replace(/[\u201c\u201d]/g, '"')
      .replace(/[\u2013\u2014]/g, ' - ');
  return folded
    .toLowerCase()
    .replace(CONTRACTION, (w) => CONTRACTIONS[w] ?? `${w.slice(0, -2)}n't`)
    .replace(TEXTING_ES, (w) => TEXTING[w])
    .replace(/\s+/g, ' ')
    .trim();
}

const PLAIN = /^[a-z0-9']+(?: [a-z0-9']+)*$/;
const ASCII = /^[\x00-\x7f]*$/;
const CONTRACTION_OR_SHORTHAND = /\b(?:wont|cant|dont|doesnt|didnt|isnt|arent|wasnt|werent|havent|hasnt|hadnt|couldnt|wouldnt|shouldnt|im|ive|hes|shes|m|q|k|xq|pq|tb|tmb)\b/;

// Phone typing drops apostrophes ("wont wake up", "cant breathe", "im shaking"); put them back so triggers match.
const CONTRACTION = /\b(?:wont|cant|dont|doesnt|didnt|isnt|arent|wasnt|werent|havent|hasnt|hadnt|couldnt|wouldnt|shouldnt|im|ive|hes|shes)\b/g;
const CONTRACTIONS: Record<string, string> = { wont: "won't", cant: "can't", im: "i'm", ive: "i've", hes: "he's", shes: "she's" };

export interface Clause {
  text: string;
  /** Index of the sentence it belongs to, so that a later clause can borrow the sentence's drug or time. */
  sentence: number;
  /** Index of the answer (medications, doseChanges, symptoms, follow-ups) it came from. */
  source: string;
}

// Sentence ends: . ! ? ; and new lines; a dot inside a number ("38.9", "0.5") is not one.
// Clause boundaries inside a sentence: contrast words reset negation scope and the subject (NegEx "termination" terms).
const CLAUSE_BREAK = /\s*,\s*|\s+(?=(?:but|however|although|though|except|pero|aunque|sino|excepto)\b)/;

// Spanish texting shorthand ("no m siento bien", "xq", "q"): the words themselves, so the lexicon's entries match.
const TEXTING: Record<string, string> = { m: 'me', q: 'que', k: 'que', xq: 'porque', pq: 'porque', tb: 'tambien', tmb: 'tambien' };
const TEXTING_ES = /(?<!')\b(?:m|q|k|xq|pq|tb|tmb)\b(?!['.])/g;

export interface Sentence {
  text: string;
  /** Its clauses, each with its offset in the sentence's text. */
  clauses: { text: string; start: number }[];
  /** It ends with a question mark. */
  question: boolean;
}

const SENTENCE = /(?:[^.!?\n;]|(?<=\d)\.(?=\d))+([.!?]+|[\n;]+|$)/g;

/** Normalised text → its sentences, each with its clauses. */
export function splitSentences(normalized: string): Sentence[] {
  const sentences: Sentence[] = [];
  for (const m of matchesOf(SENTENCE, normalized)) {
    const raw = m[0].slice(0, m[0].length - m[1].length);
    const text = raw.trim();
    if (!text) continue;
    const clauses: Sentence['clauses'] = [];
    let cursor = 0;
    for (const part of text.split(CLAUSE_BREAK)) {
      const t = part.trim();
      if (!t) continue;
      const start = text.indexOf(t, cursor);
      clauses.push({ text: t, start });
      cursor = start + t.length;
    }
    if (clauses.length) sentences.push({ text, clauses, question: m[1].includes('?') });
  }
  return sentences;
}

export function words(text: string): string[] {
  return text.match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? [];
}

const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, couple: 2, few: 3, several: 3, un: 1, una: 1, uno: 1, dos: 2, tres: 3, cuatro: 4,
  cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9, diez: 10, unos: 3, unas: 3,
};

/** "2", "two", "a couple of", "dos" → number; undefined when not a count. */
export function parseCount(token: string): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(token)) return Number(token);
  return NUMBER_WORDS[token];
}
