// The triage core: free-text answers in, an assessment with its reasons out. Pure and deterministic for a given
// `now`; knows nothing of botbuilder or HTTP. Indexes are built once in createTriage.
import { answeredInText } from './answers.js';
import { DrugIndex } from './drugs.js';
import { extractFindings } from './extract.js';
import { computeFacts } from './facts.js';
import { Guidance, resolveLocale } from './guidance.js';
import { loadCompiledKnowledge, type CompiledKnowledge } from './knowledge/compiled.js';
import { KnowledgeError } from './knowledge/load.js';
import type { Condition, Medication, Rule } from './knowledge/schema.js';
import { RuleEngine, type RuleEvaluation } from './rules.js';
import { Lexicon } from './lexicon.js';
import { SymptomReader } from './symptoms.js';
import { TextReader } from './reader.js';
import { makeNow, offsetOf, toIsoWithOffset } from './time.js';
import { UseLexicon } from './use.js';
import {
  LEVELS, PATTERN_IDS, type AssessInput, type Assessment, type Contact, type FollowUpTopic, type Level,
  type PatternResult, type RedFlagResult,
} from './types.js';

export { DEFAULT_KNOWLEDGE_DIR, KnowledgeError, loadKnowledge } from './knowledge/load.js';
export type { Knowledge } from './knowledge/load.js';
export type { CompiledKnowledge } from './knowledge/compiled.js';
export * from './types.js';

/** What the text says and which follow-ups could change the level: `assess` without the advice. */
export type Review = Pick<Assessment, 'findings' | 'openQuestions'>;

export interface Triage {
  assess(input: AssessInput): Assessment;
  /** Only what the text says (drugs, changes, symptoms, vitals), without rules: for filling the intake's slots. */
  findings(input: AssessInput): Assessment['findings'];
  /** Only the red flags, cheaper than a whole assessment. */
  redFlags(input: AssessInput): RedFlagResult[];
  /** The emergency rules that hold (red flags and the others, such as RHABDO): the safety gate's check of every
   * message, so that a message the core rates emergency on its own is answered as one in the turn it is typed. */
  emergencies(input: AssessInput): { rule: string; redFlag?: RedFlagResult['id']; evidence: string }[];
  /** What the intake needs between questions; the same findings and open questions as `assess` gives. */
  review(input: AssessInput): Review;
  /**
   * Builds one slice (a few milliseconds) of what the core makes after start-up rather than during it (the typo
   * look-up); true once everything is built. A server calls it between requests until true; without it, the first
   * answer that needs the rest builds it then.
   */
  prepare(): boolean;
  knowledgeVersion: string;
  knowledge: CompiledKnowledge;
  /** False when knowledge/compiled.json is older than the files (the start then read the files: npm run knowledge:index). */
  knowledgeFromCompiledFile: boolean;
}

const rank = (l: Level) => LEVELS.indexOf(l);

/** The findings that alone make a red flag ("sym:seizure", or one branch of an "any"), through the definitions. */
function findingsOfRedFlags(k: CompiledKnowledge): Set<string> {
  const out = new Set<string>();
  const seen = new Set<string>();
  const walk = (c: Condition): void => {
    if (typeof c === 'string') {
      if (c.startsWith('sym:')) out.add(c.slice(4));
      else if (k.definitions[c] && !seen.has(c)) { seen.add(c); walk(k.definitions[c].when); }
    } else if ('any' in c) c.any.forEach(walk);
  };
  for (const r of k.rules) if (r.redFlag) walk(r.when);
  return out;
}

/** Patterns of addiction-treatment intake: their results name the country's treatment helpline (SAMHSA in the US). */
const INTAKE_PATTERNS = new Set<string>(['alcohol-withdrawal', 'benzodiazepine-withdrawal', 'opioid-withdrawal']);
const maxLevel = (a: Level, b: Level) => (rank(a) >= rank(b) ? a : b);

