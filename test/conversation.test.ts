// A conversation that cannot miss or loop, through the real server's /api/messages: the emergency screen, answers that
// are "no" or "not sure", corrections, questions back, nothing asked twice, the result's contents, Spanish throughout.
// Direct Line and Slack conversations are reachable only through their own faces (/api/messages without Bot Framework
// auth refuses those channel ids): Direct Line's through the real local Direct Line on the same server, Slack's through
// the in-process adapter its signed events endpoint also uses (the real bot and dialogs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREEN_SIGNS } from '../dialogs/index.js';
import type { Assessment } from '../src/triage/index.js';
import { Chat } from './chat.js';
import { DirectLineChat } from './directline-chat.js';
import { startServer, type RunningServer } from './helpers.js';
import { HttpChat, buttonsOf, questionOf, resultOf, textsOf, type Reply } from './http-chat.js';

const NOW = '2026-03-08T09:00:00-05:00';
let srv: RunningServer;
beforeAll(async () => { srv = await startServer({}, undefined, { channels: true }); });
afterAll(async () => { await srv?.close(); });

const chat = (opts: { locale?: string; channelId?: string } = {}) => new HttpChat(srv, { now: NOW, locale: 'en-US', ...opts });
const lastOf = (turn: Reply[]) => [...turn].reverse().find((a) => a.type === 'message');

/** What `until` needs of a conversation, whichever face it goes through. */
interface Talk { readonly question: string | undefined; say(text: string): Promise<Reply[]> }

/** Answers until the bot asks `tag` (or gives its result), with `answer(tag)`; returns the turn that asked it. */
async function until(c: Talk, tag: string | ((q: string) => boolean), answer: (q: string) => string, max = 15): Promise<Reply[]> {
  const wanted = typeof tag === 'string' ? (q: string) => q === tag : tag;
  let turn: Reply[] = [];
  for (let i = 0; i < max && !wanted(c.question ?? '') && c.question !== 'restart'; i++) turn = await c.say(answer(c.question!));
  return turn;
}

/** Every question the bot asked in the conversation, in order. */
const asked = (c: HttpChat) => c.all.map(questionOf).filter((q): q is string => Boolean(q));

