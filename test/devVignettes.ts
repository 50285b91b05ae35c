// The development vignettes (a copy of shared/vignettes/dev.json kept in test/fixtures; scripts/refresh-fixtures.sh
// refreshes it), the addiction-treatment intake vignettes kept only here (test/fixtures/vignettes-intake.json), and
// their shape.
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

export interface VignetteSet {
  name: string;
  file: string;
  present: boolean;
  /** Empty when the file is missing; each suite then fails its own presence check rather than pass on nothing. */
  vignettes: Vignette[];
}

function load(name: string, file: string): VignetteSet {
  const present = existsSync(file);
  return { name, file, present, vignettes: present ? JSON.parse(readFileSync(file, 'utf8')) : [] };
}

export const devVignetteSet = load('dev', path.resolve(__dirname, 'fixtures/vignettes-dev.json'));
export const intakeVignetteSet = load('intake', path.resolve(__dirname, 'fixtures/vignettes-intake.json'));
/** Every vignette set the suites run, each held to the same measures. */
export const vignetteSets: VignetteSet[] = [devVignetteSet, intakeVignetteSet];

export const devVignetteFile = devVignetteSet.file;
export const devVignettesPresent = devVignetteSet.present;
export const devVignettes: Vignette[] = devVignetteSet.vignettes;
