// `npm run chat`: the real TriageBot in the terminal, through an in-process adapter (no server, no client).
import { createInterface } from 'node:readline';
import { MemoryStorage, type Attachment } from 'botbuilder';
import { RESULT_EVENT } from '../../dialogs/index.js';
import { LocalAdapter, TriageBot, type Outbound } from '../bot/index.js';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { createTriage, KnowledgeError, type Assessment } from '../triage/index.js';

/** A card as lines of text: the terminal cannot draw it. */
function cardText(att: Attachment): string {
  const card = att.content as { fallbackText?: string; body?: { type: string; text?: string; facts?: { title: string; value: string }[] }[] };
  if (card?.fallbackText) return card.fallbackText;
  return (card?.body ?? []).map((b) => b.text ?? (b.facts ?? []).map((f) => `${f.title}: ${f.value}`).join('\n')).join('\n');
}

function print(a: Outbound): void {
  if (a.type === 'event' && a.name === RESULT_EVENT) {
    console.log(`\x1b[2m  [${RESULT_EVENT}: level ${(a.value as Assessment).level}]\x1b[0m`);
    return;
  }
  if (a.type !== 'message') return;
  const parts = [a.text && !a.attachments?.length ? a.text : '', ...(a.attachments ?? []).map(cardText)].filter(Boolean);
  const buttons = a.suggestedActions?.actions?.map((x) => `[${x.title}]`).join(' ');
  console.log(`\x1b[36mbot>\x1b[0m ${parts.join('\n')}${buttons ? `\n     ${buttons}` : ''}\n`);
}

async function main(): Promise<void> {
  let config, triage;
  try {
    config = loadConfig();
    triage = createTriage();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof KnowledgeError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  // Logs go to stderr so they never mix with the conversation; a demo keeps nothing on disk.
  const logger = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel, logHealthData: false }, process.stderr);
  const bot = new TriageBot({ triage, storage: new MemoryStorage(), defaultLocale: config.defaultLocale, logger });
  const adapter = new LocalAdapter(bot, print, { id: `chat-${Date.now()}`, channelId: 'cli', locale: config.defaultLocale });

  console.log('Triage bot in the terminal. Type your answers; Ctrl-D to quit.\n');
  await adapter.send({ type: 'conversationUpdate' });
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '\x1b[33myou>\x1b[0m ', terminal: process.stdin.isTTY });
  rl.prompt();
  for await (const line of rl) {
    await adapter.send({ text: line });
    rl.prompt();
  }
  console.log();
}

void main();
