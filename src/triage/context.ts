// ConText-style status of a mention (negated, who experiences it, historical or hypothetical), after
// Chapman 2001 (NegEx) and Harkema 2009 (ConText): trigger terms before or after the mention, limited scope,
// with termination terms. Lay chat text differs from clinical notes, so the trigger lists are our own.
import { matchesOf } from './text.js';

const RELATIONS: Record<string, string> = {
  dad: 'father', father: 'father', papa: 'father', pop: 'father', stepdad: 'father', padre: 'father',
  mom: 'mother', mum: 'mother', mother: 'mother', mama: 'mother', mommy: 'mother', stepmom: 'mother', madre: 'mother',
  husband: 'spouse', wife: 'spouse', spouse: 'spouse', esposo: 'spouse', esposa: 'spouse', marido: 'spouse', mujer: 'spouse',
  partner: 'partner', boyfriend: 'partner', girlfriend: 'partner', novio: 'partner', novia: 'partner', pareja: 'partner',
  son: 'son', hijo: 'son', daughter: 'daughter', hija: 'daughter', kid: 'child', child: 'child', baby: 'child', boy: 'child', girl: 'child',
  brother: 'brother', hermano: 'brother', sister: 'sister', hermana: 'sister',
  grandma: 'grandparent', grandpa: 'grandparent', grandmother: 'grandparent', grandfather: 'grandparent', abuela: 'grandparent', abuelo: 'grandparent',
  uncle: 'uncle', tio: 'uncle', aunt: 'aunt', tia: 'aunt', cousin: 'cousin', primo: 'cousin', prima: 'cousin',
  friend: 'friend', amigo: 'friend', amiga: 'friend', roommate: 'friend', neighbor: 'friend', neighbour: 'friend',
  client: 'client', patient: 'client', resident: 'client',
  coworker: 'coworker', colleague: 'coworker', boss: 'coworker', classmate: 'coworker', teammate: 'coworker', companero: 'coworker', companera: 'coworker', jefe: 'coworker', jefa: 'coworker',
  nana: 'grandparent',
  // Texting and regional forms: "my bf", "my gf", "mi viejo / mi vieja" (Río de la Plata: father, mother).
  bf: 'partner', gf: 'partner', hubby: 'spouse', wifey: 'spouse', mam: 'mother', ma: 'mother', viejo: 'father', vieja: 'mother',
  flatmate: 'friend', housemate: 'friend', roomie: 'friend', bro: 'brother', sis: 'sister', grandson: 'child', granddaughter: 'child',
  stepson: 'son', stepdaughter: 'daughter', nieto: 'child', nieta: 'child', sobrino: 'cousin', sobrina: 'cousin', suegra: 'mother', suegro: 'father',
};
const RELATION_WORDS = Object.keys(RELATIONS).join('|');
const RELATION_MENTION = new RegExp(`\\b(?:my|our|his|her|their|mi|mis|su|nuestro|nuestra)\\s+(?:\\w+\\s+)?(${RELATION_WORDS})(?:'s)?\\b|^\\s*(dad|mum|mom|father|mother|grandma|grandpa|nana|papa|mama)(?:'s)?\\b`, 'g');
const PATIENT_INTRO = new RegExp(
  `\\b(?:my|our|mi)\\s+(?:\\d+\\s*(?:yo|year old)\\s+|\\w+\\s+)?(${RELATION_WORDS})\\b(?!'s)` +
  `(?=\\s*(?:,|is|has|takes|took|taking|was|keeps|kept|can't|won't|cannot|couldn't|doesn't|didn't|isn't|wasn't|just|had|got|gets|uses|used|swallowed|started|stopped|ran|on|put|puts|says|said|thinks|thought|sees|saw|hears|heard|seems|seemed|looks|looked|fell|collapsed|passed|woke|went|walked|wandered|asks|asked|called|told|suddenly|de\\s+\\d|toma|tomo|tiene|tuvo|esta|estaba|se|le|no|he|she|jura|dice|dijo|ve|vio|oye|habla|cree|anda|parece|sabe|reconoce|pregunta|\\(|` +
  // substance use, for carers at an addiction-treatment intake ("my husband drinks a fifth a day", "mi hijo usa fentanilo")
  `drinks|drank|drinking|smokes|smoked|snorts|shoots|injects|quit|bebe|bebia|usa|usaba|fuma|fumaba|consume|dejo|deja|lleva|anda|ha))`,
);

/** The relative a clause introduces as the one the answers are about ("my husband is 65, he's on..."). */
export function patientIntroducedIn(text: string): string | undefined {
  const m = PATIENT_INTRO.exec(text);
  return m ? RELATIONS[m[1]] : undefined;
}

