// The checkout's root (the folder of package.json): knowledge/ and the pages' files are found from it, whether this
// code runs from src/ (tsx, vitest) or from the bundle in dist/ (npm start).
import { existsSync } from 'node:fs';
import path from 'node:path';

export function projectRoot(start = __dirname): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}