export function createTriage(opts: { knowledgeDir?: string; defaultLocale?: string; clauseCacheSize?: number } = {}): Triage {
  const { knowledge: k, fromCompiledFile } = loadCompiledKnowledge(opts.knowledgeDir);
  // Clause-level caches: a conversation re-reads its earlier answers each turn (0 turns them off, as the benchmark does).
  const symptoms = new SymptomReader(new Lexicon(k.lexicon), k.findings, k.quantities);
  const reader = new TextReader(new DrugIndex(k.medications, k.drugNames), symptoms, opts.clauseCacheSize);
  const useLexicon = new UseLexicon(k.use, k.medications, opts.clauseCacheSize);
  const engine = new RuleEngine(k);
  const guidance = new Guidance(k);
  checkGuidanceConditions(k, engine);
  const meds = new Map<string, Medication>(k.medications.map((m) => [m.id, m]));
  const parts = new Map(k.findings.flatMap((f) => (f.completes ? [[f.id, f.completes] as const] : [])));
  const known = { maxDailyMg: (drug: string) => meds.get(drug)?.maxDailyMg, emergencyFindings: findingsOfRedFlags(k), useLexicon, parts };

  // The gate, slot filling and the assessment of one turn share its `now`: parse it once.
  let clock = { iso: '', now: makeNow(undefined), offset: '+00:00' };
  function read(input: AssessInput) {
    const nowIso = input.now ?? new Date().toISOString();
    if (clock.iso !== nowIso) clock = { iso: nowIso, now: makeNow(nowIso), offset: offsetOf(nowIso) };
    const { now, offset } = clock;
    return { now, offset, findings: extractFindings(input, now, offset, reader, known) };
  }

  function publicFindings(findings: ReturnType<typeof extractFindings>): Assessment['findings'] {
    const { changes: _changes, heartRate: _hr, patientRelation: _rel, followUps: _fu, onsetStated: _onset, use: _use, ...rest } = findings;
    return { ...rest, ...(findings.heartRate !== undefined ? { heartRate: findings.heartRate } : {}) };
  }

  function redFlagsOf(fired: { rule: Rule; evidence: string[] }[]): RedFlagResult[] {
    const out: RedFlagResult[] = [];
    for (const { rule, evidence } of fired) {
      if (rule.redFlag && !out.some((r) => r.id === rule.redFlag)) {
        out.push({ id: rule.redFlag, evidence: evidence.join('; '), rule: rule.id, sources: rule.sources });
      }
    }
    return out;
  }

  function redFlags(input: AssessInput): RedFlagResult[] {
    const { now, findings } = read(input);
    return redFlagsOf(engine.over(computeFacts(findings, meds, now)).fired((rule) => Boolean(rule.redFlag)));
  }

  function emergencies(input: AssessInput): ReturnType<Triage['emergencies']> {
    const { now, findings } = read(input);
    return engine.over(computeFacts(findings, meds, now)).fired((rule) => rule.level === 'emergency')
      .map(({ rule, evidence }) => ({ rule: rule.id, ...(rule.redFlag ? { redFlag: rule.redFlag } : {}), evidence: evidence.join('; ') }));
  }

  /** The follow-ups not yet answered whose condition holds: answers that could still change the level. At emergency
   * nothing can raise it, and the questions end (clinical.md 8.1). */
  function openQuestionsOf(input: AssessInput, findings: ReturnType<typeof extractFindings>, rules: ReturnType<RuleEngine['over']>, emergency: boolean): FollowUpTopic[] {
    if (emergency) return [];
    // A symptoms answer that says when they began has answered "when did these symptoms start?"; other answers may
    // already say how baclofen is taken, about alcohol, breathing or self-harm (answers.ts).
    const answered = new Set<string>([...Object.keys(findings.followUps), ...(findings.onsetStated ? ['timing'] : []), ...answeredInText(input, findings)]);
    return [...new Set(k.questions.filter((q) => !answered.has(q.topic) && rules.holds(q.when)).map((q) => q.topic as FollowUpTopic))];
  }

  function review(input: AssessInput): Review {
    const { now, findings } = read(input);
    const rules = engine.over(computeFacts(findings, meds, now));
    const emergency = rules.fired((rule) => rule.level === 'emergency').length > 0;
    return { findings: publicFindings(findings), openQuestions: openQuestionsOf(input, findings, rules, emergency) };
  }

  function assess(input: AssessInput): Assessment {
    const { now, offset, findings } = read(input);
    const locale = resolveLocale(input.locale, k, opts.defaultLocale);
    const facts = computeFacts(findings, meds, now);
    const rules = engine.over(facts);
    const fired = rules.fired();

    let level: Level = 'self-monitor';
    const patterns = new Map<string, PatternResult>(PATTERN_IDS.map((id) => [id, { id, status: 'absent', level: 'self-monitor', evidence: [], sources: [], rules: [] }]));
    const redFlags = redFlagsOf(fired);
    const notes = new Set<string>();
    for (const { rule, evidence } of fired) {
      level = maxLevel(level, rule.level);
      if (rule.pattern) {
        const p = patterns.get(rule.pattern)!;
        if (p.status !== 'met') p.status = rule.status ?? 'at-risk';
        p.level = maxLevel(p.level, rule.level);
        p.evidence = [...new Set([...p.evidence, ...evidence])];
        p.sources = [...new Set([...p.sources, ...rule.sources])];
        p.rules.push(rule.id);
      }
      if (rule.note) notes.add(rule.note);
    }
    if (findings.medications.some((m) => m.needsConfirmation)) notes.add('confirm-drug');

    const lang = locale.lang;
    const levelText = k.guidance.levels[level];
    const activePatterns = [...patterns.values()].filter((p) => p.status !== 'absent');
    const advice = guidance.fillAll(applicable(rules, [
      ...levelText.advice[lang],
      ...redFlags.flatMap((r) => k.guidance.redFlags[r.id]?.advice[lang] ?? []),
      ...activePatterns.filter((p) => p.status === 'met' || level !== 'self-monitor').flatMap((p) => k.guidance.patterns[p.id]?.advice[lang] ?? []),
      ...[...notes].map((n) => k.guidance.notes[n]?.text[lang]).filter((t): t is string => Boolean(t)),
    ]), locale);

    const kinds = new Set<Contact['kind']>(['emergency']);
    if (notes.has('crisis') || redFlags.some((r) => r.id === 'suicidal-intent')) kinds.add('crisis');
    if (redFlags.some((r) => r.id === 'overdose')) kinds.add('poison');
    if (level === 'urgent' || level === 'contact-clinician') kinds.add('non-emergency');
    const intake = activePatterns.some((p) => INTAKE_PATTERNS.has(p.id)) || notes.has('opioid-tolerance');
    if (intake || notes.has('aud') || facts.has('context:alcohol-use-disorder') || facts.has('context:opioid-stopped')) kinds.add('helpline');

    return {
      level,
      headline: guidance.fill(levelText.headline[lang], locale) ?? levelText.headline[lang],
      advice,
      safetyNet: guidance.fillAll(applicable(rules, levelText.safetyNet[lang]), locale),
      contacts: guidance.contacts(locale, kinds),
      patterns: [...patterns.values()],
      redFlags,
      findings: publicFindings(findings),
      reasons: fired.map(({ rule, evidence }) => ({ rule: rule.id, level: rule.level, text: `${rule.title}: ${evidence.join(', ')}`, sources: rule.sources })),
      openQuestions: openQuestionsOf(input, findings, rules, level === 'emergency'),
      notes: [...notes],
      knowledgeVersion: k.version,
      now: toIsoWithOffset(now, offset),
      locale: locale.tag,
    };
  }

  // A slice of 5 ms: requests wait at most that long behind it.
  const prepare = () => symptoms.prepare(5);

  return { assess, review, prepare, findings: (input) => publicFindings(read(input).findings), redFlags, emergencies, knowledgeVersion: k.version, knowledge: k, knowledgeFromCompiledFile: fromCompiledFile };
}

