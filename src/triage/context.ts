// ConText-style status of a mention (negated, who experiences it, historical or hypothetical), after
// Chapman 2001 (NegEx) and Harkema 2009 (ConText): trigger terms before or after the mention, limited scope,
// with termination terms. Lay chat text differs from clinical notes, so the trigger lists are our own.

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
};
const RELATION_WORDS = Object.keys(RELATIONS).join('|');
const RELATION_MENTION = new RegExp(`\\b(?:my|our|his|her|their|mi|mis|su|nuestro|nuestra)\\s+(?:\\w+\\s+)?(${RELATION_WORDS})(?:'s)?\\b`, 'g');
const PATIENT_INTRO = new RegExp(
  `\\b(?:my|our|mi)\\s+(?:\\d+\\s*(?:yo|year old)\\s+|\\w+\\s+)?(${RELATION_WORDS})\\b(?!'s)` +
  `(?=\\s*(?:,|is|has|takes|took|taking|was|keeps|can't|won't|just|had|got|gets|uses|used|swallowed|started|stopped|ran|on|de\\s+\\d|toma|tomo|tiene|tuvo|esta|estaba|se|le|no|he|she|\\(|` +
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

const HISTORY_BEFORE = /\b(?:used to|years ago|(?<!since )last (?:year|month|summer|winter)|in the past|as a (?:kid|child|teen)|when (?:i|he|she) was (?:a |little|young)|history of|previously|once had|back in|(?<!desde )la semana pasada|(?<!desde )el (?:ano|mes) pasado|(?<!desde )hace (?:\w+ )?anos|de nino|de nina|(?<!since )last week)\b/;
const HISTORY_AFTER = /\b(?:years? ago|months ago|last (?:year|month)|in the past|back then|(?:is |are |it's |its |was |all )?gone(?: now)?|went away|resolved|cleared up|(?:fine|ok|okay|better|good) now|not now|not anymore|no longer|ya se (?:le |me )?(?:quito|paso)|ya paso|(?<!desde )hace (?:\w+ )?anos|el ano pasado)\b/;
const HYPOTHETICAL = /\b(?:if|in case|what if|should i worry|could|can cause|may cause|might|watch (?:out )?for|look out for|warned|told (?:me|us|him|her) (?:to|about|that)|read (?:that|about)?|i read|risk of|side effects? (?:include|like|of)|prevent|worried (?:about|that)|afraid of|scared of|en caso de|por si|si (?:le|me|te|tiene|tengo)|puede causar|podria)\b/;

export interface MentionContext {
  negated: boolean;
  experiencer: 'patient' | 'other';
  temporality: 'current' | 'historical' | 'hypothetical';
}

/** Status of the mention at [start, end) of a clause; `next` is the following clause of the same sentence, if short. */
export function mentionContext(clause: string, start: number, end: number, patientRelation: string | undefined, next?: string): MentionContext {
  const before = scopeBefore(clause.slice(0, start));
  const after = clause.slice(end);
  const negated = NEGATION.test(before.replace(PSEUDO_NEGATION, ' ')) || POST_NEGATION.test(after);
  const tail = next && next.split(' ').length <= 5 ? `${after} ${next}` : after;
  let temporality: MentionContext['temporality'] = 'current';
  if (HYPOTHETICAL.test(before)) temporality = 'hypothetical';
  else if (HISTORY_BEFORE.test(before) || HISTORY_AFTER.test(tail)) temporality = 'historical';
  return { negated, experiencer: experiencer(clause.slice(0, start), clause, patientRelation), temporality };
}

function scopeBefore(before: string): string {
  let cut = 0;
  for (const m of before.matchAll(SCOPE_END)) cut = m.index + m[0].length;
  const scoped = before.slice(cut).split(' ');
  return scoped.slice(Math.max(0, scoped.length - 7)).join(' ');
}

const HAPPENING_NOW = /\b(?:right now|now|today|tonight|this (?:morning|afternoon|evening)|is having|are having|currently|won't wake|can't wake|isn't breathing|not breathing|just (?:took|had|collapsed)|ahora|hoy|esta teniendo)\b/;

// "my husband is turning blue", "my dad can't breathe": happening to them now, not a family history.
const ONGOING_AFTER_RELATION = /^(?:'s)?\s+(?:\w+\s+){0,2}?(?:is|are|keeps|keep|can't|won't|isn't|aren't|started|suddenly|just|esta|no puede|no despierta|se (?:puso|esta))\b/;

function experiencer(before: string, clause: string, patientRelation: string | undefined): 'patient' | 'other' {
  let last: string | undefined;
  let after = '';
  for (const m of before.matchAll(RELATION_MENTION)) {
    last = RELATIONS[m[1]];
    after = before.slice(m.index + m[0].length);
  }
  if (!last || last === patientRelation) return 'patient';
  // Someone else in trouble right now still needs the emergency answer, whoever types.
  return HAPPENING_NOW.test(clause) || ONGOING_AFTER_RELATION.test(after) ? 'patient' : 'other';
}

/** A possessive "my husband's ..." or "her ..." drug belongs to someone else. */
export function ownedByOther(before: string, patientRelation: string | undefined): boolean {
  const m = /\b(?:my|mi|su)\s+(\w+)'s\b[^,]*$|\bde mi (\w+)\b[^,]*$/.exec(before);
  const rel = m ? RELATIONS[m[1] ?? m[2]] : undefined;
  return rel !== undefined && rel !== patientRelation;
}
