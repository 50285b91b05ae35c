// The emergency screen's signs, in plain words: the red flags of clinical.md 5.1 and the emergencies outside the
// patterns of 5.1b, as nurse telephone triage asks them before anything else. Each names the finding ids whose denial
// ("no chest pain") leaves it out of the screen, and `reads`, what the core is given for a yes (a plain first-person
// phrase, so the core reads the sign as it reads any answer, and the crisis line follows thoughts of suicide).
import type { Lang } from './strings.js';

export interface ScreenSign {
  /** The red flag it stands for (DESIGN.md ids). */
  id: string;
  /** Finding ids per concept; the sign is denied when every concept has a denied finding. */
  denied: string[][];
  /** Short, for the list and the quick reply. */
  label: Record<Lang, string>;
  /** The yes/no question when the signs are taken one at a time. */
  ask: Record<Lang, string>;
  reads: Record<Lang, string>;
  /** knowledge/sources.json ids, or the section of the shared research notes that carries it. */
  sources: string[];
}

export const SCREEN_SIGNS: readonly ScreenSign[] = [
  {
    id: 'seizure', denied: [['seizure']],
    label: { en: 'A seizure (fit)', es: 'Una convulsión (ataque)' },
    ask: { en: 'Is anyone having a seizure (fit), or has one happened today?', es: '¿Alguien tiene una convulsión (ataque), o tuvo una hoy?' },
    reads: { en: 'a seizure', es: 'una convulsión' },
    sources: ['nhs-999-guidance'],
  },
  {
    id: 'unresponsive', denied: [['hard-to-wake']],
    label: { en: 'Hard to wake, or not waking', es: 'Cuesta despertarle, o no despierta' },
    ask: { en: 'Is the person very hard to wake, or not waking up?', es: '¿Cuesta mucho despertar a la persona, o no despierta?' },
    reads: { en: 'hard to wake', es: 'no despierta' },
    sources: ['nhs-999-guidance', 'cdc-overdose-signs'],
  },
  {
    id: 'breathing', denied: [['breathing-problem']],
    label: { en: 'Breathing slow, noisy or hard', es: 'Respira lento, con ruido o mal' },
    ask: { en: 'Is the breathing slow, shallow, noisy (gurgling or deep snoring) or hard work?', es: '¿La respiración es lenta, superficial, ruidosa (gorgoteo o ronquido profundo) o le cuesta respirar?' },
    reads: { en: 'breathing slow and hard', es: 'respira lento y con dificultad' },
    sources: ['cdc-overdose-signs', 'cdph-overdose-signs'],
  },
  {
    id: 'cyanosis', denied: [['cyanosis']],
    label: { en: 'Blue or grey lips', es: 'Labios azules o grises' },
    ask: { en: 'Are the lips or fingertips blue or grey?', es: '¿Los labios o las puntas de los dedos están azules o grises?' },
    reads: { en: 'blue lips', es: 'labios morados' },
    sources: ['cdc-overdose-signs', 'nhs-999-guidance'],
  },
  {
    id: 'chest-pain', denied: [['chest-pain']],
    label: { en: 'Chest pain', es: 'Dolor de pecho' },
    ask: { en: 'Is there chest pain, or pressure, heaviness or tightness in the chest?', es: '¿Hay dolor de pecho, o presión, peso u opresión en el pecho?' },
    reads: { en: 'chest pain', es: 'dolor de pecho' },
    sources: ['nhs-999-guidance'],
  },
  {
    id: 'severe-confusion', denied: [['confusion-severe', 'confusion'], ['hallucinations']],
    label: { en: 'Very confused, or seeing things', es: 'Muy confundido o ve cosas irreales' },
    ask: { en: "Is the person very confused (not knowing where they are), or seeing or hearing things that aren't there?", es: '¿La persona está muy confundida (no sabe dónde está), o ve u oye cosas que no están?' },
    reads: { en: 'very confused and seeing things that are not there', es: 'muy confundido y ve cosas que no están' },
    sources: ['nhs-999-guidance'],
  },
  {
    id: 'stroke', denied: [['stroke']],
    label: { en: 'Face droops, arm weak, speech slurred', es: 'Cara caída, brazo débil, habla torpe' },
    ask: { en: 'Has one side of the face dropped, is an arm weak, or is the speech slurred or hard to get out?', es: '¿Se le cayó un lado de la cara, tiene un brazo débil, o habla arrastrado o no le salen las palabras?' },
    reads: { en: 'my face is drooping, an arm is weak and my speech is slurred', es: 'se me cae la cara, tengo un brazo débil y hablo arrastrado' },
    sources: ['clinical.md 5.1b'],
  },
  {
    id: 'anaphylaxis', denied: [['anaphylaxis', 'angioedema']],
    label: { en: 'Lips or tongue swelling', es: 'Labios o lengua hinchándose' },
    ask: { en: 'Are the lips, mouth, tongue or throat swelling, or is it hard to swallow?', es: '¿Se están hinchando los labios, la boca, la lengua o la garganta, o le cuesta tragar?' },
    reads: { en: 'my lips and tongue are swelling', es: 'se me hinchan los labios y la lengua' },
    sources: ['clinical.md 5.1b'],
  },
  {
    id: 'bleeding', denied: [['bleeding']],
    label: { en: 'Heavy bleeding', es: 'Sangrado abundante' },
    ask: { en: 'Is there heavy bleeding, or bleeding that will not stop?', es: '¿Hay un sangrado abundante, o que no para?' },
    reads: { en: 'heavy bleeding that will not stop', es: 'sangrado abundante que no para' },
    sources: ['clinical.md 5.1b'],
  },
  {
    id: 'suicidal-intent', denied: [['suicidal-ideation', 'suicidal-intent']],
    label: { en: 'Thoughts of suicide, or self-harm', es: 'Ideas de suicidio o autolesión' },
    ask: { en: 'Is anyone having thoughts of ending their life, or harming themselves, right now?', es: '¿Alguien tiene ahora pensamientos de quitarse la vida, o se está haciendo daño?' },
    reads: { en: 'thoughts of ending my life', es: 'pensamientos de quitarme la vida' },
    sources: ['nhs-999-guidance', 'antidepressant-boxed-warning'],
  },
];

const byId = new Map(SCREEN_SIGNS.map((s) => [s.id, s]));
export const screenSign = (id: string): ScreenSign | undefined => byId.get(id);

const fold = (t: string) => t.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
const labels = new Map<string, string>(SCREEN_SIGNS.flatMap((s) => [[fold(s.label.en), s.id], [fold(s.label.es), s.id]] as [string, string][]));

/** The sign a quick reply (or its text typed back) names, in either language. */
export function signNamed(text: string): ScreenSign | undefined {
  const id = labels.get(fold(text.replace(/^\s*(?:yes|s[ií])\b[\s,:;.-]*/i, '')));
  return id ? byId.get(id) : undefined;
}

/** The signs not yet denied, given the negated finding ids so far and signs denied by other answers. */
export function signsLeft(deniedFindings: ReadonlySet<string>, deniedSigns: ReadonlySet<string> = new Set()): ScreenSign[] {
  return SCREEN_SIGNS.filter((s) => !deniedSigns.has(s.id) && !s.denied.every((concept) => concept.some((id) => deniedFindings.has(id))));
}
