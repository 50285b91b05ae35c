// knowledge/compiled.json: the knowledge as the start needs it, derived by `npm run knowledge:index` from the files a
// clinician edits. Reading, schema-checking and indexing those files took most of a start; the compiled file is one
// JSON.parse. It records the hash of the files it was made from, and is used only while they are byte for byte the
// same: after any edit the start reads and checks the files themselves (a bad file still stops it), and a test fails
// until the compiled file is made again.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { indexDrugNames, type DrugNames } from '../drugs.js';
import { indexLexicon, type LexiconIndex } from '../lexicon.js';
import { DEFAULT_KNOWLEDGE_DIR, parseSources, readSources, type Knowledge, type KnowledgeSources } from './load.js';

export const COMPILED_FILE = 'compiled.json';

/** The knowledge with its lexicon indexed (every entry of every class normalised and stemmed, DRUG included) and the
 * medicines' names as the drug index looks them up. */
export interface CompiledKnowledge extends Omit<Knowledge, 'lexicon'> {
  lexicon: LexiconIndex;
  drugNames: DrugNames;
}

interface CompiledFile {
  about: string;
  generatedBy: string;
  /** readSources' hash of the files it was made from. */
  sourceHash: string;
  knowledge: CompiledKnowledge;
}

export function compileKnowledge(k: Knowledge): CompiledKnowledge {
  const { lexicon, ...rest } = k;
  // DRUG: every name of every medication, so that "took 10 xanax" counts tablets; looked up only as written.
  const drugNames = k.medications.flatMap((m) => [m.id.replace(/-/g, ' '), ...m.brands, ...m.street, ...m.spanish, ...m.misspellings]);
  return {
    ...rest,
    lexicon: indexLexicon({ ...lexicon.classes, DRUG: { en: drugNames, es: [] } }, {
      stable: lexicon.stable, realWords: lexicon.realWords, numbers: lexicon.numbers, exact: ['DRUG'],
    }),
    drugNames: indexDrugNames(k.medications),
  };
}

/** The contents of knowledge/compiled.json for the files as they are now. */
export function compiledFile(sources: KnowledgeSources = readSources()): CompiledFile {
  return {
    about: 'The knowledge as the server loads it: the files of knowledge/ checked, merged and their lexicon indexed. Derived: never edit it.',
    generatedBy: 'npm run knowledge:index',
    sourceHash: sources.hash,
    knowledge: compileKnowledge(parseSources(sources)),
  };
}

/**
 * The knowledge for a start: knowledge/compiled.json when it was made from the files as they are now, else the files
 * themselves, read and checked (`fromCompiledFile` false: slower, same result).
 */
export function loadCompiledKnowledge(dir = DEFAULT_KNOWLEDGE_DIR): { knowledge: CompiledKnowledge; fromCompiledFile: boolean } {
  const sources = readSources(dir);
  const file = path.join(dir, COMPILED_FILE);
  if (existsSync(file)) {
    let compiled: CompiledFile | undefined;
    try {
      compiled = JSON.parse(readFileSync(file, 'utf8')) as CompiledFile;
    } catch {
      // A broken derived file is as good as none: the sources decide.
    }
    if (compiled?.sourceHash === sources.hash) return { knowledge: compiled.knowledge, fromCompiledFile: true };
  }
  return { knowledge: compileKnowledge(parseSources(sources)), fromCompiledFile: false };
}
