// The kinds of wording the understanding issue found missed, told as lay people tell them, with their controls.
// Each case is a concept (what is seen or done, a quantity, a plan), not a phrase list: see knowledge/findings/.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTriage, type Assessment, type Triage } from '../src/triage/index.js';

const NOW = '2026-03-10T10:00:00-05:00';
let t: Triage;
beforeAll(() => { t = createTriage(); });
const assess = (symptoms: string, medications = ''): Assessment => t.assess({ medications, doseChanges: '', symptoms, now: NOW, locale: 'en-US' });
const present = (a: Assessment) => a.findings.symptoms.filter((s) => !s.negated && s.experiencer !== 'other' && s.temporality === 'current').map((s) => s.id);

describe('findings told as what is seen, heard or done', () => {
  it.each([
    ["little animals running along the floor, I know they're not real", 'hallucinations'],
    ['he keeps talking to his late wife in the kitchen', 'hallucinations'],
    ['says the cops are talking about him through the wall', 'hallucinations'],
    ['mi mamá ve niños en el cuarto que no están', 'hallucinations'],
    ["she keeps asking what city we're in", 'confusion-severe'],
    ["he doesn't recognise his own house", 'confusion-severe'],
    ['my dad put his shoes in the fridge and keeps repeating the same word', 'confusion-severe'],
    ["he just stares and won't answer me", 'hard-to-wake'],
    ['she only moans when I shake her', 'hard-to-wake'],
    ['he is breathing only once every few seconds', 'breathing-problem'],
    ["there's a gurgling sound when she breathes", 'breathing-problem'],
    ['sharp pain right in the middle of my chest', 'chest-pain'],
    ['feels like an elephant sitting on my chest', 'chest-pain'],
    ['her eyes are flicking side to side on their own', 'clonus-ocular'],
  ])('%s → %s', (text, id) => {
    expect(present(assess(text))).toContain(id);
  });
});

describe('overdose as a quantity, intent as a plan', () => {
  it.each([
    ['he swallowed most of the bottle', 'baclofen'],
    ['took like 40 of the 20 mg ones', 'citalopram'],
    ['I took 6 of them an hour ago', 'tramadol'],
    ['se tomó casi todo el frasco de pastillas', 'sertraline'],
    ['took 3 of the 100 mg ones at once', 'sertraline'],
  ])('%s (on %s) → overdose, emergency', (text, medications) => {
    const a = assess(text, medications);
    expect(present(a)).toContain('overdose');
    expect(a.level).toBe('emergency');
  });

  it.each([
    ['I take 2 tablets at bedtime', 'baclofen'],
    ['I take 4 pills a day', 'gabapentin'],
    ['took my usual 20 mg this morning', 'citalopram'],
  ])('%s → not an overdose', (text, medications) => {
    expect(present(assess(text, medications))).not.toContain('overdose');
  });

  it.each([
    "I've been saving my pills for tonight",
    'I have a rope and I will use it tonight',
    'letters written to my kids, I am ready',
    'voy a tomarme todas las pastillas esta noche',
  ])('%s → suicidal intent, emergency', (text) => {
    const a = assess(text, 'sertraline');
    expect(present(a)).toContain('suicidal-intent');
    expect(a.level).toBe('emergency');
  });

  it('suicidal thoughts in high school only → not now', () => {
    const a = assess('I had suicidal thoughts in high school only, nothing like that now', 'sertraline');
    expect(present(a)).not.toContain('suicidal-ideation');
    expect(present(a)).not.toContain('suicidal-intent');
  });
});

describe('emergencies outside the three patterns', () => {
  it.each([
    ["my father's face is drooping and his arm is weak", 'stroke'],
    ['my lips and tongue are swelling after the new pill', 'anaphylaxis'],
    ['she fell and hit her head and now she is vomiting', 'head-injury'],
    ["the cut won't stop bleeding, there's blood everywhere", 'bleeding'],
  ])('%s → %s, emergency', (text, flag) => {
    const a = assess(text, 'sertraline');
    expect(a.redFlags.map((r) => r.id)).toContain(flag);
    expect(a.level).toBe('emergency');
  });

  it('a bump on the head with nothing after it is not a head-injury emergency', () => {
    expect(assess('I bumped my head on the cupboard door, feel totally fine', 'sertraline').redFlags.map((r) => r.id)).not.toContain('head-injury');
  });
});

