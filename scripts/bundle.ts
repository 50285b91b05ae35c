// npm run build's second step (after tsc checks the types): the server as `npm start` runs it.
// - dist/main.cjs: src/server/main.ts and everything it loads at start-up, in one file: resolving and reading
//   hundreds of modules from node_modules was a large part of a start.
// - dist/sdk.cjs: the Bot Framework SDK and the Slack Web API client, whose code alone takes longer to compile than
//   the server's. main.cjs loads it when the bot is first built (just after listening, or on the first turn); each
//   package in it starts only when first used (the Slack client only with Slack configured).
// - dist/server.cjs (src/server/start.ts) runs them with their V8 code caches (dist/*.cjs.cache), made here by starting
//   the server once on a loopback port with a throw-away store.
// Native addons stay in node_modules, and so does botframework-webchat, whose prebuilt browser bundle is served as a
// file: npm start needs node_modules (npm install) as before.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { projectRoot } from '../src/projectRoot.js';

const root = projectRoot();
// `--outdir DIR` (the bundle test's own folder): a folder under the checkout, so node_modules and knowledge/ are found.
const outdirArg = process.argv.indexOf('--outdir');
const outdir = outdirArg > 0 ? path.resolve(process.argv[outdirArg + 1]!) : path.join(root, 'dist');
/** Packages loaded lazily from dist/sdk.cjs, with their deep paths ('botbuilder-dialogs/lib/dialog.js'). */
const SDK = /^(?:botbuilder|botbuilder-dialogs|botframework-connector|@slack\/web-api)(?:\/.*)?$/;
const SDK_FILE = 'sdk.cjs';

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Whitespace and syntax only: names stay as written, so error names and stack traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  // Native addons and their loaders (better-sqlite3; restify's optional DTrace probes), and the page's Web Chat bundle.
  external: ['better-sqlite3', 'dtrace-provider', 'botframework-webchat'],
  logLevel: 'warning',
};

/** Each import of an SDK package becomes a property of dist/sdk.cjs, read when the importing module first runs. */
function sdkFromItsOwnFile(used: Set<string>): Plugin {
  return {
    name: 'sdk-from-its-own-file',
    setup(b) {
      b.onResolve({ filter: SDK }, (args) => {
        used.add(args.path);
        return { path: args.path, namespace: 'sdk' };
      });
      b.onLoad({ filter: /.*/, namespace: 'sdk' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(`./${SDK_FILE}`)})[${JSON.stringify(args.path)}];`,
        loader: 'js',
      }));
    },
  };
}

async function main(): Promise<void> {
  // dist/ also holds other outputs (dist/teams/): only this build's files are replaced.
  for (const cache of ['main.cjs.cache', `${SDK_FILE}.cache`]) rmSync(path.join(outdir, cache), { force: true });
  const used = new Set<string>();
  await build({
    ...common,
    entryPoints: [path.join(root, 'src/server/main.ts')],
    outfile: path.join(outdir, 'main.cjs'),
    external: [...common.external!, `./${SDK_FILE}`],
    plugins: [sdkFromItsOwnFile(used)],
  });
  // One getter per package path: a package's code runs when first asked for.
  const entry = [...used].sort().map((spec) => `Object.defineProperty(exports, ${JSON.stringify(spec)}, { enumerable: true, get: () => require(${JSON.stringify(spec)}) });`).join('\n');
  await build({
    ...common,
    stdin: { contents: entry, resolveDir: root, sourcefile: 'sdk-entry.js', loader: 'js' },
    outfile: path.join(outdir, SDK_FILE),
  });
  await build({ ...common, entryPoints: [path.join(root, 'src/server/start.ts')], outfile: path.join(outdir, 'server.cjs') });
  writeCodeCache();
  console.log(`dist/server.cjs, main.cjs and ${SDK_FILE} (${[...used].sort().join(', ')}), with their code caches`);
}

/** One start of the built server, up to listening, with nothing of this machine's settings (no .env, no store); with
 * the same Node options as npm start, since V8 takes a cache only under the flags it was made with. */
function writeCodeCache(): void {
  const scratch = mkdtempSync(path.join(tmpdir(), 'triage-build-'));
  try {
    const run = spawnSync(process.execPath, [path.join(outdir, 'server.cjs')], {
      cwd: scratch,
      env: {
        PATH: process.env.PATH, ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
        TRIAGE_WRITE_CODE_CACHE: '1', PORT: '0', HOST: '127.0.0.1', SQLITE_PATH: path.join(scratch, 'build.sqlite'), LOG_LEVEL: 'silent',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.status !== 0) throw new Error(`the code cache's start failed (${run.status ?? run.signal}): ${run.stderr}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
