// Reads and validates knowledge/ once at start-up. Any problem names the file, the entry and what is wrong.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../projectRoot.js';
import type { z } from 'zod';
import {
  ContactsFile, FindingsFile, GuidanceFile, LexiconFile, MedicationsFile, RealWordsFile, RulesFile, SourcesFile, UseFile,
} from './schema.js';
import { NEGATION_CLASSES } from '../negation.js';

export class KnowledgeError extends Error {
  constructor(file: string, entry: string, problem: string) {
    super(`knowledge/${file}: ${entry}: ${problem}`);
    this.name = 'KnowledgeError';
  }
}

export interface Knowledge {
  sources: z.infer<typeof SourcesFile>['sources'];
  medications: z.infer<typeof MedicationsFile>['medications'];
  findings: z.infer<typeof FindingsFile>['findings'];
  /** Word classes from every file of knowledge/lexicon/, a class named in several files holding all their terms. */
  lexicon: { classes: Record<string, { en: string[]; es: string[] }>; stable: string[]; numbers: Record<string, number>; realWords: string[] };
  quantities?: NonNullable<z.infer<typeof FindingsFile>['quantities']>;
  rules: z.infer<typeof RulesFile>['rules'];
  definitions: z.infer<typeof RulesFile>['definitions'];
  questions: z.infer<typeof RulesFile>['questions'];
  guidance: z.infer<typeof GuidanceFile>;
  contacts: z.infer<typeof ContactsFile>;
  /** Word classes for amounts, frequency, containers, last use and past withdrawal complications. */
  use: z.infer<typeof UseFile>['classes'];
  version: string;
}

/** knowledge/ beside the package.json above this file, from src/ (tsx, vitest) or the bundle in dist/ alike. */
export const DEFAULT_KNOWLEDGE_DIR = path.join(projectRoot(), 'knowledge');

/** The files of knowledge/ that make its meaning (the sources a clinician edits and real-words.json), read in a fixed
 * order, with the SHA-256 over their names and contents: the knowledge version's hash, and what knowledge/compiled.json
 * records it was made from. */
export interface KnowledgeSources { dir: string; files: Map<string, string>; hash: string }

export function readSources(dir = DEFAULT_KNOWLEDGE_DIR): KnowledgeSources {
  const names = [
    'sources.json', 'medications.json', ...folder(dir, 'findings'), ...folder(dir, 'lexicon'),
    ...(existsSync(path.join(dir, 'real-words.json')) ? ['real-words.json'] : []), 'rules.json', 'guidance.json', 'contacts.json', 'use.json',
  ];
  const hash = createHash('sha256');
  const files = new Map<string, string>();
  for (const name of names) {
    let raw: string;
    try {
      raw = readFileSync(path.join(dir, name), 'utf8');
    } catch (err) {
      throw new KnowledgeError(name, '(file)', `cannot be read: ${(err as Error).message}`);
    }
    hash.update(name).update(raw);
    files.set(name, raw);
  }
  return { dir, files, hash: hash.digest('hex') };
}