describe('negation over lists', () => {
  it.each([
    "I don't have any fever or shaking or sweats",
    'no vomiting, diarrhoea, rash, itching or headache',
    'no tengo fiebre, ni escalofríos, ni sudores',
  ])('%s → nothing present', (text) => {
    expect(present(assess(text))).toEqual([]);
  });
});

describe('what the check does not know is never "watch at home"', () => {
  it.each([
    'my left leg is red and swollen',
    'it burns when I pee',
    'I have a lump under my arm that hurts',
  ])('%s → at least contact-clinician, with the line that it is outside the check', (text) => {
    const a = assess(text, 'sertraline');
    expect(a.level).not.toBe('self-monitor');
    expect(a.notes).toContain('outside-scope');
  });

  it.each(['I feel fine', 'nothing really', 'all good, no problems', 'estoy bien'])('%s → self-monitor', (text) => {
    expect(assess(text, 'sertraline').level).toBe('self-monitor');
  });
});

// Concepts added from phrasings written blind by other hands (a second round): each with other voices and controls.
describe('second round: the same concepts in other voices, with their controls', () => {
  it.each([
    ['I want to end my own life and I have the knife ready for tonight', ['suicidal-intent']],
    ['quiero terminar con mi vida esta noche', ['suicidal-intent']],
    ['sometimes I think it would be a relief not to be alive anymore', ['suicidal-ideation']],
    ['a veces siento que sería mejor no estar viva', ['suicidal-ideation']],
    ['she took a whole handful of her dad’s pills', ['overdose']],
    ['se tomó un puñado de pastillas', ['overdose']],
    ['I took my night tablets twice over, I forgot I already had them', ['overdose']],
    ['the bottle was brand new yesterday and now it is empty', ['overdose']],
    ['he no wake up when I shake him', ['hard-to-wake']],
    ['no hay forma de despertarla', ['hard-to-wake']],
    ['it is hard to get any air in', ['breathing-problem']],
    ['no me entra el aire', ['breathing-problem']],
    ['his breath is very small and not regular', ['breathing-problem']],
    ['feels like my ribs are being crushed at the front', ['chest-pain']],
    ['tengo una puntada en el pecho', ['chest-pain']],
    ["she don't know me, she don't know her own house", ['confusion-severe']],
    ["he's talking total nonsense and can't answer simple questions", ['confusion-severe']],
    ['no puede contestar preguntas sencillas', ['confusion-severe']],
    ['my mum says there are kids in the hallway but the hallway is empty', ['hallucinations']],
    ['he sees his late wife sitting in her chair', ['hallucinations']],
    ['his arms and legs were thrashing and he bit his tongue', ['seizure']],
    ['the hair on my arms is standing on end', ['goosebumps']],
    ['my skin looks like a plucked chicken', ['goosebumps']],
    ['his urine in the catheter bag is a rusty brown colour', ['dark-urine']],
    ['when the doctor tapped my knee my leg shot right up', ['hyperreflexia']],
  ])('%s → %j', (text, ids) => {
    for (const id of ids) expect(present(assess(text))).toContain(id);
  });

  it.each([
    ['I bought a new kitchen knife for cooking', 'suicidal-intent'],
    ['I took a handful of almonds with my pills', 'overdose'],
    ['his breathing is normal, just a small cough', 'breathing-problem'],
    ['I tried to kill myself when I was 19, I am in a good place now', 'suicidal-intent'],
    ['I had a seizure when I was 12', 'seizure'],
    ['mi vieja tiene la presión alta, yo no', 'hypertension'],
    ['my gf is super itchy from her new detergent, im good tho', 'pruritus'],
    ['I ate chicken skin for dinner', 'goosebumps'],
    ['I can\'t go out for fresh air because of the rain', 'breathing-problem'],
  ])('%s → not %s', (text, id) => {
    expect(present(assess(text))).not.toContain(id);
  });
});

