// The development vignettes (a copy of shared/vignettes/dev.json kept in test/fixtures; scripts/refresh-fixtures.sh
// refreshes it) and their shape.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Level, PatternStatus } from '../src/triage/index.js';

export interface Vignette {
  id: string;
  now: string;
  locale: string;
  answers: { medications: string; doseChanges: string; symptoms: string };
  followUps?: Record<string, string>;
  interrupt?: { atQuestion: 'medications' | 'doseChanges' | 'symptoms'; text: string };
  expect: {
    level: Level;
    patterns?: Record<string, PatternStatus>;
    redFlags?: string[];
    medications?: string[];
    notMedications?: string[];
  };
}

export const devVignetteFile = path.resolve(__dirname, 'fixtures/vignettes-dev.json');
export const devVignettesPresent = existsSync(devVignetteFile);
/** Empty when the file is missing; each suite then fails its own presence check rather than pass on nothing. */
export const devVignettes: Vignette[] = devVignettesPresent ? JSON.parse(readFileSync(devVignetteFile, 'utf8')) : [];
