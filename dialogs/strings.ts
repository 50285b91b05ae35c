// What the bot says, per language. Kept out of the dialog code so a translation is a data change.
// `{emergency}` is replaced with the emergency number for the person's locale.
export type Lang = 'en' | 'es';

const en = {
  greeting:
    'Hi, I help you check whether a reaction to a medicine change needs care: serotonin toxicity, baclofen withdrawal, ' +
    'or too much sedation from mixing medicines. This is not a diagnosis and does not replace a clinician. ' +
    'If someone has a seizure, is hard to wake, is breathing slowly or badly, or has chest pain, call {emergency} now. ' +
    'You can type "help", "start over", "cancel" or "delete my data" at any time.',
  restarted: "OK, let's start a new check.",
  askMedications: 'Which medicines do you (or the person you are helping) take now? Brand names are fine. You can say "none" or "not sure".',
  retryMedications: 'Please tell me the medicines by name, or say "none" or "not sure".',
  addMedications: 'You mentioned {list}. Any other medicines? Say "no" if that is all.',
  askDoseChanges: 'Any recent changes: a medicine started, stopped, missed, run out, increased or decreased, or a pump alarm or missed refill? And when was that?',
  addDoseChanges: 'You mentioned: {list}. Any other recent changes? Say "no" if that is all.',
  askSymptoms: 'What symptoms or changes have you noticed?',
  addSymptoms: 'You mentioned {list}. Anything else you have noticed? Say "no" if that is all.',
  retryText: 'Sorry, I did not get that. You can type your answer, or say "not sure".',
  confirmDrug: 'Did you mean {drug}?',
  retryYesNo: 'Please answer yes or no (or "not sure").',
  whichDrug: 'Which medicine was it? Type its name as on the box, or say "not sure".',
  askWhen: 'When did you {change} {drug}? For example "yesterday", "3 days ago" or a date. Say "not sure" if you do not know.',
  retryWhen: 'I could not tell when that was. Try "this morning", "2 days ago" or "March 3", or say "not sure".',
  futureWhen: 'That seems to be in the future. When did it happen? Or say "not sure".',
  temperature: 'Have you taken a temperature? If so, what was it? Say "not sure" if not.',
  retryTemperature: 'That does not look like a body temperature. Please give it in °C or °F (for example 38.2 or 101), or say "not sure".',
  pump: 'About the baclofen pump: has it alarmed, is a refill overdue, or has there been recent surgery or a fall? Say "no pump" if there is none.',
  timing: 'When did these symptoms start?',
  breathing: 'How is the breathing: normal, or slow, shallow or noisy? And is the person easy to wake?',
  suicidal: 'Since the antidepressant started or changed, or with low mood: have there been any thoughts of harming yourself or ending your life?',
  alcohol: 'Has there been any alcohol recently, or a recent stop in heavy drinking?',
  'last-use': 'When was the last drink, or the last dose of the sedative or opioid? For example "last night", "Saturday" or "2 days ago".',
  amount: 'How much alcohol, how often, and for how long? For example "a six-pack a day for years" or "a fifth on weekends".',
  'withdrawal-history': 'When stopping or cutting down before, was there ever a seizure (fit) or the DTs (delirium tremens: confusion, seeing things, heavy shaking)?',
  otherFollowUp: 'Anything else?',
  // The emergency screen (clinical.md 5.1, 5.1b): one message naming the signs, then, after "not sure", one sign at a time.
  screenAsk: 'Before I give you my answer, one more check. Is any of these happening now?',
  screenHowButtons: 'Tap the one that is, or "None of these" or "Not sure".',
  screenHowText: 'Say "yes" and which one, "none" or "not sure".',
  retryScreen: 'Is any of these happening now? Say "yes" and which one, "none" or "not sure".',
  screenOneByOne: "Let's go through them one at a time.",
  retrySign: 'Please answer yes or no.',
  noneOfThese: 'None of these',
  unknownMoveOn: 'I could not read that answer, so I will treat it as unknown and go on.',
  unansweredMoveOn: 'I will leave that question as unknown and go on.',
  enoughQuestions: 'That is enough questions: here is my answer with what I have.',
  changed: 'OK, I have changed that.',
  added: 'OK, I have added that.',
  dropped: 'OK, I have taken out that change ({change}).',
  nowHave: 'I now have: {list}.',
  nowHaveMedicines: 'medicines: {list}',
  nowHaveChanges: 'recent changes: {list}',
  noMedicines: 'no medicines',
  noChanges: 'no recent changes',
  askedAgain: 'Back to my question:',
  questionBackGeneric: "I can't answer that here; a pharmacist or your prescriber can. In an emergency call {emergency}.",
  questionBackEmergency: 'Yes: what you told me needs emergency help now. Call {emergency} now, or have someone take you to the emergency department.',
  questionBackWho: "I'm an automated helper, not a person and not a clinician. I ask questions and say how urgent things look; it is not a diagnosis.",
  /** What a question means, for "what do you mean?" and "why do you ask?". */
  explain: {
    medications: 'I mean every medicine taken now: prescribed ones, ones bought without a prescription, supplements, and alcohol or other drugs. The names on the boxes are best.',
    doseChanges: 'I mean any change in the last weeks: a medicine started or stopped, a dose raised or lowered, doses missed or run out, or a problem with a baclofen pump such as an alarm or a late refill.',
    symptoms: 'I mean anything that feels different, in your own words: for example shaking, sweating, stiffness, itching, or being very sleepy or confused.',
    drug: 'Some medicine names look alike, and what I say depends on which one it is, so I check the name I read.',
    drugName: 'The name as it is written on the box or the pharmacy label.',
    when: 'When a change happened matters, because reactions often begin within hours to a few days of it. A rough answer such as "2 days ago" is enough.',
    temperature: 'A thermometer reading, in °C or °F, if one was taken. A high temperature changes how urgent this is.',
    pump: 'Some people get baclofen from a pump under the skin. If it has alarmed, a refill is late, or there was surgery or a fall, the baclofen may have stopped.',
    timing: 'When the symptoms began, for example "this morning" or "2 days ago".',
    breathing: 'Medicines that make people sleepy can slow their breathing, so I ask how the breathing is and whether the person wakes easily.',
    suicidal: 'Antidepressants can bring new thoughts of self-harm, mostly in the first months or after a dose change, so I ask everyone who takes one.',
    alcohol: 'Alcohol adds to the sleepiness that baclofen can cause, and stopping heavy drinking brings its own withdrawal.',
    screen: 'These signs need emergency help at once, whatever else is going on, so I ask about them before any calmer answer.',
    restart: 'Say "yes" to answer the questions again for a new check, or "no" to stop here.',
    other: 'Anything else you would like to add.',
  } as Record<string, string>,
  emergencyLead: 'This needs emergency help now.',
  carryOn: 'When it is safe, you can carry on answering and I will keep what you told me.',
  offerRestart: 'Would you like to start a new check?',
  goodbye: 'OK. Take care. If anything gets worse, call {emergency}. Type anything to start a new check.',
  help:
    'I ask about medicines, recent changes and symptoms, then tell you how urgent it looks. This is not a diagnosis. ' +
    'Commands: "start over" (begin again), "cancel" (stop this check), "delete my data" (erase what you told me). ' +
    'In an emergency call {emergency}.',
  cancelled: 'Stopped. I have set this check aside. Type anything to start a new one. If things get worse, call {emergency}.',
  deleted: 'Done: I deleted everything you told me in this conversation.',
  personalOnly: 'I work in a personal chat, because I ask about health. Please message me directly.',
  error: 'Sorry, something went wrong on my side. Your answers so far are kept; please send that again. If this is an emergency, call {emergency}.',
  unavailable: 'Sorry, the service is briefly unavailable and did not take that message. Your answers so far are kept; please send it again in a minute. If this is an emergency, call {emergency}.',
  notDiagnosis: 'This is not a diagnosis.',
  level: 'Level',
  whatToDo: 'What to do',
  watchFor: 'If things change',
  contacts: 'Contacts',
  yes: 'Yes', no: 'No', notSure: 'Not sure', none: 'None', noPump: 'No pump', normal: 'Normal', today: 'Today', yesterday: 'Yesterday',
  levels: { emergency: 'EMERGENCY', urgent: 'Urgent (today)', 'contact-clinician': 'Contact your clinician (within 1-3 days)', 'self-monitor': 'Watch at home' },
  changeLabels: {
    started: 'started', stopped: 'stopped', 'ran-out': 'ran out of', missed: 'missed', increased: 'increased', decreased: 'decreased',
    restarted: 'restarted', 'pump-alarm': 'pump alarm', 'refill-missed': 'missed pump refill', 'pump-surgery': 'pump surgery',
    'pump-fall': 'fall with a pump', planned: 'planned change to', overdose: 'took too much',
  } as Record<string, string>,
  changes: { started: 'start', stopped: 'stop', 'ran-out': 'run out of', missed: 'miss', increased: 'increase', decreased: 'decrease', restarted: 'restart' } as Record<string, string>,
};

