// What leaves for Slack is text only, and what arrives from Slack is plain text; retried events are remembered.
import { describe, expect, it } from 'vitest';
import { SeenEvents, fromSlackText, toSlackText } from '../src/channels/slack/index.js';

describe('Slack text', () => {
  it('never carries a card: an Adaptive Card becomes its fallback text, and buttons become typed choices', () => {
    const card = { contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.5', fallbackText: 'Call 911 now' } };
    expect(toSlackText({ type: 'message', attachments: [card] })).toBe('Call 911 now');
    expect(toSlackText({ type: 'message', text: 'Did you mean citalopram?', suggestedActions: { to: [], actions: [{ type: 'imBack', title: 'Yes', value: 'yes' }, { type: 'imBack', title: 'No', value: 'no' }] } }))
      .toBe('Did you mean citalopram?\n_Yes · No_');
  });

  it("escapes Slack's control characters but keeps mrkdwn", () => {
    expect(toSlackText({ type: 'message', text: '*Urgent* if temp > 38 & <rising>' })).toBe('*Urgent* if temp &gt; 38 &amp; &lt;rising&gt;');
  });

  it('reads mentions, links and escapes out of what a person sent', () => {
    expect(fromSlackText('<@U0BOT> I take <https://x.example|Celexa> &amp; baclofen, temp &gt; 38')).toBe('I take Celexa & baclofen, temp > 38');
  });
});

describe('Slack retries', () => {
  it('remembers an event id for the TTL, then forgets it', () => {
    let now = 0;
    const seen = new SeenEvents(1000, 100, () => now);
    expect(seen.first('Ev1')).toBe(true);
    expect(seen.first('Ev1')).toBe(false);
    now = 1500;
    expect(seen.first('Ev1')).toBe(true);
  });

  it('stays bounded', () => {
    const seen = new SeenEvents(60_000, 3, () => 0);
    for (const id of ['a', 'b', 'c', 'd']) expect(seen.first(id)).toBe(true);
    expect(seen.first('d')).toBe(false);
  });
});