describe('the emergency screen', () => {
  it('comes once before a calm result: one message naming the signs, with quick replies; "None of these" costs one turn', async () => {
    const c = chat();
    await c.join();
    await c.say('sertraline 50 mg');
    await c.say('none');
    const screen = await c.say('a bit of a headache');
    const q = lastOf(screen)!;
    expect(questionOf(q)).toBe('screen');
    expect(q.text).toMatch(/Is any of these happening now\?/);
    expect(buttonsOf(q)).toEqual(['None of these', ...SCREEN_SIGNS.map((s) => s.label.en), 'Not sure']);
    expect(resultOf(screen)).toBeUndefined();
    const result = await c.say('None of these');
    expect(resultOf(result)?.level).toBe('self-monitor');
    expect(c.question).toBe('restart');
    expect(asked(c).filter((x) => x === 'screen')).toHaveLength(1);
  });

  it('a dose change told at the screen is kept for the result, not lost as an answer it could not read', async () => {
    const c = chat();
    await c.join();
    await c.say('lexapro 20mg and xanax');
    await c.say('no changes');
    await until(c, 'screen', () => 'nothing really');
    expect(c.question).toBe('screen');
    const turn = await c.say('stopped the xanax sunday');
    expect(textsOf(turn).join(' ')).toMatch(/I have added that/);
    await until(c, 'restart', (q) => (q === 'screen' ? 'none of these' : 'not sure'));
    expect(c.question).toBe('restart');
    const all = c.all.map((a) => resultOf([a])).filter((r): r is Assessment => Boolean(r));
    const last = all.at(-1)!;
    expect(last.findings.doseChanges.map((d) => `${d.medication}:${d.change}`)).toContain('alprazolam:stopped');
    expect(last.level).not.toBe('self-monitor');
    expect(asked(c).filter((x) => x === 'screen').length).toBeLessThanOrEqual(2);
  });

  it('leaves out the signs already denied', async () => {
    const c = chat();
    await c.join();
    await c.say('sertraline');
    await c.say('none');
    const screen = await c.say('headache, no chest pain and no seizure');
    const q = lastOf(screen)!;
    expect(questionOf(q)).toBe('screen');
    expect(buttonsOf(q)).not.toContain('Chest pain');
    expect(buttonsOf(q)).not.toContain('A seizure (fit)');
    expect(buttonsOf(q)).toContain('Heavy bleeding');
  });

  it('lists the signs in its message where buttons are not shown (Slack) or too few (Teams)', async () => {
    // Slack: the in-process adapter (Slack's own face runs the bot in-process; /api/messages refuses channelId slack
    // without auth). Its message text is read as the dialog wrote it, before the Slack face writes buttons out as text.
    const slack = new Chat({ channelId: 'slack', locale: 'en-US', now: NOW });
    const faces: [string, { join(): Promise<unknown>; say(text: string): Promise<Reply[]> }][] = [
      ['slack', { join: () => slack.join(), say: async (text) => (await slack.say(text)) as Reply[] }],
      ['msteams', chat({ channelId: 'msteams' })],
    ];
    for (const [channelId, c] of faces) {
      await c.join();
      await c.say('sertraline');
      await c.say('none');
      const q = lastOf(await c.say('headache'))!;
      expect(questionOf(q)).toBe('screen');
      for (const sign of SCREEN_SIGNS) expect(q.text, channelId).toContain(sign.label.en);
      const result = await c.say('yes');
      expect(resultOf(result)?.level).toBe('emergency');
    }
  });

  it.each([
    ['a sign clicked (a card submit)', (c: HttpChat) => c.submit({ answer: 'Heavy bleeding' })],
    ['a typed yes', (c: HttpChat) => c.say('yes')],
    ['a sign typed back', (c: HttpChat) => c.say('face droops, arm weak, speech slurred')],
  ])('%s is emergency at once', async (_name, answer) => {
    const c = chat();
    await c.join();
    await c.say('sertraline');
    await c.say('none');
    await c.say('headache');
    expect(c.question).toBe('screen');
    const turn = await answer(c);
    expect(resultOf(turn)?.level).toBe('emergency');
    expect(c.question).toBe('restart');
  });

  it('"not sure" asks each sign in turn with yes or no; a yes there is emergency', async () => {
    const c = chat();
    await c.join();
    await c.say('sertraline');
    await c.say('none');
    await c.say('headache');
    const first = await c.say('not sure');
    expect(c.question).toBe(`screen:${SCREEN_SIGNS[0]!.id}`);
    expect(buttonsOf(lastOf(first))).toEqual(['Yes', 'No']);
    await c.say('no');
    expect(c.question).toBe(`screen:${SCREEN_SIGNS[1]!.id}`);
    const yes = await c.say('yes');
    expect(resultOf(yes)?.level).toBe('emergency');
  });

  it('"not sure" and then no to every sign is the calm result', async () => {
    const c = chat();
    await c.join();
    await c.say('sertraline');
    await c.say('none');
    await c.say('headache');
    await c.say('idk');
    let turn: Reply[] = [];
    for (let i = 0; i < SCREEN_SIGNS.length && c.question?.startsWith('screen:'); i++) turn = await c.say('no');
    expect(resultOf(turn)?.level).toBe('self-monitor');
  });

  it('is not asked when the answers are already an emergency', async () => {
    const c = chat();
    await c.join();
    await c.say('sertraline');
    await c.say('none');
    const turn = await c.say('he had a seizure an hour ago');
    expect(resultOf(turn)?.level).toBe('emergency');
    await until(c, 'restart', () => 'no');
    expect(asked(c)).not.toContain('screen');
  });
});

