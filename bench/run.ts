// `npm run bench`: the triage core's cost, then the conversation's turn cost when that benchmark is present, then
// start-up to /healthz against a bare Node HTTP server.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { benchCore } from './core';
import { benchStartup } from './startup';

async function main(): Promise<void> {
  await benchCore();
  const turns = path.join(__dirname, 'turns.ts');
  if (existsSync(turns)) {
    const mod = await import('./turns');
    await mod.benchTurns();
  }
  await benchStartup();
}

void main();