describe('questions, warnings and reported questions: the answer decides', () => {
  it.each([
    ['Can tramadol and sertraline together cause a fast heartbeat?', 'tachycardia'],
    ['Should I expect to feel dizzy when the dose goes up?', 'lightheaded'],
    ['¿Es normal que la sertralina dé diarrea?', 'diarrhoea'],
    ['Is dark pee a side effect of this?', 'dark-urine'],
    ['The nurse said to watch for itching, fever and worse spasms.', 'fever-subjective'],
    ['The leaflet cautions about drowsiness and confusion in older people.', 'confusion'],
    ['My wife asked whether I had been dizzy or unsteady. I have been neither.', 'lightheaded'],
    ['La farmacéutica me preguntó por mareos y dolor de cabeza. Ninguna de las dos cosas.', 'headache'],
  ])('%s → not %s', (text, id) => {
    expect(present(assess(text))).not.toContain(id);
  });

  it.each([
    ['the nurse asked if I was dizzy and I said yes, very dizzy', 'lightheaded'],
    ['he asked whether I had chest pain, yes I have it now', 'chest-pain'],
    ['they told me to watch for fever, and now I have a fever', 'fever-subjective'],
    ['I had chest pain. Neither my wife nor my son noticed', 'chest-pain'],
    ['no puedo respirar. Tampoco puedo hablar', 'breathing-problem'],
  ])('%s → %s', (text, id) => {
    expect(present(assess(text))).toContain(id);
  });
});

describe('third round (blind vignettes): concepts with their controls', () => {
  it.each([
    ["he took his whole week's worth of baclofen at once", 'overdose'],
    ['se tomó las pastillas de toda la semana', 'overdose'],
    ['she sometimes wishes she wouldnt wake up', 'suicidal-ideation'],
    ['ojalá no despertar mañana', 'suicidal-ideation'],
    ['está toda aguada y no reacciona', 'hard-to-wake'],
  ])('%s → %s', (text, id) => {
    expect(present(assess(text))).toContain(id);
  });

  it.each([
    ['puedo tomar agua bien', 'hard-to-wake'],
    ['un dolor de cabeza leve que se me quita con agua', 'hard-to-wake'],
    ['she sometimes wishes she wouldnt wake up', 'hard-to-wake'],
  ])('%s → not %s', (text, id) => {
    expect(present(assess(text))).not.toContain(id);
  });

  it('grandpa fell and hit his head, then vomits and dozes: a head injury, the carer writing for him', () => {
    const a = assess('grandpa slipped in the tub last night and cracked his head. this morning he has thrown up twice and keeps dozing off');
    expect(a.level).toBe('emergency');
  });

  it.each([
    ['urgent care gave me tramadol 2 days ago for my back'],
    ['el tramadol me lo dio el dentista ayer'],
    ['the dentist prescribed tramadol yesterday'],
    ['el doctor me recetó tramadol el lunes'],
  ])('a drug given or prescribed is a start: %s', (doseChanges) => {
    const a = t.assess({ medications: 'sertraline 100 mg, tramadol', doseChanges, symptoms: '', now: NOW });
    expect(a.findings.doseChanges.map((c) => [c.medication, c.change])).toContainEqual(['tramadol', 'started']);
  });

  it('"nothing prescribed" is not a start', () => {
    const a = t.assess({ medications: 'nothing prescribed, was using fentanyl', doseChanges: 'last used yesterday', symptoms: '', now: NOW });
    expect(a.findings.doseChanges.map((c) => c.change)).not.toContain('started');
  });
});