/** "[condition] text": a guidance line for some people only (the condition names a fact or a definition of rules.json). */
const CONDITION = /^\[(!?)([a-z0-9:.-]+)\]\s*/;

/** The lines that apply: a line written "[condition] text" only when its condition (a fact or definition, "!" for not)
 * holds, so that advice is for the person's own drugs and patterns only. */
function applicable(rules: RuleEvaluation, lines: string[]): string[] {
  return lines.flatMap((line) => {
    const c = CONDITION.exec(line);
    if (!c) return [line];
    return Boolean(rules.holds(c[2]!)) !== (c[1] === '!') ? [line.slice(c[0].length)] : [];
  });
}

/** Every condition named in guidance.json exists, or the start stops (as unknown facts in rules.json do). */
function checkGuidanceConditions(k: CompiledKnowledge, engine: RuleEngine): void {
  const lists: [string, string[]][] = [
    ...Object.entries(k.guidance.levels).flatMap(([id, g]) => [[`levels.${id}`, [...g.advice.en, ...g.advice.es, ...g.safetyNet.en, ...g.safetyNet.es]]] as [string, string[]][]),
    ...Object.entries(k.guidance.patterns).map(([id, g]) => [`patterns.${id}`, [...g.advice.en, ...g.advice.es]] as [string, string[]]),
    ...Object.entries(k.guidance.redFlags).map(([id, g]) => [`redFlags.${id}`, [...g.advice.en, ...g.advice.es]] as [string, string[]]),
  ];
  for (const [where, lines] of lists) {
    for (const line of lines) {
      const c = CONDITION.exec(line);
      if (c && !engine.knows(c[2]!)) throw new KnowledgeError('guidance.json', where, `unknown condition "${c[2]}"`);
    }
  }
}
