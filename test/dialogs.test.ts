// The intake dialog on its own (botbuilder-testing), step by step: prompts, validators, slot filling, follow-ups.
import { ConversationState, MemoryStorage, type Activity } from 'botbuilder';
import { DialogTestClient, DialogTestLogger } from 'botbuilder-testing';
import { describe, expect, it } from 'vitest';
import { TriageDialog, type BeginOptions, type Intake } from '../dialogs/index.js';
import { questionOf, resultOf, sharedTriage } from './chat.js';

const silent = new DialogTestLogger({ log: () => {} });

function client(options: BeginOptions = {}, channel = 'webchat') {
  const state = new ConversationState(new MemoryStorage());
  const dialog = new TriageDialog({ triage: sharedTriage(), intake: state.createProperty<Intake>('intake'), defaultLocale: 'en-US' });
  const c = new DialogTestClient(channel, dialog, options, [silent], state);
  /** Sends a message and returns every reply of the turn. */
  const send = async (text: string | Partial<Activity>): Promise<Partial<Activity>[]> => {
    const first = await c.sendActivity(text as never);
    const out: Partial<Activity>[] = first ? [first] : [];
    for (let next = c.getNextReply(); next; next = c.getNextReply()) out.push(next);
    return out;
  };
  return { c, send };
}
const last = (turn: Partial<Activity>[]) => turn[turn.length - 1]!;

describe('intake steps', () => {
  it('greets with purpose, "not a diagnosis" and the emergency number, then asks for medicines', async () => {
    const { send } = client();
    const turn = await send('hi');
    expect(turn[0]!.text).toMatch(/not a diagnosis/);
    expect(turn[0]!.text).toMatch(/call \[911\]\(tel:911\)/);
    expect(questionOf(last(turn))).toBe('medications');
    expect(last(turn).inputHint).toBe('expectingInput');
  });

  it('asks medications → dose changes → symptoms → follow-ups → result → start again, in that order', async () => {
    const { send, c } = client();
    await send('hi');
    expect(questionOf(last(await send('sertraline 50 mg')))).toBe('doseChanges');
    expect(questionOf(last(await send('none')))).toBe('symptoms');
    let turn = await send("I don't know");
    const asked: string[] = [];
    while (questionOf(last(turn)) !== 'restart') {
      asked.push(questionOf(last(turn))!);
      turn = await send('not sure');
    }
    // Only the core's open questions: no pump or alcohol question without baclofen.
    expect(asked).not.toContain('pump');
    expect(asked).not.toContain('alcohol');
    const result = resultOf(turn);
    expect(result?.level).toEqual(expect.any(String));
    expect(turn.find((a) => a.attachments?.length)?.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect((await send('no'))[0]!.text).toMatch(/Take care/);
    expect(c.dialogTurnResult.status).toBe('complete');
  });

  it('asks about the pump and alcohol for baclofen, as the core says', async () => {
    const { send } = client();
    await send('hi');
    await send('baclofen pump');
    await send('none');
    let turn = await send('itching all over');
    const asked: string[] = [];
    while (questionOf(last(turn)) !== 'restart') {
      asked.push(questionOf(last(turn))!);
      turn = await send('not sure');
    }
    expect(asked).toContain('pump');
    expect(asked).toContain('alcohol');
  });

  it('does not ask again what the first message said: it confirms instead', async () => {
    const { send } = client({ firstText: "I'm on celexa, stopped baclofen yesterday and I'm shaking" });
    const turn = await send('');
    expect(last(turn).text).toMatch(/You mentioned citalopram \(Celexa\), baclofen \(Lioresal\)\. Any other medicines/);
    const changes = await send('no');
    expect(questionOf(last(changes))).toBe('doseChanges');
    expect(last(changes).text).toMatch(/stopped baclofen.*Any other recent changes/);
    const symptoms = await send("that's all");
    expect(last(symptoms).text).toMatch(/You mentioned shaking/);
  });

  it('confirms a look-alike drug name and accepts the correction', async () => {
    const { send } = client();
    await send('hi');
    const turn = await send('citalapram 20mg');
    expect(last(turn).text).toBe('Did you mean citalopram (Celexa)?');
    expect(questionOf(last(await send('no')))).toBe('drugName:citalopram');
    expect(questionOf(last(await send('escitalopram')))).toBe('doseChanges');
  });

  it('re-asks on yes/no nonsense and accepts "not sure"', async () => {
    const { send } = client();
    await send('hi');
    await send('citalapram');
    expect(last(await send('purple')).text).toMatch(/yes or no/);
    expect(questionOf(last(await send('not sure')))).toBe('doseChanges');
  });

  it('validates temperatures and accepts words', async () => {
    const { send } = client();
    await send('hi');
    await send('sertraline and tramadol');
    await send('started tramadol 2 days ago');
    let turn = await send('sweating and shivering');
    while (questionOf(last(turn)) !== 'temperature') turn = await send('not sure');
    expect(last(await send('500')).text).toMatch(/does not look like a body temperature/);
    expect(questionOf(last(await send('38.9')))).not.toBe('temperature');
  });

  it('asks when an undated change happened and rejects dates in the future', async () => {
    const { send } = client();
    await send('hi');
    await send('baclofen');
    const when = await send('I stopped baclofen');
    expect(questionOf(last(when))).toBe('when:baclofen');
    expect(last(await send('tomorrow')).text).toMatch(/future/);
    expect(questionOf(last(await send('2 days ago')))).toBe('symptoms');
  });

  it('asks for an unreadable answer once more, then treats it as unknown and moves on', async () => {
    const { send } = client();
    await send('hi');
    await send('baclofen');
    await send('I stopped baclofen');
    expect(last(await send('banana')).text).toMatch(/could not tell when/);
    const turn = await send('purple');
    expect(turn.map((a) => a.text).join(' ')).toMatch(/treat it as unknown/);
    expect(questionOf(last(turn))).toBe('symptoms');
  });

  it('takes a card submit (value, no text) as an answer and re-asks on emoji only', async () => {
    const { send } = client();
    await send('hi');
    expect(last(await send('🙂🙂')).text).toMatch(/medicines by name/);
    const turn = await send({ type: 'message', text: '', value: { answer: 'none' } });
    expect(questionOf(last(turn))).toBe('doseChanges');
  });

  it('shows suggested actions only on channels that display them', async () => {
    const web = client({}, 'webchat');
    const slack = client({}, 'slack');
    expect(last(await web.send('hi')).suggestedActions?.actions.length).toBeGreaterThan(0);
    expect(last(await slack.send('hi')).suggestedActions).toBeUndefined();
  });

  it('speaks Spanish to a Spanish locale', async () => {
    const { send } = client();
    const turn = await send({ type: 'message', text: 'hola', locale: 'es-US' });
    expect(last(turn).text).toMatch(/medicamentos/);
  });
});