describe('no loops', () => {
  it.each([
    ['no', false], ['never', false], ["I didn't", false], ['no sé', true], ['idk', true], ['ni idea', true], ['not sure', true],
  ] as const)('takes %j as an answer to "when did you stop it?" (the change %s)', async (answer, kept) => {
    const c = chat();
    await c.join();
    await c.say('baclofen 10 mg tablets');
    await c.say('I stopped baclofen');
    expect(c.question).toBe('when:baclofen');
    const turn = await c.say(answer);
    expect(c.question).toBe('symptoms');
    if (!kept) expect(textsOf(turn).join(' ')).toMatch(/taken out that change \(stopped baclofen\)/);
    const result = resultOf(await until(c, 'restart', (q) => (q === 'screen' ? 'none' : 'no')))!;
    expect(result.findings.doseChanges.some((d) => d.medication === 'baclofen' && d.change === 'stopped')).toBe(kept);
  });

  it('asks for an unreadable answer once more, then says it treats it as unknown and moves on', async () => {
    const c = chat();
    await c.join();
    expect(textsOf(await c.say('🙂🙂')).join(' ')).toMatch(/medicines by name/);
    expect(c.question).toBe('medications');
    const turn = await c.say('👍');
    expect(textsOf(turn).join(' ')).toMatch(/treat it as unknown/);
    expect(c.question).toBe('doseChanges');
  });

  it('never asks a question a third time in a row, whatever comes back', async () => {
    const c = chat();
    await c.join();
    await c.say('citalapram');
    expect(c.question).toBe('drug:citalopram');
    await c.say('purple');
    expect(c.question).toBe('drug:citalopram');
    await c.say('what do you mean?');
    expect(c.question).not.toBe('drug:citalopram');
    const tags = asked(c);
    for (let i = 2; i < tags.length; i++) expect(tags[i] === tags[i - 1] && tags[i] === tags[i - 2], tags.join(' ')).toBe(false);
  });
});

describe('corrections at any point', () => {
  it('"no wait, it was Lexapro not Celexa": the bot says what it now has, and keeps only escitalopram', async () => {
    const c = chat();
    await c.join();
    await c.say('celexa 10mg');
    const turn = await c.say('no wait, it was Lexapro not Celexa');
    expect(textsOf(turn).join(' ')).toMatch(/I now have: medicines: escitalopram \(Lexapro\) 10mg/);
    expect(c.question).toBe('doseChanges');
    const result = resultOf(await until(c, 'restart', (q) => (q === 'screen' ? 'none' : 'no')))!;
    expect(result.findings.medications.map((m) => m.name)).toEqual(['escitalopram']);
  });

  it('a correction inside the first answer keeps one drug, not both look-alikes', async () => {
    const c = chat();
    await c.join();
    const turn = await c.say("celexa 10mg, no wait, it's lexapro not celexa");
    expect(textsOf(turn).join(' ')).toMatch(/escitalopram \(Lexapro\) 10mg/);
    expect(textsOf(turn).join(' ')).not.toMatch(/citalopram \(Celexa\)/);
    const result = resultOf(await until(c, 'restart', (q) => (q === 'screen' ? 'none' : 'no')))!;
    expect(result.findings.medications.map((m) => m.name)).toEqual(['escitalopram']);
  });

  it('"actually it\'s 20 mg" changes the dose', async () => {
    const c = chat();
    await c.join();
    await c.say('citalopram 10 mg');
    const turn = await c.say("actually it's 20 mg");
    expect(textsOf(turn).join(' ')).toMatch(/I now have: medicines: citalopram \(Celexa\) 20 mg\./);
    expect(c.question).toBe('doseChanges');
  });

  it('"I didn\'t stop it, I\'m just asking" drops the change', async () => {
    const c = chat();
    await c.join();
    await c.say('tramadol');
    await c.say('I stopped tramadol');
    expect(c.question).toBe('when:tramadol');
    const turn = await c.say("I didn't stop it, I'm just asking");
    expect(textsOf(turn).join(' ')).toMatch(/no recent changes/);
    const result = resultOf(await until(c, 'restart', (q) => (q === 'screen' ? 'none' : 'no')))!;
    expect(result.findings.doseChanges).toEqual([]);
  });

  it('a correction typed at the symptoms question is not the symptoms answer; the question stays', async () => {
    const c = chat();
    await c.join();
    await c.say('sertraline');
    await c.say('none');
    expect(c.question).toBe('symptoms');
    await c.say('no wait, it was Lexapro not sertraline');
    expect(c.question).toBe('symptoms');
    const result = resultOf(await until(c, 'restart', (q) => (q === 'screen' ? 'none' : 'no')))!;
    expect(result.findings.medications.map((m) => m.name)).toEqual(['escitalopram']);
    expect(result.findings.symptoms).toEqual([]);
  });

  it('a look-alike named in a correction is still asked, never silently kept', async () => {
    const c = chat();
    await c.join();
    await c.say('citalopram');
    await c.say('no wait, it was lexapo');
    expect(c.question).toBe('drug:escitalopram');
  });
});

