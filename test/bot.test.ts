// The bot around the dialog: safety gate, commands, rendering per channel, Teams, errors, turn ordering.
import { MemoryStorage } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { matchCommand } from '../src/bot/index.js';
import { Chat, resultOf, textsOf } from './chat.js';

const NOW = '2026-03-08T09:00:00-05:00';

describe('safety gate', () => {
  it('answers a red flag at any question with emergency guidance and the event, and keeps the answers', async () => {
    const chat = new Chat({ now: NOW });
    await chat.join();
    await chat.say('methadone and baclofen');
    const turn = await chat.say("he's turning blue and I can't wake him");
    expect(turn[0]!.attachments?.[0]?.content.body[0].text).toBe('This needs emergency help now.');
    const result = resultOf(turn)!;
    expect(result.level).toBe('emergency');
    expect(result.findings.medications.map((m) => m.name)).toEqual(expect.arrayContaining(['methadone', 'baclofen']));
    // The person can carry on: the question the red flag interrupted is asked again in the same turn.
    expect(textsOf(turn).join(' ')).toMatch(/carry on/);
    expect(chat.question).toBe('doseChanges');
  });

  it('fires on the very first message, before the greeting', async () => {
    const chat = new Chat({ now: NOW, channelId: 'slack' });
    const turn = await chat.say('my wife is having a seizure right now');
    expect(resultOf(turn)?.level).toBe('emergency');
    expect(turn[0]!.text).toMatch(/^\*This needs emergency help now\.\*/);
  });

  it('fires during a yes/no confirmation and keeps the red flag for the final result', async () => {
    const chat = new Chat({ now: NOW });
    await chat.join();
    await chat.say('citalapram');
    expect(chat.question).toBe('drug:citalopram');
    expect(resultOf(await chat.say('she took 30 pills on purpose'))?.level).toBe('emergency');
    let turn = await chat.say('yes');
    while (chat.question !== 'restart') turn = await chat.say('not sure');
    expect(resultOf(turn)?.level).toBe('emergency');
  });

  it('does not fire on patterns from one message alone', async () => {
    const chat = new Chat({ now: NOW });
    await chat.join();
    expect(resultOf(await chat.say('i feel a bit shaky and sweaty'))).toBeUndefined();
  });
});

describe('commands', () => {
  it('recognises whole-message commands only', () => {
    expect(matchCommand('Help!')).toBe('help');
    expect(matchCommand('start over')).toBe('start over');
    expect(matchCommand('Delete my data.')).toBe('delete my data');
    expect(matchCommand("I can't stop shaking")).toBeUndefined();
  });

  it('help explains and re-asks the current question', async () => {
    const chat = new Chat();
    await chat.join();
    await chat.say('sertraline');
    const turn = await chat.say('help');
    expect(turn[0]!.text).toMatch(/not a diagnosis/);
    expect(chat.question).toBe('doseChanges');
  });

  it('start over forgets the answers and asks the first question again', async () => {
    const chat = new Chat();
    await chat.join();
    await chat.say('sertraline');
    const turn = await chat.say('start over');
    expect(textsOf(turn)[0]).toMatch(/new check/);
    expect(chat.question).toBe('medications');
  });

  it('cancel stops the check; the next message starts a new one', async () => {
    const chat = new Chat();
    await chat.join();
    await chat.say('sertraline');
    expect(textsOf(await chat.say('cancel'))[0]).toMatch(/Stopped/);
    expect(chat.question).toBeUndefined();
    await chat.say('hello');
    expect(chat.question).toBe('medications');
  });

  it('delete my data removes the stored state and says so', async () => {
    const storage = new MemoryStorage();
    const chat = new Chat({ storage, id: 'del-1' });
    await chat.join();
    await chat.say('sertraline');
    const key = 'webchat/conversations/del-1/';
    expect(Object.keys(await storage.read([key]))).toEqual([key]);
    expect(textsOf(await chat.say('delete my data'))[0]).toMatch(/deleted everything/);
    expect(await storage.read([key])).toEqual({});
  });
});

