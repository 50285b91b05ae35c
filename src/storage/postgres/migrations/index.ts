// Every schema change, in order. A migration is never edited once released: a change is a new entry with the next
// version. Each store owns its migrations' tables and a range of version numbers: conversation state 100–199, the
// local Direct Line 200–299, intake records, staff, audit and alerts 300–399. The runner (../migrate.ts) applies
// what a database lacks, in version order.
import type { Migration } from '../migrate.js';
import { CONVERSATION_MIGRATIONS } from './conversations.js';
import { DIRECTLINE_MIGRATIONS } from './directline.js';
import { RECORDS_MIGRATIONS } from './records.js';

export const MIGRATIONS: readonly Migration[] = [
  ...CONVERSATION_MIGRATIONS,
  ...DIRECTLINE_MIGRATIONS,
  ...RECORDS_MIGRATIONS,
];