/** The .json files of a folder of knowledge/, in name order. */
function folder(dir: string, name: string): string[] {
  let names: string[];
  try {
    names = readdirSync(path.join(dir, name)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    throw new KnowledgeError(`${name}/`, '(folder)', `cannot be read: ${(err as Error).message}`);
  }
  if (!names.length) throw new KnowledgeError(`${name}/`, '(folder)', 'holds no .json file');
  return names.map((n) => `${name}/${n}`);
}

function readJson<T>(sources: KnowledgeSources, file: string, schema: z.ZodType<T>): T {
  let data: unknown;
  try {
    data = JSON.parse(sources.files.get(file)!);
  } catch (err) {
    throw new KnowledgeError(file, '(file)', `is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KnowledgeError(file, describeEntry(data, issue.path), `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Names the entry by its id when the failing path runs through an array of objects with ids. */
function describeEntry(data: unknown, at: PropertyKey[]): string {
  let node: unknown = data;
  let name = '(root)';
  for (const key of at) {
    if (node == null || typeof node !== 'object') break;
    node = (node as Record<PropertyKey, unknown>)[key];
    if (node && typeof node === 'object' && 'id' in node) name = `entry "${String((node as { id: unknown }).id)}"`;
  }
  return name;
}

/** Every file read, schema-checked and cross-checked. */
export function loadKnowledge(dir = DEFAULT_KNOWLEDGE_DIR): Knowledge {
  return parseSources(readSources(dir));
}

export function parseSources(src: KnowledgeSources): Knowledge {
  const inFolder = (name: string) => [...src.files.keys()].filter((f) => f.startsWith(`${name}/`));
  const sources = readJson(src, 'sources.json', SourcesFile).sources;
  const meds = readJson(src, 'medications.json', MedicationsFile);
  const findingFiles = inFolder('findings').map((f) => readJson(src, f, FindingsFile));
  const findings = findingFiles.flatMap((f) => f.findings);
  const quantities = findingFiles.map((f) => f.quantities).find(Boolean);
  const lexicon = mergeLexicon(inFolder('lexicon').map((f) => readJson(src, f, LexiconFile)));
  if (src.files.has('real-words.json')) lexicon.realWords = readJson(src, 'real-words.json', RealWordsFile).words;
  const rules = readJson(src, 'rules.json', RulesFile);
  const guidance = readJson(src, 'guidance.json', GuidanceFile);
  const contacts = readJson(src, 'contacts.json', ContactsFile);
  const use = readJson(src, 'use.json', UseFile).classes;
  const knowledge: Knowledge = {
    sources, medications: meds.medications, findings, lexicon, ...(quantities ? { quantities } : {}), rules: rules.rules, definitions: rules.definitions, questions: rules.questions, guidance, contacts, use,
    version: `${meds.version}+${rules.version}.${src.hash.slice(0, 10)}`,
  };
  checkReferences(knowledge);
  return knowledge;
}

/** Hash of the lexicon files' contents, which knowledge/real-words.json records. */
export function lexiconHash(dir = DEFAULT_KNOWLEDGE_DIR): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(path.join(dir, 'lexicon')).filter((n) => n.endsWith('.json')).sort()) {
    hash.update(name).update(readFileSync(path.join(dir, 'lexicon', name), 'utf8'));
  }
  return hash.digest('hex').slice(0, 16);
}

function mergeLexicon(files: z.infer<typeof LexiconFile>[]): Knowledge['lexicon'] {
  const merged: Knowledge['lexicon'] = { classes: {}, stable: [], numbers: {}, realWords: [] };
  for (const file of files) {
    for (const [name, cls] of Object.entries(file.classes)) {
      const into = (merged.classes[name] ??= { en: [], es: [] });
      into.en.push(...cls.en);
      into.es.push(...cls.es);
    }
    merged.stable.push(...(file.stable ?? []));
    Object.assign(merged.numbers, file.numbers ?? {});
  }
  return merged;
}

function checkReferences(k: Knowledge): void {
  const sourceIds = new Set(k.sources.map((s) => s.id));
  const cite = (file: string, entry: string, list: string[]) => {
    for (const s of list) if (!sourceIds.has(s)) throw new KnowledgeError(file, `entry "${entry}"`, `unknown source "${s}"`);
  };
  const medIds = new Set<string>();
  const terms = new Map<string, string>();
  for (const m of k.medications) {
    if (medIds.has(m.id)) throw new KnowledgeError('medications.json', `entry "${m.id}"`, 'duplicate id');
    medIds.add(m.id);
    cite('medications.json', m.id, m.sources);
  }
  for (const m of k.medications) {
    for (const other of m.confusableWith) {
      if (!medIds.has(other)) throw new KnowledgeError('medications.json', `entry "${m.id}"`, `confusableWith names unknown drug "${other}"`);
    }
    for (const term of [m.id, ...m.brands, ...m.street, ...m.spanish, ...m.misspellings]) {
      const key = term.toLowerCase();
      const owner = terms.get(key);
      if (owner && owner !== m.id) throw new KnowledgeError('medications.json', `entry "${m.id}"`, `term "${term}" also belongs to "${owner}"`);
      terms.set(key, m.id);
    }
  }
  const findingIds = new Set<string>();
  const classes = new Set(Object.keys(k.lexicon.classes));
  for (const cls of Object.values(NEGATION_CLASSES)) {
    if (!classes.has(cls)) throw new KnowledgeError('lexicon/', `class "${cls}"`, 'negation needs this class');
  }
  for (const f of k.findings) {
    if (findingIds.has(f.id)) throw new KnowledgeError('findings/', `entry "${f.id}"`, 'duplicate id');
    findingIds.add(f.id);
    cite('findings/', f.id, f.sources);
    for (const p of f.patterns) {
      for (const cls of [...(p.all ?? []), ...(p.seq ?? []), ...(p.not ?? [])]) {
        if (!classes.has(cls) && cls !== 'DRUG') throw new KnowledgeError('findings/', `entry "${f.id}"`, `pattern names unknown lexicon class "${cls}"`);
      }
    }
  }
  for (const f of k.findings) {
    for (const other of f.completes ? [...f.completes.with, f.completes.gives] : []) {
      if (!findingIds.has(other)) throw new KnowledgeError('findings/', `entry "${f.id}"`, `completes names unknown finding "${other}"`);
    }
  }
  if (k.quantities) {
    const q = k.quantities;
    cite('findings/', 'quantities', q.sources);
    if (!findingIds.has(q.finding)) throw new KnowledgeError('findings/', 'quantities', `unknown finding "${q.finding}"`);
    for (const cls of [q.intake, q.milligrams, q.regimen, ...q.units]) {
      if (!classes.has(cls) && cls !== 'DRUG') throw new KnowledgeError('findings/', 'quantities', `unknown lexicon class "${cls}"`);
    }
  }
  for (const r of k.rules) cite('rules.json', r.id, r.sources);
  for (const [name, d] of Object.entries(k.definitions)) cite('rules.json', name, d.sources);
  for (const q of k.questions) cite('rules.json', `question ${q.topic}`, q.sources);
  for (const [level, g] of Object.entries(k.guidance.levels)) cite('guidance.json', `levels.${level}`, g.sources);
  for (const [p, g] of Object.entries(k.guidance.patterns)) cite('guidance.json', `patterns.${p}`, g.sources);
  for (const [p, g] of Object.entries(k.guidance.redFlags)) cite('guidance.json', `redFlags.${p}`, g.sources);
  for (const [p, g] of Object.entries(k.guidance.notes)) cite('guidance.json', `notes.${p}`, g.sources);
  for (const [name, c] of Object.entries(k.use)) cite('use.json', name, c.sources);
  for (const [country, c] of Object.entries(k.contacts.countries)) {
    for (const contact of c.contacts) cite('contacts.json', `${country} ${contact.number}`, contact.sources);
  }
}
