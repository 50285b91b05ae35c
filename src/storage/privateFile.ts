// A SQLite file only this user can read: its folders made 0700, the file (and SQLite's -wal and -shm files, which take
// the database file's mode) 0600. Shared by the conversation store and the intake records.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';

/** Makes the file's folders and the file itself private before SQLite opens it; older files are tightened. */
export function preparePrivateFile(file: string): void {
  if (file === ':memory:') return;
  makeFolder(path.dirname(path.resolve(file)));
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f) && (statSync(f).mode & 0o077)) chmodSync(f, 0o600);
}

/** mkdir -p with mode 0700 for each folder it creates (one level at a time: Node's recursive mkdir never returns under
 * some pseudo file systems, such as /proc). */
function makeFolder(dir: string): void {
  if (existsSync(dir)) return;
  const parent = path.dirname(dir);
  if (parent !== dir) makeFolder(parent);
  mkdirSync(dir, { mode: 0o700 });
}
