// Every vignette (dev and intake sets) through the conversation on the real server (/api/messages), answered as a
// person would: every emergency is emergency, every interruption is answered in its own turn (and the question it
// interrupted is asked again), every one reaches a result, and the level equals what POST /api/assess gives for the
// same answers (so tuning the core never breaks this test; only a dialog that loses or distorts an answer does).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assessment } from '../src/triage/index.js';
import { vignetteSets, type Vignette } from './devVignettes.js';
import { startServer, type RunningServer } from './helpers.js';
import { HttpChat, resultOf } from './http-chat.js';

let srv: RunningServer;
beforeAll(async () => { srv = await startServer(); });
afterAll(async () => { await srv?.close(); });

/** What the person types for a question tag. The emergency screen: none of its signs (a vignette tells all it has). */
function answerFor(v: Vignette, question: string): string {
  if (question === 'medications' || question === 'doseChanges' || question === 'symptoms') return v.answers[question];
  if (question.startsWith('drug:')) return 'yes';
  if (question === 'screen') return v.locale.startsWith('es') ? 'ninguna' : 'none';
  if (question.startsWith('screen:')) return 'no';
  return v.followUps?.[question] ?? (v.locale.startsWith('es') ? 'no sé' : 'not sure');
}

describe.each(vignetteSets.map((s) => [s.name, s] as const))('%s vignettes through the conversation', (_name, set) => {
  it('finds its vignettes in the repository', () => {
    expect(set.present, `${set.file} not found`).toBe(true);
  });

  it.each(set.vignettes.map((v) => [v.id, v] as const))('%s reaches a result at the level /api/assess gives', async (_id, v) => {
    const chat = new HttpChat(srv, { channelId: 'webchat', locale: v.locale, now: v.now });
    await chat.join();
    let result: Assessment | undefined;
    let interrupted = false;
    let turns = 0;
    for (; turns < 25 && chat.question !== 'restart'; turns++) {
      const q = chat.question;
      expect(q, `${v.id}: the bot stopped asking before the result`).toBeDefined();
      const isInterrupt = v.interrupt && q === v.interrupt.atQuestion && !interrupted;
      const replies = await chat.say(isInterrupt ? v.interrupt!.text : answerFor(v, q!));
      if (isInterrupt) {
        interrupted = true;
        // The safety gate answers in this very turn; the question it interrupted is asked again, so the person's own
        // answer to it is not lost.
        expect(resultOf(replies)?.level, `${v.id}: interrupt`).toBe('emergency');
        if (chat.question !== 'restart') expect(chat.question, `${v.id}: after the interrupt`).toBe(q);
      }
      result = resultOf(replies) ?? result;
    }
    expect(chat.question, `${v.id}: no result within ${turns} turns`).toBe('restart');
    if (v.interrupt) expect(interrupted, `${v.id}: never reached ${v.interrupt.atQuestion}`).toBe(true);
    const res = await srv.post('/api/assess', { ...v.answers, followUps: v.followUps, now: v.now, locale: v.locale });
    const expected = (await res.json()) as Assessment;
    expect(result?.level, v.id).toBe(expected.level);
    if (v.expect.level === 'emergency') expect(result?.level, `${v.id}: an emergency`).toBe('emergency');
  });
});
