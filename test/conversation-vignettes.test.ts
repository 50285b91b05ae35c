// Every vignette (dev and intake sets) through the conversation, answered as a person would; the level must equal the
// core's for the same answers (so tuning the core never breaks this test, only a dialog that loses or distorts an
// answer does).
import { describe, expect, it } from 'vitest';
import { Chat, resultOf, sharedTriage } from './chat.js';
import { vignetteSets, type Vignette } from './devVignettes.js';

/** What the person types for a question tag. */
function answerFor(v: Vignette, question: string): string {
  if (question === 'medications' || question === 'doseChanges' || question === 'symptoms') return v.answers[question];
  if (question.startsWith('drug:')) return 'yes';
  return v.followUps?.[question] ?? 'not sure';
}

describe.each(vignetteSets.map((s) => [s.name, s] as const))('%s vignettes through the conversation', (_name, set) => {
  it('finds its vignettes in the repository', () => {
    expect(set.present, `${set.file} not found`).toBe(true);
  });

  it.each(set.vignettes.map((v) => [v.id, v] as const))('%s reaches the same level as the core', async (_id, v) => {
    const chat = new Chat({ channelId: 'webchat', locale: v.locale, now: v.now });
    await chat.join();
    let result;
    let interrupted = false;
    for (let turns = 0; turns < 40; turns++) {
      const q = chat.question;
      expect(q, `${v.id}: the bot stopped asking before the result`).toBeDefined();
      if (q === 'restart') break;
      const isInterrupt = v.interrupt && q === v.interrupt.atQuestion && !interrupted;
      const replies = await chat.say(isInterrupt ? v.interrupt!.text : answerFor(v, q!));
      if (isInterrupt) {
        interrupted = true;
        // The safety gate answers in this very turn, before the next question.
        expect(resultOf(replies)?.level, `${v.id}: interrupt`).toBe('emergency');
      }
      result = resultOf(replies) ?? result;
    }
    if (v.interrupt) expect(interrupted, `${v.id}: never reached ${v.interrupt.atQuestion}`).toBe(true);
    const expected = sharedTriage().assess({ ...v.answers, followUps: v.followUps, now: v.now, locale: v.locale });
    expect(result?.level).toBe(expected.level);
  });
});
