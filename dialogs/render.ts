// The result as the channel can show it (an Adaptive Card 1.5 or text), always followed by the machine-readable event.
// Level and headline come first; on the page every emergency, crisis and poison number is a tel: link.
import { ActivityTypes, CardFactory, MessageFactory, type Activity } from 'botbuilder';
import type { Assessment } from '../src/triage/index.js';
import { linksPhones, rendersCards, usesMarkdown } from './channels.js';
import { strings } from './strings.js';

export const RESULT_EVENT = 'triage.result';

export function resultEvent(assessment: Assessment): Partial<Activity> {
  return { type: ActivityTypes.Event, name: RESULT_EVENT, value: assessment };
}

/** tel: URIs take digits and a leading +; anything else in a number is presentation. */
export const telHref = (n: string) => `tel:${n.replace(/[^\d+]/g, '')}`;

/** A phone number as a markdown tel: link where the channel renders one, else as it is. */
export function phone(number: string, link: boolean): string {
  return link ? `[${number}](${telHref(number)})` : number;
}

/** Every contact number in `text` as a tel: link (longest first, never inside another number). */
function linkNumbers(text: string, numbers: string[]): string {
  if (!numbers.length) return text;
  const alternatives = [...numbers].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return text.replace(new RegExp(`(?<![\\w.,-])(?:${alternatives.join('|')})(?![\\w-]|[.,]\\d)`, 'g'), (n) => phone(n, true));
}

/** The message, then the event. `lead` is an extra first line (the safety gate's "This needs emergency help now"). */
export function resultActivities(a: Assessment, channelId: string | undefined, lead?: string): Partial<Activity>[] {
  const message = rendersCards(channelId) ? cardMessage(a, lead, linksPhones(channelId)) : MessageFactory.text(resultText(a, usesMarkdown(channelId), lead));
  return [message, resultEvent(a)];
}

export function resultText(a: Assessment, markdown = false, lead?: string): string {
  const s = strings(a.locale);
  const bold = (t: string) => (markdown ? `*${t}*` : t);
  const list = (items: string[]) => items.map((i) => `• ${i}`);
  return [
    ...(lead ? [bold(lead)] : []),
    bold(s.levels[a.level]),
    a.headline,
    ...(a.advice.length ? ['', bold(s.whatToDo), ...list(a.advice)] : []),
    ...(a.safetyNet.length ? ['', bold(s.watchFor), ...list(a.safetyNet)] : []),
    ...(a.contacts.length ? ['', bold(s.contacts), ...list(a.contacts.map((c) => `${c.label}: ${c.number}`))] : []),
    '',
    s.notDiagnosis,
  ].join('\n');
}

const COLOR = { emergency: 'Attention', urgent: 'Warning', 'contact-clinician': 'Accent', 'self-monitor': 'Good' } as const;

function cardMessage(a: Assessment, lead: string | undefined, links: boolean): Partial<Activity> {
  const s = strings(a.locale);
  const numbers = links ? a.contacts.map((c) => c.number) : [];
  const md = (t: string) => linkNumbers(t, numbers);
  const block = (text: string, extra: object = {}) => ({ type: 'TextBlock', text: md(text), wrap: true, ...extra });
  const section = (title: string, items: string[]) => (items.length
    ? [block(title, { weight: 'Bolder', spacing: 'Medium' }), ...items.map((i) => block(`• ${i}`, { spacing: 'Small' }))]
    : []);
  const card = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    fallbackText: resultText(a, false, lead),
    body: [
      ...(lead ? [block(lead, { weight: 'Bolder', color: 'Attention', size: 'Large' })] : []),
      block(s.levels[a.level], { weight: 'Bolder', color: COLOR[a.level], size: 'Medium' }),
      block(a.headline, { weight: 'Bolder' }),
      ...section(s.whatToDo, a.advice),
      ...section(s.watchFor, a.safetyNet),
      ...(a.contacts.length ? [
        block(s.contacts, { weight: 'Bolder', spacing: 'Medium' }),
        ...a.contacts.map((c) => block(`• ${c.label}: ${c.number}`, { spacing: 'Small' })),
      ] : []),
      block(s.notDiagnosis, { isSubtle: true, size: 'Small', spacing: 'Medium' }),
    ],
  };
  // The text goes along for screen readers and notifications; Web Chat shows it above the card.
  return MessageFactory.attachment(CardFactory.adaptiveCard(card), md(`${lead ? `${lead} ` : ''}${s.levels[a.level]}: ${a.headline}`));
}
