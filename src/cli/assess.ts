// `npm run assess -- ...`: one assessment from flags or a JSON file, printed for a person or as JSON.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { parseAssessRequest } from '../server/assessRequest.js';
import { createTriage, FOLLOW_UP_TOPICS, KnowledgeError, type Assessment } from '../triage/index.js';

const USAGE = `Usage: npm run assess -- [options]

  --medications "..."      what the person takes
  --dose-changes "..."     recent starts, stops, changes, missed doses, pump problems, and when
  --symptoms "..."         what they feel or what others see
  --follow-up topic=answer repeatable; topics: ${FOLLOW_UP_TOPICS.join(', ')}
  --now ISO                the moment relative times resolve against (e.g. 2026-03-08T09:00:00-05:00)
  --locale xx-XX           BCP-47; picks emergency numbers (default: DEFAULT_LOCALE or en-US)
  --file answers.json      a /api/assess body; flags given as well override its fields
  --json                   print the raw assessment JSON
  --help                   this text

Example:
  npm run assess -- --medications "baclofen 20mg 3x a day" --dose-changes "ran out 2 days ago" \\
    --symptoms "itchy all over, muscles tight" --follow-up temperature=38.4`;

class UsageError extends Error {}

function readInput(argv: string[]): { body: Record<string, unknown>; json: boolean } | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        medications: { type: 'string' }, 'dose-changes': { type: 'string' }, symptoms: { type: 'string' },
        'follow-up': { type: 'string', multiple: true }, now: { type: 'string' }, locale: { type: 'string' },
        file: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';

  let body: Record<string, unknown> = {};
  if (values.file) {
    try {
      body = JSON.parse(readFileSync(values.file, 'utf8'));
    } catch (err) {
      throw new UsageError(`--file ${values.file}: ${(err as Error).message}`);
    }
  }
  const set = (key: string, v: string | undefined) => { if (v !== undefined) body[key] = v; };
  set('medications', values.medications);
  set('doseChanges', values['dose-changes']);
  set('symptoms', values.symptoms);
  set('now', values.now);
  set('locale', values.locale);
  if (values['follow-up']?.length) {
    const followUps = { ...(body.followUps as object | undefined) } as Record<string, string>;
    for (const pair of values['follow-up']) {
      const eq = pair.indexOf('=');
      if (eq < 1) throw new UsageError(`--follow-up must be topic=answer, got "${pair}"`);
      followUps[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
    }
    body.followUps = followUps;
  }
  return { body, json: Boolean(values.json) };
}

function render(a: Assessment): string {
  const out: string[] = [`${a.level.toUpperCase()}: ${a.headline}`, ''];
  const section = (title: string, lines: string[]) => {
    if (lines.length) out.push(title, ...lines.map((l) => `  ${l}`), '');
  };
  const metPatterns = a.patterns.filter((p) => p.status !== 'absent');
  section('Why', [
    ...a.redFlags.map((r) => `• red flag ${r.id}: "${r.evidence}"`),
    ...metPatterns.map((p) => `• ${p.id} (${p.status})${p.evidence.length ? `: ${p.evidence.join('; ')}` : ''}`),
  ]);
  section('What to do', a.advice.map((s, i) => `${i + 1}. ${s}`));
  section('Safety net', a.safetyNet.map((s) => `• ${s}`));
  section('Contacts', a.contacts.map((c) => `• ${c.label}: ${c.number}${c.text ? ` (${c.text})` : ''}`));
  const f = a.findings;
  section('Findings', [
    ...f.medications.map((m) => `medication ${m.name} ← "${m.text}" (${m.match}${m.route ? `, ${m.route}` : ''})${m.needsConfirmation ? ' — needs confirmation' : ''}`),
    ...f.doseChanges.map((d) => `dose change: ${d.medication ?? '(unknown drug)'} ${d.change}${d.at ? ` at ${d.at}` : ''} ← "${d.text}"`),
    ...f.symptoms.map((s) => `symptom ${s.id}${s.negated ? ' (denied)' : ''} ← "${s.text}"`),
    ...(f.temperatureC !== undefined ? [`temperature ${f.temperatureC} °C`] : []),
  ]);
  if (a.openQuestions?.length) out.push(`Could still change the level: ${a.openQuestions.join(', ')}`);
  out.push(`Knowledge version: ${a.knowledgeVersion}`);
  return out.join('\n');
}

function main(argv: string[]): number {
  let input;
  try {
    input = readInput(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (input === 'help') {
    console.log(USAGE);
    return 0;
  }
  const parsed = parseAssessRequest(input.body);
  if (!parsed.ok) {
    console.error(`${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  try {
    const config = loadConfig();
    const assessment = createTriage().assess({ ...parsed.input, locale: parsed.input.locale ?? config.defaultLocale });
    console.log(input.json ? JSON.stringify(assessment, null, 2) : render(assessment));
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof KnowledgeError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

process.exitCode = main(process.argv.slice(2));
