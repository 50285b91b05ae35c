// knowledge/ as a clinician reads it: lexicon classes and finding patterns, no regular expressions, every finding
// cited, and a broken file stops the load with a message that names the file and the entry.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_KNOWLEDGE_DIR, KnowledgeError, loadKnowledge } from '../src/triage/index.js';
import { lexiconHash } from '../src/triage/knowledge/load.js';
import { stemsOf } from '../src/triage/lexicon.js';

const jsonFiles = (folder: string) => readdirSync(path.join(DEFAULT_KNOWLEDGE_DIR, folder)).filter((f) => f.endsWith('.json'))
  .map((f) => [`${folder}/${f}`, JSON.parse(readFileSync(path.join(DEFAULT_KNOWLEDGE_DIR, folder, f), 'utf8'))] as const);

describe('knowledge files', () => {
  it('hold words and patterns, never regular expressions', () => {
    const regexLike = /\\[bdswBDSW]|\(\?|\[[^\]]*\]|[*+?|^$]/;
    for (const [file, data] of jsonFiles('lexicon')) {
      for (const [name, cls] of Object.entries(data.classes as Record<string, { en: string[]; es: string[] }>)) {
        for (const term of [...cls.en, ...cls.es]) expect(regexLike.test(term), `${file} ${name}: ${JSON.stringify(term)}`).toBe(false);
      }
    }
    for (const [file, data] of jsonFiles('findings')) {
      for (const f of data.findings) {
        expect(Object.keys(f), `${file} ${f.id}`).not.toContain('en');
        expect(f.patterns.length, `${file} ${f.id}`).toBeGreaterThan(0);
      }
    }
  });

  it('cover every symptom id the rules name, each with its sources', () => {
    const k = loadKnowledge();
    const ids = new Set(k.findings.map((f) => f.id));
    for (const id of ['hallucinations', 'confusion-severe', 'hard-to-wake', 'breathing-problem', 'cyanosis', 'chest-pain', 'seizure', 'suicidal-intent', 'overdose', 'stroke', 'anaphylaxis', 'heavy-bleeding', 'head-injury', 'other-symptom']) {
      expect(ids.has(id), id).toBe(true);
    }
    for (const f of k.findings) expect(f.sources.length, f.id).toBeGreaterThan(0);
  });
});

describe('a broken knowledge file stops the load with its name and entry', () => {
  let dir: string | undefined;
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = undefined; });

  const broken = (edit: (d: string) => void) => {
    dir = mkdtempSync(path.join(tmpdir(), 'knowledge-'));
    cpSync(DEFAULT_KNOWLEDGE_DIR, dir, { recursive: true });
    edit(dir);
    try {
      loadKnowledge(dir);
    } catch (err) {
      expect(err).toBeInstanceOf(KnowledgeError);
      return (err as Error).message;
    }
    throw new Error('loaded without complaint');
  };

  it('a pattern naming a class no lexicon file has', () => {
    const message = broken((d) => {
      const file = path.join(d, 'findings/general.json');
      const data = JSON.parse(readFileSync(file, 'utf8'));
      data.findings[0].patterns.push({ all: ['NO_SUCH_CLASS'] });
      writeFileSync(file, JSON.stringify(data));
    });
    expect(message).toMatch(/findings\/.*other-symptom.*NO_SUCH_CLASS/);
  });

  it('a regular expression where a pattern should be', () => {
    const message = broken((d) => {
      const file = path.join(d, 'findings/general.json');
      const data = JSON.parse(readFileSync(file, 'utf8'));
      data.findings[0].en = ['(?:pain|ache)'];
      writeFileSync(file, JSON.stringify(data));
    });
    expect(message).toMatch(/findings\/general\.json.*other-symptom/);
  });

  it('a negation class missing from the lexicon', () => {
    const message = broken((d) => {
      const file = path.join(d, 'lexicon/context.json');
      const data = JSON.parse(readFileSync(file, 'utf8'));
      delete data.classes.NEG_BEFORE;
      writeFileSync(file, JSON.stringify(data));
    });
    expect(message).toMatch(/lexicon\/.*NEG_BEFORE/);
  });
});

describe('knowledge/real-words.json and knowledge/lexicon-stems.json', () => {
  it.each(['real-words.json', 'lexicon-stems.json'])('%s was made from the lexicon as it is now (npm run knowledge:index after changing knowledge/lexicon/)', (name) => {
    const file = JSON.parse(readFileSync(path.join(DEFAULT_KNOWLEDGE_DIR, name), 'utf8'));
    expect(file.lexiconHash).toBe(lexiconHash());
  });

  it('the stems list gives what the stemmer gives (it only saves start-up time)', () => {
    const file = JSON.parse(readFileSync(path.join(DEFAULT_KNOWLEDGE_DIR, 'lexicon-stems.json'), 'utf8'));
    const words = Object.entries(file.en as Record<string, string>);
    expect(words.length).toBeGreaterThan(1000);
    const stemmed = stemsOf({ SAMPLE: { en: words.slice(0, 300).map(([w]) => w), es: [] } });
    for (const [w, stem] of words.slice(0, 300)) expect(stemmed.en[w], w).toBe(stem);
  });
});