describe('channels', () => {
  it('sends a card on Web Chat and text on Slack and unknown channels, always with the event', async () => {
    for (const [channelId, card] of [['webchat', true], ['msteams', true], ['slack', false], ['mystery', false]] as const) {
      const chat = new Chat({ channelId, now: NOW });
      const turn = await chat.say('he took 40 pills and will not wake up');
      const message = turn.find((a) => a.type === 'message')!;
      expect(Boolean(message.attachments?.length), channelId).toBe(card);
      if (card) expect(message.attachments![0]!.content.version).toBe('1.5');
      else expect(message.text).toMatch(/911/);
      expect(resultOf(turn)?.level).toBe('emergency');
    }
  });

  it('uses the emergency number of the locale', async () => {
    const chat = new Chat({ locale: 'en-GB' });
    expect((await chat.join())[0]!.text).toMatch(/call \[999\]\(tel:999\)/);
  });

  it('strips Teams mentions and answers group chats politely', async () => {
    const chat = new Chat({ channelId: 'msteams' });
    await chat.join();
    const turn = await chat.say('<at>Triage bot</at> sertraline');
    expect(chat.question).toBe('doseChanges');
    expect(turn).toBeDefined();
    const group = new Chat({ channelId: 'msteams', conversationType: 'groupChat' });
    await group.join();
    expect(group.all).toEqual([]);
    const reply = await group.say('<at>Triage bot</at> hello');
    expect(textsOf(reply)).toEqual([expect.stringMatching(/personal chat/)]);
  });
});

describe('errors and ordering', () => {
  it('apologises on a failing turn and keeps the state', async () => {
    const chat = new Chat({ id: 'err-1' });
    await chat.join();
    await chat.say('sertraline');
    const original = chat.bot.run.bind(chat.bot);
    chat.bot.run = async () => { throw new Error('boom'); };
    expect(textsOf(await chat.say('none'))[0]).toMatch(/Sorry, something went wrong/);
    chat.bot.run = original;
    expect(chat.question).toBe(undefined);
    await chat.say('none');
    expect(chat.question).toBe('symptoms');
  });

  it('two quick messages of one conversation both land', async () => {
    const chat = new Chat();
    await chat.join();
    await Promise.all([chat.adapter.send({ text: 'sertraline' }), chat.adapter.send({ text: 'none' })]);
    expect(chat.question).toBe('symptoms');
  });

  it('restarts the steps of a conversation saved by an earlier build of the intake, keeping its answers', async () => {
    const storage = new MemoryStorage();
    const key = 'webchat/conversations/old-1/';
    const first = new Chat({ storage, id: 'old-1', now: NOW });
    await first.join();
    await first.say('sertraline 50 mg');
    await first.say('none');
    expect(first.question).toBe('symptoms');
    // As an earlier build left it: another version, waiting in an inner dialog this build does not have.
    const saved = (await storage.read([key]))[key] as { dialog: { dialogStack: { version?: string; state: unknown }[] } };
    saved.dialog.dialogStack[0]!.version = 'an-earlier-build';
    saved.dialog.dialogStack[0]!.state = { dialogs: { dialogStack: [{ id: 'triage.removedStep', state: {} }] } };
    await storage.write({ [key]: { ...saved, eTag: '*' } });

    const after = new Chat({ storage, id: 'old-1', now: NOW });
    const turn = await after.say('sweating and my hands are shaking');
    expect(textsOf(turn).join(' ')).not.toMatch(/something went wrong/);
    expect(after.question).toBe('medications');
    expect(textsOf(turn).join(' ')).toMatch(/sertraline/);
    await after.say('no');
    await after.say('no');
    // The message that arrived during the restart was kept as a symptoms answer: confirmed, not asked afresh.
    expect(after.question).toBe('symptoms');
    expect(textsOf(after.all).at(-1)).toMatch(/sweating/);
  });
});
