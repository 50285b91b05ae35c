// The emergency, crisis and poison numbers for a person's locale, from the knowledge's contacts. Apart from the
// dialogs so that the web chat page can name the emergency number without loading the Bot Framework SDK.
import type { Triage } from '../src/triage/index.js';

const contacts = new Map<string, Map<string, string>>();
/** A contact number for a locale, from the knowledge's contacts by the locale's region (cached per locale). */
export function contactNumber(triage: Triage, locale: string, kind: 'emergency' | 'crisis' | 'poison'): string | undefined {
  let byKind = contacts.get(locale);
  if (!byKind) {
    const c = triage.knowledge?.contacts;
    if (!c) return undefined;
    const region = locale.split(/[-_]/).slice(1).find((r) => /^[a-z]{2}$/i.test(r))?.toUpperCase();
    const country = (region && c.regions[region]) || c.defaultCountry;
    const list = (c.countries[country] ?? c.countries[c.defaultCountry])?.contacts ?? [];
    byKind = new Map(list.map((x) => [x.kind, x.number]));
    contacts.set(locale, byKind);
  }
  return byKind.get(kind);
}

/** The emergency number for a locale. */
export function emergencyNumber(triage: Triage, locale: string): string {
  return contactNumber(triage, locale, 'emergency') ?? '911';
}
