// Temperature and heart-rate readings from free text. Bare numbers are read by range: 34-43.5 is Celsius,
// 93-110 is Fahrenheit (clinical.md 8.4: 100.4 °F = 38.0 °C and 104 °F = 40.0 °C are the boundaries).
import { matchesOf } from './text.js';

const UNIT_AFTER = /(\d{2,3}(?:[.,]\d{1,2})?)\s*(?:°|º|deg(?:rees?)?|grados)?\s*(f|c|fahrenheit|celsius|centigrade)\b/g;
const CONTEXT_BEFORE = /(?:temp(?:erature)?|fever|fiebre|calentura|thermometer|termometro|reading|read|°)\D{0,20}?(\d{2,3}(?:[.,]\d{1,2})?)(?!\s*(?:mg|mcg|ml|%|bpm|years?|anos|days?|min))/g;
const BARE = /(?<![\d/])(\d{2,3}(?:[.,]\d{1,2})?)(?![\d/]|\s*(?:mg|mcg|ml|%|bpm|years?|anos|days?|min|hours?))/g;

export function toCelsius(value: number, unit?: string): number | undefined {
  const u = unit?.[0];
  if (u === 'f' || (!u && value >= 93 && value <= 110)) return round1(((value - 32) * 5) / 9);
  if (u === 'c' || (!u && value >= 34 && value <= 43.5)) return value >= 30 && value <= 45 ? value : undefined;
  return undefined;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

const num = (s: string) => Number(s.replace(',', '.'));

/** The highest plausible temperature in °C. `answerToTemperatureQuestion` lets bare numbers count ("102", "38.9"). */
export function extractTemperature(text: string, answerToTemperatureQuestion: boolean): number | undefined {
  const readings: number[] = [];
  for (const m of matchesOf(UNIT_AFTER, text)) {
    const c = toCelsius(num(m[1]), m[2]);
    if (c !== undefined) readings.push(c);
  }
  if (!readings.length) {
    const pattern = answerToTemperatureQuestion ? BARE : CONTEXT_BEFORE;
    for (const m of matchesOf(pattern, text)) {
      const c = toCelsius(num(m[1]));
      if (c !== undefined) readings.push(c);
    }
  }
  const plausible = readings.filter((c) => c >= 30 && c <= 45);
  return plausible.length ? Math.max(...plausible) : undefined;
}

const HEART_RATE = /(?:heart ?rate|pulse|\bhr\b|pulso|frecuencia cardiaca|pulse ?ox)\D{0,25}?(\d{2,3})\b|\b(\d{2,3})\s*(?:bpm|beats)/g;

export function extractHeartRate(text: string): number | undefined {
  let best: number | undefined;
  for (const m of matchesOf(HEART_RATE, text)) {
    const v = Number(m[1] ?? m[2]);
    if (v >= 30 && v <= 250) best = Math.max(best ?? 0, v);
  }
  return best;
}
