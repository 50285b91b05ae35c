// knowledge/ as a clinician reads it: lexicon classes and finding patterns, no regular expressions, every finding
// cited, and a broken file stops the load with a message that names the file and the entry.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTriage, DEFAULT_KNOWLEDGE_DIR, KnowledgeError, loadKnowledge } from '../src/triage/index.js';
import { COMPILED_FILE, compiledFile } from '../src/triage/knowledge/compiled.js';
import { lexiconHash, readSources } from '../src/triage/knowledge/load.js';

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

  it('a finding part that completes a finding no file has', () => {
    const message = broken((d) => {
      const file = path.join(d, 'findings/general.json');
      const data = JSON.parse(readFileSync(file, 'utf8'));
      data.findings[0].completes = { with: ['no-such-finding'], gives: 'seizure' };
      writeFileSync(file, JSON.stringify(data));
    });
    expect(message).toMatch(/findings\/.*other-symptom.*no-such-finding/);
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

describe('the files npm run knowledge:index makes', () => {
  it('knowledge/real-words.json was made from the lexicon as it is now (npm run knowledge:index after changing knowledge/lexicon/)', () => {
    const file = JSON.parse(readFileSync(path.join(DEFAULT_KNOWLEDGE_DIR, 'real-words.json'), 'utf8'));
    expect(file.lexiconHash).toBe(lexiconHash());
  });

  it('knowledge/compiled.json is what the knowledge files compile to now (npm run knowledge:index after changing knowledge/)', () => {
    const file = JSON.parse(readFileSync(path.join(DEFAULT_KNOWLEDGE_DIR, COMPILED_FILE), 'utf8'));
    expect(file.sourceHash).toBe(readSources().hash);
    expect(file).toEqual(JSON.parse(JSON.stringify(compiledFile())));
  });

  it('the server starts from it', () => {
    expect(createTriage().knowledgeFromCompiledFile).toBe(true);
  });
});

describe('an edited knowledge file counts at the next start, before npm run knowledge:index', () => {
  let dir: string | undefined;
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = undefined; });

  it('a new lexicon entry is read, and a broken file still stops the start', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'knowledge-'));
    cpSync(DEFAULT_KNOWLEDGE_DIR, dir, { recursive: true });
    const symptoms = (t: ReturnType<typeof createTriage>) => t.assess({ symptoms: 'my zorbleflux is pounding', now: '2026-03-08T09:00:00-05:00' }).findings.symptoms.map((s) => s.id);
    expect(symptoms(createTriage({ knowledgeDir: dir }))).not.toContain('headache');

    const file = path.join(dir, 'lexicon/body.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.classes.HEAD.en.push('zorbleflux');
    writeFileSync(file, JSON.stringify(data));
    const edited = createTriage({ knowledgeDir: dir });
    expect(edited.knowledgeFromCompiledFile).toBe(false);
    expect(symptoms(edited)).toContain('headache');

    data.classes.HEAD.en.push(42);
    writeFileSync(file, JSON.stringify(data));
    expect(() => createTriage({ knowledgeDir: dir })).toThrow(/lexicon\/body\.json/);
  });
});