describe('questions back', () => {
  it('"what do you mean by dose change?" explains the question, whatever words it quotes back', async () => {
    const c = chat();
    await c.join();
    await c.say('sertraline 50 mg');
    expect(c.question).toBe('doseChanges');
    const said = textsOf(await c.say('what do you mean by dose change?')).join(' ');
    expect(said).toMatch(/I mean any change in the last weeks/);
    expect(said).not.toMatch(/can't advise/);
    expect(c.question).toBe('doseChanges');
  });

  it('a bare "what?" or "¿mande?" explains the question asked, and asks it again', async () => {
    for (const [locale, said, expected] of [['en-US', 'what?', /I mean any change in the last weeks/], ['es-US', '¿mande?', /cambio/i]] as const) {
      const c = chat({ locale });
      await c.join();
      await c.say(locale === 'en-US' ? 'sertraline 50 mg' : 'sertralina 50 mg');
      const reply = textsOf(await c.say(said)).join(' ');
      expect(reply).toMatch(expected);
      expect(reply).not.toMatch(/can't answer that here|No puedo (?:aconsejar|responder)/i);
      expect(c.question).toBe('doseChanges');
    }
  });

  it('after a red flag, "is that dangerous?" is answered with the emergency, never "I can\'t tell yet"', async () => {
    for (const [locale, lines, expected] of [
      ['en-US', ['my dad takes zoloft and tramadol', 'he is sweaty and now he just had a fit on the floor', 'is that dangerous?'], /needs emergency help now/],
      ['es-US', ['mi papá toma sertralina y tramadol', 'está sudando y acaba de tener una convulsión', '¿es peligroso?'], /necesita ayuda de emergencia ahora/],
    ] as const) {
      const c = chat({ locale });
      await c.join();
      for (const line of lines.slice(0, -1)) await c.say(line);
      const reply = textsOf(await c.say(lines.at(-1)!)).join(' ');
      expect(reply).toMatch(expected);
      expect(reply).not.toMatch(/can't tell yet|todav[ií]a no (?:lo )?s[eé]/i);
    }
  });

  it('"¿qué quiere decir con cambio de dosis?" too, in Spanish', async () => {
    const c = chat({ locale: 'es-US' });
    await c.join();
    await c.say('sertralina 50 mg');
    expect(c.question).toBe('doseChanges');
    const said = textsOf(await c.say('¿qué quiere decir con cambio de dosis?')).join(' ');
    expect(said).not.toMatch(/No puedo aconsejar/i);
    expect(c.question).toBe('doseChanges');
  });

  it('"what kind of medicines do you mean?" is answered and never becomes the medicines answer', async () => {
    const c = chat();
    await c.join();
    const turn = await c.say('what kind of medicines do you mean?');
    expect(textsOf(turn)[0]).toMatch(/I mean every medicine taken now/);
    expect(c.question).toBe('medications');
    await c.say('sertraline');
    const result = resultOf(await until(c, 'restart', (q) => (q === 'screen' ? 'none' : 'no')))!;
    expect(result.findings.medications.map((m) => m.name)).toEqual(['sertraline']);
  });

  it('"is that dangerous?" at the alcohol question gets a sourced answer, with the emergency number, and the question again', async () => {
    const c = chat();
    await c.join();
    await c.say('baclofen tablets');
    await c.say('none');
    await until(c, 'alcohol', () => 'not sure');
    expect(c.question).toBe('alcohol');
    const turn = await c.say('is that dangerous?');
    expect(textsOf(turn)[0]).toMatch(/I can't tell yet.*\[911\]\(tel:911\)/);
    expect(c.question).toBe('alcohol');
    await c.say('no');
    expect(c.question).not.toBe('alcohol');
  });

  it('"what is serotonin syndrome?" gets the knowledge\'s explanation; a question with an answer keeps the answer', async () => {
    const c = chat();
    await c.join();
    await c.say('sertraline and tramadol');
    await c.say('started tramadol yesterday');
    const turn = await c.say("I'm shaking and sweating, is that dangerous?");
    expect(textsOf(turn)[0]).toMatch(/I can't tell yet/);
    expect(c.question).not.toBe('symptoms');
    const explained = await c.say('what is serotonin syndrome?');
    expect(textsOf(explained)[0]).toMatch(/Serotonin toxicity \(serotonin syndrome\) is a reaction/);
    const result = resultOf(await until(c, 'restart', (q) => (q === 'screen' ? 'none' : 'not sure')))!;
    expect(result.findings.symptoms.map((s) => s.id)).toEqual(expect.arrayContaining(['tremor', 'sweating']));
  });
});

describe('nothing asked twice', () => {
  it('a first message with the temperature, "no pump" and "I don\'t drink" answers those questions', async () => {
    const c = chat();
    const first = await c.say("hi, I'm on baclofen 20mg tablets, my temp is 37.2, no pump and I don't drink. I ran out 2 days ago and I'm itchy since this morning");
    expect(textsOf(first)[0]).toMatch(/not a diagnosis/);
    await until(c, 'restart', (q) => (q === 'screen' ? 'none' : 'no'));
    const tags = asked(c);
    for (const topic of ['temperature', 'pump', 'timing', 'alcohol']) expect(tags, topic).not.toContain(topic);
    expect(tags).toContain('screen');
  });

  it('asks about the pump only for pump users or when it is unclear', async () => {
    const tablets = chat();
    await tablets.join();
    await tablets.say('baclofen 10 mg tablets three times a day');
    await until(tablets, 'restart', (q) => (q === 'screen' ? 'none' : q === 'symptoms' ? 'itchy' : 'no'));
    expect(asked(tablets)).not.toContain('pump');
    const pump = chat();
    await pump.join();
    await pump.say('I have a baclofen pump');
    await until(pump, 'restart', (q) => (q === 'screen' ? 'none' : q === 'symptoms' ? 'itchy' : 'no'));
    expect(asked(pump)).toContain('pump');
  });
});

describe('the result', () => {
  const cardOf = (turn: Reply[]) => turn.find((a) => a.attachments?.length)?.attachments?.[0]?.content;

  it('starts with the level and the headline, and every emergency, crisis and poison number is a tel: link', async () => {
    const c = chat();
    await c.join();
    await c.say('sertraline');
    const turn = await c.say('I took the whole bottle of sertraline because I want to kill myself');
    const card = cardOf(turn)!;
    const a = resultOf(turn)!;
    expect(card.body[1]!.text).toBe('EMERGENCY');
    expect(card.body[2]!.text).toContain(a.headline.replace('911', '[911](tel:911)'));
    const text = card.body.map((b) => b.text ?? '').join('\n');
    for (const contact of a.contacts) expect(text, contact.label).toContain(`[${contact.number}](tel:${contact.number.replace(/[^\d+]/g, '')})`);
    expect(a.contacts.map((x) => x.kind)).toEqual(expect.arrayContaining(['emergency', 'crisis', 'poison']));
    expect(a.advice.join(' ')).not.toMatch(/Keep taking your medicines/);
  });

  it('gives advice only for the person\'s drugs: no baclofen or pump clinic to someone on an SSRI only', async () => {
    const c = chat();
    await c.join();
    await c.say('sertraline and tramadol');
    await c.say('started tramadol 2 days ago');
    const turn = await until(c, 'restart', (q) => (q === 'symptoms' ? 'shaking, sweating and diarrhoea' : q === 'screen' ? 'none' : 'not sure'));
    const a = resultOf(turn)!;
    expect(a.level).toBe('urgent');
    expect([a.headline, ...a.advice].join(' ')).not.toMatch(/baclofen|pump/i);
    const card = cardOf(turn)!;
    expect(card.body.map((b) => b.text).join('\n')).toMatch(/If things change/);
  });

  it('answers a red flag typed after the result with emergency guidance alone', async () => {
    const c = chat();
    await c.join();
    await c.say('sertraline');
    await c.say('none');
    await until(c, 'restart', (q) => (q === 'screen' ? 'none' : 'headache'));
    const turn = await c.say('now she is having a seizure');
    expect(resultOf(turn)?.level).toBe('emergency');
    expect(textsOf(turn).join(' ')).not.toMatch(/yes or no/);
    // The offer of a new check still stands.
    await c.say('yes');
    expect(c.question).toBe('medications');
  });

  it('tells the page to take down its emergency panel on "start over", a new check and "delete my data"', async () => {
    // The page's conversation, through the local Direct Line: the reset events must reach its stream.
    const c = new DirectLineChat(srv, { now: NOW, locale: 'en-US' });
    await c.join({ locale: 'en-US' });
    await c.say('he is having a seizure');
    const reset = (turn: Reply[]) => turn.some((a) => a.type === 'event' && a.name === 'triage.reset');
    expect(reset(await c.say('start over'))).toBe(true);
    await until(c, 'restart', (q) => (q === 'screen' ? 'none' : 'no'));
    expect(reset(await c.say('yes'))).toBe(true);
    expect(reset(await c.say('delete my data'))).toBe(true);
  });
});

describe('Spanish end to end', () => {
  const ENGLISH = /\b(?:Which medicines|Any recent changes|What symptoms|Please answer|Sorry|Before I give you|Did you mean|When did you|Would you like|You mentioned|temperature|breathing|None of these|Not sure|EMERGENCY|What to do)\b/;
  const spanish = (c: HttpChat) => {
    for (const a of c.all.filter((x) => x.type === 'message')) {
      const texts = [a.text ?? '', ...(a.attachments ?? []).flatMap((x) => x.content.body.map((b) => b.text ?? '')), ...buttonsOf(a)];
      for (const t of texts) expect(t).not.toMatch(ENGLISH);
    }
  };

  it('greets in Spanish when a Direct Line join carries the locale', async () => {
    // The conversation started with the page's locale (Web Chat's conversationStartProperties): the bridge's join has it.
    const c = new DirectLineChat(srv, { now: NOW });
    const join = await c.join({ locale: 'es-US' });
    expect(textsOf(join)[0]).toMatch(/^Hola/);
    expect(c.question).toBe('medications');
  });

  it('waits for the page\'s join event when the Direct Line join has no locale, then greets in its language', async () => {
    const c = new DirectLineChat(srv, { now: NOW });
    // Nothing from the bot after a join without a locale (the stream is read for a while).
    expect(await c.join()).toEqual([]);
    const greeted = await c.event('webchat/join', { locale: 'es-US' }, { locale: 'es-US' });
    expect(textsOf(greeted)[0]).toMatch(/^Hola/);
    // A second join (a reconnect) does not greet again.
    expect(await c.event('webchat/join', { locale: 'es-US' }, { locale: 'es-US' })).toEqual([]);
  });

  it('holds a whole check in Spanish, greeting to result card, retries, the screen and a card submit without a locale', async () => {
    const c = chat({ locale: 'es-US', channelId: 'webchat' });
    await c.join();
    expect(textsOf(await c.say('🙂')).join(' ')).toMatch(/Dígame los medicamentos/);
    await c.say('sertralina y tramadol');
    await c.say('empecé el tramadol hace 2 días');
    await until(c, 'screen', (q) => (q === 'symptoms' ? 'temblores y sudor' : 'no sé'));
    const screen = c.lastQuestion!;
    expect(screen.text).toMatch(/¿Está pasando ahora alguna de estas cosas\?/);
    expect(buttonsOf(screen)[0]).toBe('Ninguna de estas');
    // Web Chat's card submit carries no locale: the conversation's is kept.
    const result = await new HttpChat(srv, { id: c.id, now: NOW }).submit({ answer: 'Ninguna de estas' });
    c.all.push(...result);
    expect(resultOf(result)?.locale).toBe('es-US');
    expect(c.question).toBe('restart');
    spanish(c);
  });
});

describe('a correction or a question back never costs the answers', () => {
  it('keeps every answer given around them', async () => {
    const c = chat();
    await c.join();
    await c.say('baclofen 20 mg tablets');
    await c.say('why do you ask?');
    await c.say('ran out of baclofen 2 days ago');
    await c.say('actually it was 3 days ago');
    const result: Assessment = resultOf(await until(c, 'restart', (q) => (q === 'symptoms' ? 'itchy all over and my legs are stiffer' : q === 'screen' ? 'none' : 'no')))!;
    expect(result.findings.medications.map((m) => m.name)).toEqual(['baclofen']);
    expect(result.findings.doseChanges.map((d) => d.change)).toContain('ran-out');
    expect(result.level).not.toBe('self-monitor');
  });
});
