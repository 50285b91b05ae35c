// Every schema change, in order. A migration is never edited once released: a change is a new entry with the next
// version. Each store owns its migrations' tables; the runner (../migrate.ts) applies what a database lacks.
import type { Migration } from '../migrate.js';

export const MIGRATIONS: readonly Migration[] = [
];