const es: typeof en = {
  greeting:
    'Hola. Le ayudo a ver si una reacción a un cambio de medicamento necesita atención: toxicidad por serotonina, abstinencia de baclofeno ' +
    'o demasiada sedación por mezclar medicamentos. Esto no es un diagnóstico y no reemplaza a un profesional de salud. ' +
    'Si alguien tiene una convulsión, no despierta bien, respira lento o mal, o tiene dolor de pecho, llame al {emergency} ahora. ' +
    'Puede escribir "ayuda", "empezar de nuevo", "cancelar" o "borrar mis datos" en cualquier momento.',
  restarted: 'De acuerdo, empecemos de nuevo.',
  askMedications: '¿Qué medicamentos toma ahora (usted o la persona a quien ayuda)? Puede usar la marca. Puede decir "ninguno" o "no sé".',
  retryMedications: 'Dígame los medicamentos por nombre, o diga "ninguno" o "no sé".',
  addMedications: 'Mencionó {list}. ¿Algún otro medicamento? Diga "no" si es todo.',
  askDoseChanges: '¿Algún cambio reciente: empezó, dejó, olvidó o se le acabó un medicamento, subió o bajó la dosis, o una alarma o recarga de la bomba? ¿Cuándo fue?',
  addDoseChanges: 'Mencionó: {list}. ¿Algún otro cambio reciente? Diga "no" si es todo.',
  askSymptoms: '¿Qué síntomas o cambios ha notado?',
  addSymptoms: 'Mencionó {list}. ¿Algo más que haya notado? Diga "no" si es todo.',
  retryText: 'Perdón, no le entendí. Escriba su respuesta o diga "no sé".',
  confirmDrug: '¿Se refiere a {drug}?',
  retryYesNo: 'Responda sí o no (o "no sé").',
  whichDrug: '¿Qué medicamento era? Escriba el nombre como en la caja, o diga "no sé".',
  askWhen: '¿Cuándo fue ({change} {drug})? Por ejemplo "ayer", "hace 3 días" o una fecha. Diga "no sé" si no lo sabe.',
  retryWhen: 'No pude saber cuándo fue. Pruebe "esta mañana", "hace 2 días" o "3 de marzo", o diga "no sé".',
  futureWhen: 'Eso parece ser en el futuro. ¿Cuándo pasó? O diga "no sé".',
  temperature: '¿Le han tomado la temperatura? Si es así, ¿cuánto marcó? Diga "no sé" si no.',
  retryTemperature: 'Eso no parece una temperatura corporal. Dígala en °C o °F (por ejemplo 38.2 o 101), o diga "no sé".',
  pump: 'Sobre la bomba de baclofeno: ¿ha sonado la alarma, está atrasada la recarga, o hubo una cirugía o caída reciente? Diga "sin bomba" si no tiene.',
  timing: '¿Cuándo empezaron estos síntomas?',
  breathing: '¿Cómo es la respiración: normal, o lenta, superficial o ruidosa? ¿Despierta con facilidad?',
  suicidal: 'Desde que empezó o cambió el antidepresivo, o con ánimo bajo: ¿ha tenido pensamientos de hacerse daño o de quitarse la vida?',
  alcohol: '¿Ha tomado alcohol recientemente, o dejó de beber mucho hace poco?',
  'last-use': '¿Cuándo fue la última copa, o la última dosis del sedante o del opioide? Por ejemplo "anoche", "el sábado" o "hace 2 días".',
  amount: '¿Cuánto alcohol toma, cada cuánto y desde hace cuánto? Por ejemplo "seis cervezas al día desde hace años" o "una botella los fines de semana".',
  'withdrawal-history': 'Al dejar o bajar antes, ¿tuvo alguna vez una convulsión (ataque) o delirium tremens (confusión, ver cosas, temblor fuerte)?',
  otherFollowUp: '¿Algo más?',
  screenAsk: 'Antes de darle mi respuesta, una última comprobación. ¿Está pasando ahora alguna de estas cosas?',
  screenHowButtons: 'Toque la que está pasando, o "Ninguna de estas" o "No sé".',
  screenHowText: 'Diga "sí" y cuál, "ninguna" o "no sé".',
  retryScreen: '¿Está pasando ahora alguna de estas cosas? Diga "sí" y cuál, "ninguna" o "no sé".',
  screenOneByOne: 'Veámoslas una por una.',
  retrySign: 'Responda sí o no, por favor.',
  noneOfThese: 'Ninguna de estas',
  unknownMoveOn: 'No pude entender esa respuesta, así que la tomaré como desconocida y seguiré.',
  unansweredMoveOn: 'Dejaré esa pregunta como desconocida y seguiré.',
  enoughQuestions: 'Ya son suficientes preguntas: esta es mi respuesta con lo que tengo.',
  changed: 'De acuerdo, lo cambié.',
  added: 'De acuerdo, lo añadí.',
  dropped: 'De acuerdo, quité ese cambio ({change}).',
  nowHave: 'Ahora tengo: {list}.',
  nowHaveMedicines: 'medicamentos: {list}',
  nowHaveChanges: 'cambios recientes: {list}',
  noMedicines: 'ningún medicamento',
  noChanges: 'ningún cambio reciente',
  askedAgain: 'Vuelvo a mi pregunta:',
  questionBackGeneric: 'No puedo responder eso aquí; un farmacéutico o quien le receta sí puede. En una emergencia llame al {emergency}.',
  questionBackEmergency: 'Sí: lo que me contó necesita ayuda de emergencia ahora. Llame al {emergency} ahora o pida a alguien que le lleve a urgencias.',
  questionBackWho: 'Soy un asistente automático, no una persona ni un profesional de salud. Hago preguntas y digo qué tan urgente parece; no es un diagnóstico.',
  explain: {
    medications: 'Me refiero a todos los medicamentos que toma ahora: los recetados, los que compra sin receta, los suplementos, y el alcohol u otras drogas. Lo mejor es el nombre de la caja.',
    doseChanges: 'Me refiero a cualquier cambio en las últimas semanas: un medicamento que empezó o dejó, una dosis que subió o bajó, dosis olvidadas o que se acabaron, o un problema con una bomba de baclofeno, como una alarma o una recarga atrasada.',
    symptoms: 'Me refiero a cualquier cosa que note distinta, con sus palabras: por ejemplo temblores, sudor, rigidez, picazón, o mucho sueño o confusión.',
    drug: 'Algunos nombres de medicamentos se parecen, y lo que le digo depende de cuál sea, así que compruebo el nombre que leí.',
    drugName: 'El nombre tal como está escrito en la caja o en la etiqueta de la farmacia.',
    when: 'Importa cuándo fue el cambio, porque las reacciones suelen empezar entre unas horas y pocos días después. Basta algo aproximado como "hace 2 días".',
    temperature: 'Lo que marcó un termómetro, en °C o °F, si se tomó. Una temperatura alta cambia qué tan urgente es.',
    pump: 'Algunas personas reciben el baclofeno con una bomba bajo la piel. Si sonó la alarma, la recarga está atrasada, o hubo una cirugía o una caída, el baclofeno puede haberse interrumpido.',
    timing: 'Cuándo empezaron los síntomas, por ejemplo "esta mañana" o "hace 2 días".',
    breathing: 'Los medicamentos que dan sueño pueden hacer lenta la respiración, por eso pregunto cómo respira y si despierta con facilidad.',
    suicidal: 'Los antidepresivos pueden traer pensamientos nuevos de hacerse daño, sobre todo en los primeros meses o después de un cambio de dosis, por eso se lo pregunto a todos los que los toman.',
    alcohol: 'El alcohol suma al sueño que puede dar el baclofeno, y dejar de beber mucho trae su propia abstinencia.',
    screen: 'Estas señales necesitan ayuda de emergencia enseguida, pase lo que pase, por eso las pregunto antes de cualquier respuesta más tranquila.',
    restart: 'Diga "sí" para responder de nuevo en una nueva consulta, o "no" para terminar aquí.',
    other: 'Cualquier otra cosa que quiera añadir.',
  },
  emergencyLead: 'Esto necesita ayuda de emergencia ahora.',
  carryOn: 'Cuando sea seguro, puede seguir respondiendo; guardo lo que me dijo.',
  offerRestart: '¿Quiere empezar una nueva consulta?',
  goodbye: 'De acuerdo. Cuídese. Si algo empeora, llame al {emergency}. Escriba cualquier cosa para empezar de nuevo.',
  help:
    'Pregunto por medicamentos, cambios recientes y síntomas, y le digo qué tan urgente parece. Esto no es un diagnóstico. ' +
    'Comandos: "empezar de nuevo", "cancelar", "borrar mis datos". En una emergencia llame al {emergency}.',
  cancelled: 'Detenido. Escriba cualquier cosa para empezar de nuevo. Si algo empeora, llame al {emergency}.',
  deleted: 'Listo: borré todo lo que me dijo en esta conversación.',
  personalOnly: 'Trabajo en un chat personal, porque pregunto sobre salud. Escríbame directamente.',
  error: 'Perdón, algo falló de mi lado. Sus respuestas se guardaron; envíe eso otra vez. Si es una emergencia, llame al {emergency}.',
  unavailable: 'Perdón, el servicio no está disponible por un momento y no recibió ese mensaje. Sus respuestas anteriores se guardaron; envíelo otra vez en un minuto. Si es una emergencia, llame al {emergency}.',
  notDiagnosis: 'Esto no es un diagnóstico.',
  level: 'Nivel',
  whatToDo: 'Qué hacer',
  watchFor: 'Si algo cambia',
  contacts: 'Contactos',
  yes: 'Sí', no: 'No', notSure: 'No sé', none: 'Ninguno', noPump: 'Sin bomba', normal: 'Normal', today: 'Hoy', yesterday: 'Ayer',
  levels: { emergency: 'EMERGENCIA', urgent: 'Urgente (hoy)', 'contact-clinician': 'Hable con su médico (1-3 días)', 'self-monitor': 'Vigilar en casa' },
  changeLabels: {
    started: 'empezó', stopped: 'dejó', 'ran-out': 'se quedó sin', missed: 'olvidó', increased: 'subió', decreased: 'bajó',
    restarted: 'reinició', 'pump-alarm': 'alarma de la bomba', 'refill-missed': 'recarga de la bomba atrasada', 'pump-surgery': 'cirugía de la bomba',
    'pump-fall': 'caída con bomba', planned: 'cambio previsto de', overdose: 'tomó de más',
  },
  changes: { started: 'empezar', stopped: 'dejar', 'ran-out': 'quedarse sin', missed: 'olvidar', increased: 'subir', decreased: 'bajar', restarted: 'reiniciar' },
};

export type Strings = typeof en;
type TextKey = { [K in keyof Strings]: Strings[K] extends string ? K : never }[keyof Strings];

export function langOf(locale: string | undefined): Lang {
  return locale?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export function strings(locale: string | undefined): Strings {
  return langOf(locale) === 'es' ? es : en;
}

/** One message in the person's language with `{name}` slots filled. */
export function say(locale: string | undefined, key: TextKey, vars: Record<string, string> = {}): string {
  return strings(locale)[key].replace(/\{(\w+)\}/g, (m, name: string) => vars[name] ?? m);
}
