// npm start's entry (dist/server.cjs): runs the bundled server (dist/main.cjs, and dist/sdk.cjs when the bot is first
// built) from the V8 code caches the build made by running a start once (dist/*.cjs.cache): a start then reads the
// compiled code it runs instead of parsing and compiling it again, about a quarter of its CPU, and loading the SDK
// takes half the time. Node 20 has no compile cache of its own (22's module.enableCompileCache does the same). A cache
// that V8 rejects (another Node version, other V8 flags) costs only the time it would have saved.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/** Set by npm run build (scripts/bundle.ts): run a start, load the SDK, write the caches, exit. */
const writeCaches = process.env.TRIAGE_WRITE_CODE_CACHE === '1';
/** The bundles, as main.cjs requires its sibling. */
const BUNDLES = new Set(['./sdk.cjs']);
const scripts = new Map<string, vm.Script>();
const loaded = new Map<string, unknown>();

/** A bundle of dist/ run as a CommonJS module, from its code cache when it has one; once per process, as require does. */
function load(name: string): unknown {
  if (loaded.has(name)) return loaded.get(name);
  const file = path.join(__dirname, name);
  let cachedData: Buffer | undefined;
  try {
    if (!writeCaches) cachedData = readFileSync(`${file}.cache`);
  } catch {
    // No cache (a build without it): compiled as any module is.
  }
  // The wrapper Node puts around a CommonJS module, on the same line, so line numbers hold.
  const source = `(function (exports, require, module, __filename, __dirname) { ${readFileSync(file, 'utf8')}\n})`;
  const script = new vm.Script(source, { filename: file, cachedData });
  scripts.set(name, script);
  const resolve = createRequire(file);
  const bundleRequire = Object.assign((id: string) => (BUNDLES.has(id) ? load(id) : resolve(id)), resolve);
  const mod = { exports: {} as Record<string, unknown> };
  (script.runInThisContext() as (...args: unknown[]) => void)(mod.exports, bundleRequire, mod, file, __dirname);
  loaded.set(name, mod.exports);
  return mod.exports;
}

const main = load('main.cjs') as { started: Promise<void> };

if (writeCaches) {
  void main.started.then(() => {
    // Every package of the SDK bundle started, as the bot's first build does.
    const sdk = load('./sdk.cjs') as Record<string, unknown>;
    for (const name of Object.keys(sdk)) void sdk[name];
    for (const [name, script] of scripts) writeFileSync(path.join(__dirname, `${name}.cache`), script.createCachedData());
    process.exit(0);
  });
}
