// Turns levels, patterns and red flags into the words and numbers a person sees, in their language and country.
import type { Knowledge } from './knowledge/load.js';
import type { Contact } from './types.js';

export interface Locale { lang: 'en' | 'es'; country: string; tag: string }

export function resolveLocale(tag: string | undefined, k: Pick<Knowledge, 'contacts'>, fallback = 'en-US'): Locale {
  const clean = (tag && /^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$/i.test(tag) ? tag : fallback).replace('_', '-');
  const [language, ...rest] = clean.split('-');
  const region = rest.find((r) => /^[a-z]{2}$/i.test(r))?.toUpperCase();
  const country = (region && k.contacts.regions[region]) || k.contacts.defaultCountry;
  return { lang: language.toLowerCase() === 'es' ? 'es' : 'en', country, tag: clean };
}

export class Guidance {
  /** Filled sentences by country: the same few hundred templates are filled on every assessment. */
  private readonly filled = new Map<string, Map<string, string | null>>();

  constructor(private readonly k: Omit<Knowledge, 'lexicon'>) {}

  contactsFor(locale: Locale): Knowledge['contacts']['countries'][string]['contacts'] {
    return (this.k.contacts.countries[locale.country] ?? this.k.contacts.countries[this.k.contacts.defaultCountry]).contacts;
  }

  /** Fills {emergency}, {crisis}, {poison} with the country's numbers; a sentence needing a number the country lacks is dropped. */
  fill(text: string, locale: Locale): string | null {
    let byText = this.filled.get(locale.country);
    if (!byText) this.filled.set(locale.country, (byText = new Map()));
    let out = byText.get(text);
    if (out === undefined) byText.set(text, (out = this.fillNow(text, locale)));
    return out;
  }

  private fillNow(text: string, locale: Locale): string | null {
    const numbers = Object.fromEntries(this.contactsFor(locale).map((c) => [c.kind, c.number]));
    const slots: Record<string, string | undefined> = {
      emergency: numbers.emergency, crisis: numbers.crisis, poison: numbers.poison, nonEmergency: numbers['non-emergency'],
    };
    let missing = false;
    const out = text.replace(/\{(\w+)\}/g, (_, name: string) => slots[name] ?? ((missing = true), ''));
    return missing ? null : out;
  }

  fillAll(list: string[], locale: Locale): string[] {
    return list.map((t) => this.fill(t, locale)).filter((t): t is string => t !== null);
  }

  contacts(locale: Locale, kinds: Set<Contact['kind']>): Contact[] {
    return this.contactsFor(locale)
      .filter((c) => kinds.has(c.kind))
      .map((c) => ({ label: c.label[locale.lang], number: c.number, kind: c.kind, ...(c.text ? { text: c.text[locale.lang] } : {}) }));
  }
}