describe('fourth round: Spanish words whose short stems joined unrelated words, and more plans', () => {
  it.each([
    ['quiero tomar mate', 'suicidal-ideation'],
    ['tengo ganas de ir a la mar', 'lightheaded'],
    ['puedo tomar agua bien', 'hard-to-wake'],
    ['my box of 28 has 20 left and I took my pill this morning', 'overdose'],
    ['guardé la cuerda del tendedero en el garaje', 'suicidal-intent'],
    ['the baby was breathing on the floor mat', 'hallucinations'],
  ])('%s → not %s', (text, id) => {
    expect(present(assess(text))).not.toContain(id);
  });

  it.each([
    ['encontré la caja de 30 y solo quedan 5, dice que se las tomó', 'overdose'],
    ['I found the new box of 56 with only 14 left, she says she took them an hour ago', 'overdose'],
    ['tengo una cuerda guardada en el garaje', 'suicidal-intent'],
    ['las cartas para mis hijos están en el cajón', 'suicidal-intent'],
    ['me he despedido de todos y esta noche me tiro del puente', 'suicidal-intent'],
    ['ya tengo todo listo, esta noche me mato', 'suicidal-intent'],
    ['siento como si me estuvieran apretando el pecho', 'chest-pain'],
    ['her lips look bleu, kind of purple blue', 'cyanosis'],
    ['I feel like I am breathing through a straw', 'breathing-problem'],
    ["can't get to the end of a sentence without stopping for air", 'breathing-problem'],
    ['the walls are breathing and the curtains are crawling', 'hallucinations'],
    ['resident reports children in the corner of her room, none present', 'hallucinations'],
    ['he was jerking all over and not responding, and he remembers none of it', 'seizure'],
  ])('%s → %s', (text, id) => {
    expect(present(assess(text))).toContain(id);
  });
});

describe('a past event that came back now is read as now', () => {
  it.each([
    ['I had a seizure when I was 12 and another one this morning'],
    ['had seizures as a kid and had one again today'],
    ['tuve convulsiones de niño y otra vez hoy'],
  ])('%s → seizure', (text) => {
    expect(present(assess(text))).toContain('seizure');
  });

  it.each([
    ['had a seizure as a kid, none since'],
    ['I had a seizure when I was 12'],
  ])('%s → not seizure', (text) => {
    expect(present(assess(text))).not.toContain('seizure');
  });
});