const SELF_TAKING = /\b(?:i take|i'm on|im on|i am on|i use|i drink|i drank|i've been drinking|i was drinking|i smoke|i snort|i shoot|bebo|consumo|i've been (?:on|taking)|i was (?:put )?on|i started|i stopped|i ran out|i have a (?:baclofen )?pump|my (?:meds|medications?|pills|pump)|tomo|estoy tomando|tengo una bomba|mis (?:pastillas|medicinas))\b/;

/** Whether the writer speaks of their own medicines in a clause ("I take zoloft. My mom takes tramadol"). */
export function speaksOfOwnMedicines(text: string): boolean {
  return SELF_TAKING.test(text);
}

// Negation triggers. "can't"/"couldn't" are left out: lay text uses them for symptoms ("can't sleep").
const NEGATION = /\b(?:no|not|never|without|denies|deny|nor|neither|none|free of|negative for|no longer|don't|dont|doesn't|doesnt|didn't|didnt|isn't|isnt|aren't|arent|wasn't|wasnt|weren't|haven't|havent|hasn't|hasnt|hadn't|won't|sin|ni|nunca|tampoco|nada de|ningun|ninguna)\b/;
const PSEUDO_NEGATION = /\b(?:not only|not just|no change|no changes|not sure|no doubt|no idea|not certain|no matter|if not|no better|not better|not getting better|no relief|not stopping|not stop|won't stop|won't go away|doesn't stop|don't stop|no puedo|no puede|no para|no se quita)\b/g;
// A new subject after "and"/"y" ends the scope of a negation ("no fever and my legs are jerking").
// Any "and"/"y" ends it too ("seeing things that aren't there and is agitated"): a wrongly kept symptom only
// over-triages, a wrongly dropped one under-triages. "or"/"nor"/"ni" carry the negation on ("not twitching or sweating").
const SCOPE_END = /\b(?:and|y|then|now|also|plus|pero)\b|\b(?:just|only|solo|apart from|besides|that|which|who|que)\b/g;
const POST_NEGATION = /^\s*(?:[:?-]\s*)?(?:no|none|nope|negative|not really|denied|nada)\b/;

const HISTORY_BEFORE = /\b(?:used to|years ago|last time|the last time|a while ago|long ago|hace (?:tiempo|mucho)|antes(?! de)|at (?:age |the age of )?\d{2}(?!\s*(?:am|pm|mg|o'clock|:|\d))|(?<!(?:died|passed|passed away|murio|fallecio|born|nacio) )in (?:19|20)\d\d|back in \w+|when i was (?:\d+|younger|in (?:high )?school|pregnant)|in (?:high school|college|my teens|my twenties)|(?<!since )last (?:year|month|summer|winter)|in the past|as a (?:kid|child|teen)|when (?:i|he|she) was (?:a |little|young)|history of|previously|once had|back in|(?<!desde )la semana pasada|(?<!desde )el (?:ano|mes) pasado|(?<!desde )hace (?:\w+ )?anos|de nino|de nina|(?<!since )last week)\b/;
const HISTORY_AFTER = /\b(?:(?<!(?:died|passed away|passed|dead|murio|fallecio|muerto|muerta)(?: (?:\d+|a|a few|many|two|three|four|five|some|several))? )(?:years? ago|months ago|hace (?:tiempo|mucho))|last time|the last time|a while (?:ago|back)|long (?:time )?ago|way back|at (?:age |the age of )?\d{2}(?!\s*(?:am|pm|mg|o'clock|:|\d))|as an? (?:baby|kid|child|teen|teenager|toddler|infant)|when (?:i|he|she|we) (?:was|were) (?:\d+|an? (?:kid|child|teen|teenager|baby|toddler|student)|little|young|younger|in (?:high )?school|pregnant)|cuando (?:tenia|era|estaba en) (?:\d+|nin[oa]|joven|chic[oa]|la (?:prepa|secundaria|escuela))|de (?:nino|nina|pequeno|pequena|bebe|joven)|(?<!(?:died|passed|passed away|murio|fallecio|born|nacio) )in (?:19|20)\d\d|(?:in|during|back in) (?:high school|college|my teens|my twenties)|(?:it |that )?cleared(?: up)?|always (?:have|had|has|been)|since (?:i was|childhood|forever)|(?:in|during) the past|last (?:year|month)|in the past|back then|(?:is |are |it's |its |was |all )?gone(?=\s*(?:now|away|completely|since|,|$|and\b|but\b))|went away|resolved|cleared up|(?:fine|ok|okay|better|good) now|not now|not anymore|no longer|ya se (?:le |me )?(?:quito|paso)|ya paso|(?<!desde )hace (?:\w+ )?anos|el ano pasado)\b/;
const HYPOTHETICAL = /\b(?:(?<!(?:sure|know|tell|check|see|wonder|asking|asked|asks|enquired|inquired|sabe|se) )if(?! (?:i|he|she|you|we|they) (?:\w+ )?(?:bend|bends|stand|stands|stretch|stretches|press|presses|push|pushes|tap|taps|touch|touches|walk|walks|lie|lies|move|moves|flex|flexes|put|puts|step|steps|get up|gets up|sit|sits|lift|lifts|pull|pulls|try|tries)\b)|in case|what if|should i worry|could (?:cause|happen|get|lead)|can cause|may cause|might (?:cause|get|happen|have)|watch (?:out )?for|look out for|warned|cautions? (?:about|against|of)|warns? (?:about|against|of)|the leaflet|the label says|maybe (?:i|he|she) (?:will|would|could|might) (?:have|get|feel)|(?:que )?vigile(?:s|mos)? si|vigilar si|estar atent[oa] a|el prospecto|told (?:me|us|him|her) (?:to|about|that)|read (?:that|about)?|i read|risk of|side effects? (?:include|like|of)|prevent|worried about|afraid of|scared of|en caso de|por si|(?<!como )si (?:le|me|te|se|tiene|tengo|pasa|llega|empieza|vuelve)|(?:que hago|que hacemos|que debo hacer|y) si|what (?:do|should) (?:i|we) do if|puede causar|podria)\b/;

export interface MentionContext {
  negated: boolean;
  experiencer: 'patient' | 'other';
  temporality: 'current' | 'historical' | 'hypothetical';
}

// Questions about what might happen ("should I worry about seizures?", "can it cause a fever?") are hypothetical;
// a question about what is happening ("is it bad that my chest hurts?") is not.
const QUESTION_CUE = /\b(?:should (?:i|we|he|she) (?:worry|be worried|watch|look out) (?:about|for)|do (?:i|we) (?:need|have) to (?:worry|watch) (?:about|for)|(?:can|could|does|do|will|would|might|may) (?:\w+ ){1,5}(?:cause|give|lead to|bring on|trigger|make)|should (?:i|we|he|she) expect|is it (?:normal|common|usual|expected) (?:for|that|if)|(?:es|sera) normal (?:que|tener|sentir)|how (?:would|do|can|will|should) (?:i|we|you) (?:even )?know|what (?:does|do|would) (?:it|that|an? \w+) look like|(?:could|can|will|would|might) (?:i|he|she|we|you) (?:get|go into|end up with)|is it (?:normal|common|possible|usual|ok|okay) to get|(?:can|do) (?:you|people|one) get|how (?:would|do|can|should|will) (?:i|we|you) (?:check|tell|know|test|spot|recognise|recognize)|is (?:\w+ ){0,3}(?:a )?(?:risk|side effect)|what (?:are|is) (?:the )?(?:signs|symptoms|warning signs)|how (?:do|would|can|will) (?:i|we|you) know if|(?:como|cómo) (?:se|sabe|saber|sabemos) si|(?:cuales|que) son (?:los )?(?:signos|sintomas)|puede (?:causar|dar|provocar)|deberia preocuparme por)\b/;

/** A question whose words make what it names hypothetical ("what are the signs of serotonin syndrome?"). */
export function asksAboutRisk(sentence: string): boolean {
  return QUESTION_CUE.test(sentence);
}

// Text further than this from a mention does not change its status.
const WINDOW = 160;

interface Span { index: number; end: number }
const g = (re: RegExp) => new RegExp(re.source, 'g');
const CUES = {
  scopeEnd: SCOPE_END,
  strongBreak: /\b(?:but|however|although|though|now|today|currently|these days|this time|pero|aunque|ahora|hoy|actualmente|esta vez)\b/g,
  hypothetical: g(HYPOTHETICAL),
  question: g(QUESTION_CUE),
  historyBefore: g(HISTORY_BEFORE),
  historyAfter: g(HISTORY_AFTER),
  relation: RELATION_MENTION,
  otherSubject: g(/(?:^|\b(?:and|but|y|pero)\s)(?:the|my|our|el|la|mi)\s(?:dog|cat|puppy|kitten|pet|horse|perro|perrito|perrita|gato|gatito|gatita|mascota)\s+(?:has|had|is|was|got|gets|keeps|tiene|tuvo|esta|anda)\b|\b(?:the|a) (?:man|woman|guy|lady|patient|person) (?:in|at) the next (?:bed|room)\b/),
  happeningNow: /\b(?:right now|now|today|tonight|this (?:morning|afternoon|evening)|is having|are having|currently|won't wake|can't wake|isn't breathing|not breathing|just (?:took|had|collapsed)|ahora|hoy|esta teniendo)\b/g,
} as const;

/**
 * Where each kind of cue stands in one clause, found once per clause: every mention then asks "is there one in my
 * window?" with a binary search, so a clause with thousands of mentions costs time in proportion to its length.
 */
export class ClauseCues {
  private readonly found = new Map<keyof typeof CUES, Span[]>();
  private previousHistory?: { text: string; historical: boolean };
  private previousFrame?: { text: string; framed: boolean };

  constructor(readonly text: string) {}

  spans(kind: keyof typeof CUES): Span[] {
    let list = this.found.get(kind);
    if (!list) {
      list = [];
      for (const m of matchesOf(CUES[kind], this.text)) list.push({ index: m.index, end: m.index + m[0].length });
      this.found.set(kind, list);
    }
    return list;
  }

  /** The last cue that starts in [from, to). */
  last(kind: keyof typeof CUES, from: number, to: number): Span | undefined {
    const list = this.spans(kind);
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].index < to) lo = mid + 1;
      else hi = mid;
    }
    const found = list[lo - 1];
    return found && found.index >= from ? found : undefined;
  }

  /**
   * The clause before frames this one as a possibility ("the nurse said to watch for itching, fever and worse spasms"):
   * a list carried on, not a new statement, a contrast or a "now".
   */
  carriesOnFrame(previous: string): boolean {
    if (this.previousFrame?.text !== previous) {
      this.previousFrame = { text: previous, framed: HYPOTHETICAL.test(previous) && !NEW_STATEMENT.test(this.text.trimStart()) && !FRAME_BREAK.test(this.text) };
    }
    return this.previousFrame.framed;
  }

  /** The clause before, which this one carries on ("..., with fever and twitching"), speaks of the past. */
  carriesOnHistory(previous: string): boolean {
    if (this.previousHistory?.text !== previous) {
      this.previousHistory = { text: previous, historical: CARRIES_ON.test(this.text) && (HISTORY_BEFORE.test(previous) || HISTORY_AFTER.test(previous)) };
    }
    return this.previousHistory.historical;
  }
}

/** Status of the mention at [start, end) of a clause; `next` is the following clause of the same sentence, if short. */
/** `question`: the sentence is a question; 'follow-on' when it only carries on a question about risk ("fever? sweating?"). */
export function mentionContext(clause: string | ClauseCues, start: number, end: number, patientRelation: string | undefined, next?: string, question: boolean | 'follow-on' = false, previous?: string, writerFine = false): MentionContext {
  const cues = typeof clause === 'string' ? new ClauseCues(clause) : clause;
  const text = cues.text;
  const windowStart = Math.max(0, start - WINDOW);
  const before = scopeBefore(text, windowStart, start, cues);
  // History and hypotheticals reach further back than a negation: "years ago I had a reaction where my throat
  // swelled", "in case the alarm goes off and his spasms get worse". Only a contrast or a new time ends them.
  const framedFrom = cues.last('strongBreak', windowStart, start)?.end ?? windowStart;
  const after = text.slice(end, end + 40);
  const negated = NEGATION.test(before.replace(PSEUDO_NEGATION, ' ')) || POST_NEGATION.test(after);
  // A short next clause says more about this mention ("shaking, gone now"), unless it starts a statement of its own
  // ("talks to his mother, she passed in 2009").
  const nextSays = next !== undefined && next.split(' ').length <= 5 && !NEW_STATEMENT.test(next);
  let temporality: MentionContext['temporality'] = 'current';
  // A hypothetical cue may look into the mention ("if I bend my foot up, it jerks" is a trigger, not a hypothetical).
  if (cues.last('hypothetical', framedFrom, start) || question === 'follow-on' || (question && cues.last('question', windowStart, start)) || (previous && cues.carriesOnFrame(previous))) temporality = 'hypothetical';
  else if (cues.last('historyBefore', framedFrom, start) || cues.last('historyAfter', end, end + WINDOW) || (nextSays && HISTORY_AFTER.test(next))) temporality = 'historical';
  // "I had serotonin syndrome back in 2015, with fever and twitching": the clause carries on the one before.
  else if (previous && cues.carriesOnHistory(previous)) temporality = 'historical';
  // "a seizure when I was 12 and another one this morning": the past one came back now (read as happening now).
  if (temporality === 'historical' && (RECURS_NOW.test(text.slice(end)) || (next !== undefined && RECURS_NOW.test(next)))) temporality = 'current';
  return { negated, experiencer: experiencer(cues, windowStart, start, end, patientRelation, writerFine), temporality };
}

const NEW_STATEMENT = /^(?:she|he|i|they|it|we|my|his|her|their|el|ella|yo|mi|su)\b/;
const CARRIES_ON = /^(?:with|including|like|con|incluyendo|como)\b/;
const RECURS_NOW = /\b(?:another(?: one| seizure| fit| episode| attack)?|again|one more|otra vez|otro|otra|de nuevo)\b[^.]*?\b(?:today|this (?:morning|afternoon|evening)|tonight|now|just now|an? (?:hour|few minutes) ago|hoy|esta (?:manana|tarde|noche)|ahora|hace (?:un rato|una hora|unos minutos))\b/;
const FRAME_BREAK = /\b(?:but|pero|now|ahora|today|hoy|already|ya|actually|en realidad)\b/;

/** The negation scope before a mention: after the last scope-ending word, at most seven words. */
function scopeBefore(text: string, from: number, to: number, cues: ClauseCues): string {
  const cut = Math.max(from, cues.last('scopeEnd', from, to)?.end ?? from);
  let at = to;
  for (let words = 0; at > cut && words < 8; at--) if (text[at - 1] === ' ') words++;
  return text.slice(Math.max(cut, at), to);
}

// "my husband is turning blue", "my dad can't breathe": happening to them now, not a family history.
const ONGOING_AFTER_RELATION = /^(?:'s)?\s+(?:\w+\s+){0,2}?(?:is|are|keeps|keep|can't|won't|isn't|aren't|doesn't|don't|started|suddenly|just|says|thinks|sees|hears|seems|looks|slipped|fell|tripped|collapsed|hit|banged|cracked|bumped|took|swallowed|overdosed|se cayo|se resbalo|se golpeo|se pego|se desmayo|se tomo|se trago|tomo|esta|estan|no puede|no despierta|no sabe|no reconoce|ve|oye|dice|jura|cree|habla|parece|tiene|se (?:puso|pone|esta|ve|queda))\b/;

const SELF_AFTER_RELATION = /\b(?:my|i|i'm|i've|i was|me|mine|myself|mi|mis|yo|tengo|estoy|me siento)\b/;

const RELATION_ONE = new RegExp(RELATION_MENTION.source);

function experiencer(cues: ClauseCues, from: number, start: number, end: number, patientRelation: string | undefined, writerFine = false): 'patient' | 'other' {
  const mention = cues.last('relation', from, start);
  const m = mention && RELATION_ONE.exec(cues.text.slice(mention.index, mention.end));
  const last = m ? RELATIONS[m[1] ?? m[2]] : undefined;
  // "the dog has diarrhea", "the man in the next bed is confused": someone (or something) that is not the patient.
  if (!last && cues.last('otherSubject', from, start)) return 'other';
  if (!last || last === patientRelation) return 'patient';
  // "my roommate keeps throwing up, I'm good": the writer is the one asking, and is well.
  if (writerFine) return 'other';
  const after = cues.text.slice(mention!.end, start);
  // "my wife says my pupils are huge", "my husband noticed I was shaking": the writer, as someone else saw it.
  if (SELF_AFTER_RELATION.test(after)) return 'patient';
  // "mi papá jura que...", "my dad sees bugs": the relative is doing it now, as the carer describes.
  if (!after.trim()) return 'patient';
  // Someone else in trouble right now still needs the emergency answer, whoever types.
  return cues.last('happeningNow', from, end + WINDOW) !== undefined || ONGOING_AFTER_RELATION.test(after) ? 'patient' : 'other';
}

/** A possessive "my husband's ..." or "her ..." drug belongs to someone else. */
export function ownedByOther(before: string, patientRelation: string | undefined): boolean {
  const m = /\b(?:my|mi|su)\s+(\w+)'s\b[^,]*$|\bde mi (\w+)\b[^,]*$/.exec(before);
  const rel = m ? RELATIONS[m[1] ?? m[2]] : undefined;
  return rel !== undefined && rel !== patientRelation;
}

/** "I took my roommate's xanax": someone else's medicine, but the writer's own exposure. */
export function writerTookIt(before: string, patientRelation: string | undefined): boolean {
  return patientRelation === undefined && WRITER_TOOK.test(before);
}

const WRITER_TOOK = /\b(?:i|i've|me)\s+(?:\w+\s+)?(?:took|take|taking|had|have|swallowed|used|using|tried|borrowed|stole|popped|snorted|smoked|tome|use|probe|agarre)\b[^,]*$/;
