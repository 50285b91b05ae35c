// Reference codes people can read out on the phone: six characters in two groups ("K7F-2QX"), from an alphabet
// without look-alikes (no 0/O, 1/I/L, U/V mix-ups). 30^6 ≈ 729 million codes; uniqueness is checked on insert.
import { randomInt } from 'node:crypto';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const REF = /^[2-9A-HJKMNP-TV-Z]{3}-[2-9A-HJKMNP-TV-Z]{3}$/;

export function newRef(): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 3)}-${s.slice(3)}`;
}

/** "k7f2qx", "K7F 2QX", "K7F-2QX" → "K7F-2QX"; undefined when it cannot be a reference. */
export function normaliseRef(input: string): string | undefined {
  const s = input.toUpperCase().replace(/[\s-]/g, '');
  if (s.length !== 6) return undefined;
  const ref = `${s.slice(0, 3)}-${s.slice(3)}`;
  return REF.test(ref) ? ref : undefined;
}