describe('fifth round (a blind bank): plans told apart from the wish, and what people do when they see things', () => {
  it.each([
    // A wish to die in one sentence, the plan or means in another: intent.
    ['I want to finish my life. I have the pills ready for tomorrow.', 'suicidal-intent'],
    ['no quiero vivir. ya tengo las pastillas guardadas para el viernes', 'suicidal-intent'],
    ["wish i was dead. i've figured out how many of my sleeping tablets it would take", 'suicidal-intent'],
    ["I don't want to be here anymore, I gave my dog to my brother yesterday", 'suicidal-intent'],
    // A decision or a time with a way of dying, or enough to die.
    ["i've decided, i'm ending it tonight", 'suicidal-intent'],
    ['ya lo decidí, voy a acabar con todo', 'suicidal-intent'],
    ['hoy me aviento del puente', 'suicidal-intent'],
    ["I've saved enough to not wake up", 'suicidal-intent'],
    // Overdose: a handful then swallowed, several days' doses at once, a bottle drunk.
    ['grabbed a fistful of his oxys and swallowed them', 'overdose'],
    ['agarró un puñado de pastillas y se las tragó', 'overdose'],
    ["she took the whole week's tablets from her pill organiser at once", 'overdose'],
    ['se tomó las pastillas de toda la semana de una vez', 'overdose'],
    ['he drank half a bottle of cough medicine', 'overdose'],
    // Hallucinations: a voice calling someone who lives alone, people hiding in the house, talking to the dead.
    ['she hears someone calling her name at night and she lives alone', 'hallucinations'],
    ['oigo que me hablan pero vivo sola', 'hallucinations'],
    ['he swears there are people in the attic', 'hallucinations'],
    ['my mom is talkin to her brother who died years ago', 'hallucinations'],
    ['hes waving at ppl in the yard n theres literally noone out there', 'hallucinations'],
    // Seizure told as what was seen; severe confusion as getting lost at home.
    ['she fell down and was shaking all over her body', 'seizure'],
    ['se cayó y empezó a temblar todo el cuerpo como epilepsia', 'seizure'],
    ['the left side of his face and his left arm keep jerking', 'seizure'],
    ['she got lost in her own house this morning', 'confusion-severe'],
    ['se pierde en su propia casa', 'confusion-severe'],
    ['I shook him many times, he not open the eyes', 'hard-to-wake'],
  ])('%s → %s', (text, id) => {
    expect(present(assess(text))).toContain(id);
  });

  it.each([
    // The same words where they mean nothing now.
    ['I have my pills ready for tomorrow in the dosette box', 'suicidal-intent'],
    ["I've decided to take the new job", 'suicidal-intent'],
    ['I gave my dog to my sister for the weekend', 'suicidal-intent'],
    ["we're ending it tonight, the relationship is over", 'suicidal-intent'],
    ['quiero matar el rato viendo la tele', 'suicidal-intent'],
    ["I took a week's worth of pills with me on holiday", 'overdose'],
    ['I grabbed a handful of vitamins and swallowed them', 'overdose'],
    ['he drank half a bottle of wine', 'overdose'],
    ['I eat all my meals after my pills', 'overdose'],
    ['Can you overdose on baclofen?', 'overdose'],
    ['I overdosed on chocolate at Easter haha', 'overdose'],
    ['my neighbour talks to me over the fence, I live alone', 'hallucinations'],
    ['he got lost driving in a new city', 'confusion-severe'],
    ['my leg jerks when I press on the left side of my foot', 'seizure'],
    ['Toma pregabalina para las crisis epilépticas.', 'seizure'],
    ["I'm on pins and needles waiting for my results", 'paresthesia'],
    ["Thought I'd have a heart attack when I saw the bill!", 'chest-pain'],
    ['My head is spinning with all these forms', 'lightheaded'],
    ['se me acabó el sábado y lo dejé de golpe, el doctor no me contesta', 'hard-to-wake'],
  ])('%s → not %s', (text, id) => {
    expect(present(assess(text))).not.toContain(id);
  });

  it.each([
    // Means saved or researched, and a time chosen, each in its own sentence: intent without a word for death.
    ["I've been saving up my pills for weeks. I've got enough now and I know when I'm going to take them."],
    ["I looked up how many of my tablets it would take. I'm doing it tonight when everyone's asleep."],
    ['llevo semanas guardando mis pastillas. ya sé cuándo lo voy a hacer'],
    ["my son says he's picked a date to end things"],
    ['i sent goodbye messages to my friends and i know which bridge'],
  ])('%s → suicidal-intent', (text) => {
    expect(present(assess(text))).toContain('suicidal-intent');
  });

  it.each([
    // Something seen, heard or spoken to, then said not to be there, in the next sentence.
    ['mum keeps talking to a little girl on the end of her bed. there is no little girl.'],
    ['For hours I have heard a choir singing in the radiator. Nobody else can hear it.'],
    ['he is shouting at the curtains'],
    ['habla con una señora en la silla. no hay ninguna señora.'],
  ])('%s → hallucinations', (text) => {
    expect(present(assess(text))).toContain('hallucinations');
  });

  it.each([
    ["I know when I'm going to take my pills, at 8 every night"],
    ["I'm saving my pills for the trip"],
    ['we picked a date for the wedding'],
    ["I'm doing it tonight, the homework"],
    ['I see my neighbour in the garden. Nobody else is home.'],
  ])('%s → neither intent nor hallucinations', (text) => {
    expect(present(assess(text))).not.toContain('suicidal-intent');
    expect(present(assess(text))).not.toContain('hallucinations');
  });

  it('a plan alone is not a finding, and it counts only with a wish to die in the same answers', () => {
    const plain = assess('I have the pills ready for tomorrow.');
    expect(plain.findings.symptoms.map((s) => s.id)).toEqual([]);
    const both = t.assess({ symptoms: 'I want to die.', followUps: { other: 'I have the pills ready for tomorrow.' }, now: NOW, locale: 'en-US' });
    expect(both.level).toBe('emergency');
    expect(both.redFlags.map((r) => r.id)).toContain('suicidal-intent');
  });

  it('a year is a time: a drinking stop "back in 2019" is not a recent one', () => {
    expect(assess('feeling good. back in 2019 when i quit drinking i got very sick').level).toBe('self-monitor');
    expect(assess('dejé de tomar en 2019 y estoy bien').level).toBe('self-monitor');
    expect(assess('I quit drinking 3 days ago and I am shaking').level).not.toBe('self-monitor');
  });

  it("'40s' after a drug name is its strength, not forty-ounce beers", () => {
    const a = assess('', 'was taking oxycontin 40s, like 3 a day');
    expect(a.findings.medications.map((m) => m.name)).not.toContain('alcohol');
  });
});
