// npm run staff -- <command>: staff accounts of the intake records (in the records file beside SQLITE_PATH, or with
// STORAGE=postgres in DATABASE_URL's database, whose schema it brings up to date first).
//   add <name> [--admin] [--centre <id>]   create an account; the password is asked for (or read from standard input)
//   passwd <name>                          set a new password (ends the person's open sessions)
//   token <name> [--label <text>]          make an API token for an integration acting as <name>; shown once
//   revoke <name>                          revoke every API token of <name>
//   remove <name>                          delete the account, its tokens and sessions
//   list                                   the accounts (name, centre, admin, tokens)
// Works while the server runs. Settings (SQLITE_PATH, INTAKE_CENTRES) come from the environment and .env.
import { createInterface } from 'node:readline';
import { loadConfigOrExit } from '../src/config.js';
import { Records } from '../src/records/service.js';
import { MIN_PASSWORD, validName } from '../src/records/staff.js';
import { createPool, migrate } from '../src/storage/postgres/index.js';

const USAGE = `Usage: npm run staff -- <command>
  add <name> [--admin] [--centre <id>]   create a staff account (password asked for, or read from standard input)
  passwd <name>                          set a new password
  token <name> [--label <text>]          make an API token (Authorization: Bearer) acting as <name>
  revoke <name>                          revoke every API token of <name>
  remove <name>                          delete the account
  list                                   list the accounts`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) fail(`${name} needs a value`);
  args.splice(i, 2);
  return v;
}

function flag(args: string[], name: string): boolean {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
}

/** A line from standard input when it is not a terminal; a hidden prompt (asked twice) when it is. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin });
    for await (const line of rl) {
      rl.close();
      return line.replace(/\r$/, '');
    }
    return '';
  }
  const ask = (q: string) => new Promise<string>((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    rl.question(q, (answer) => { rl.close(); process.stdout.write('\n'); resolve(answer); });
    out._writeToOutput = (s: string) => { if (s.startsWith(q)) process.stdout.write(q); };
  });
  const first = await ask(`Password (at least ${MIN_PASSWORD} characters): `);
  const again = await ask('Again: ');
  if (first !== again) fail('The two passwords differ.');
  return first;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const command = args.shift();
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfigOrExit();
  const rc = config.records;
  if (!rc.enabled) process.stderr.write('Note: INTAKE_RECORDS is off, so the server does not use these accounts until it is on.\n');
  // No alert worker and no purge from here: only the accounts are touched.
  const pool = config.postgres ? createPool({ ...config.postgres, poolSize: 2 }) : undefined;
  if (pool) await migrate(pool).catch((e: Error) => fail(`database: ${e.message}`));
  const records = new Records({ ...rc, alerts: undefined }, { purgeEveryMs: 2 ** 31 - 1, pool });
  try {
    const name = command === 'list' ? '' : args.shift() ?? fail(USAGE);
    if (name && !validName(name)) fail('A name is 1-64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit.');
    switch (command) {
      case 'add': {
        const admin = flag(args, '--admin');
        const centre = option(args, '--centre');
        if (!centre && rc.centres.length > 1) fail(`Several centres are configured (${rc.centres.map((c) => c.id).join(', ')}): give --centre <id>.`);
        const id = records.centre(centre) ?? fail(`No centre "${centre}" in INTAKE_CENTRES (${rc.centres.map((c) => c.id).join(', ')}).`);
        const password = await readPassword();
        await records.staff.add(name, password, { centre: id, admin }).catch((e: Error) => fail(e.message));
        process.stdout.write(`Added ${name}${admin ? ' (admin)' : ''} at ${records.centreName(id)}.\n`);
        break;
      }
      case 'passwd': {
        const password = await readPassword();
        await records.staff.setPassword(name, password).catch((e: Error) => fail(e.message));
        process.stdout.write(`New password set for ${name}; their open sessions were ended.\n`);
        break;
      }
      case 'token': {
        const label = option(args, '--label') ?? 'integration';
        let token: string;
        try {
          token = await records.staff.newToken(name, label);
        } catch (e) {
          fail((e as Error).message);
        }
        process.stderr.write(`API token for ${name} (shown only now; send it as Authorization: Bearer <token>):\n`);
        process.stdout.write(`${token}\n`);
        break;
      }
      case 'revoke':
        process.stdout.write(`Revoked ${await records.staff.revokeTokens(name)} token(s) of ${name}.\n`);
        break;
      case 'remove':
        if (!(await records.staff.remove(name))) fail(`No staff member "${name}".`);
        process.stdout.write(`Removed ${name}.\n`);
        break;
      case 'list':
        for (const s of await records.staff.list()) {
          process.stdout.write(`${s.name}\t${s.centre}\t${s.admin ? 'admin' : 'staff'}\t${s.tokens} token(s)\n`);
        }
        break;
      default:
        fail(USAGE);
    }
    if (args.length) process.stderr.write(`Ignored: ${args.join(' ')}\n`);
  } finally {
    await records.close();
    await pool?.end();
  }
}

main().catch((err) => fail(`staff: ${(err as Error).message}`));
