// Staff accounts: scrypt password hashes, API tokens for integrations and sessions for the staff page. Tokens and
// session ids are random 256-bit values stored only as SHA-256 digests (a stolen file gives neither); passwords are
// scrypt hashes with a salt each. Checking a name that does not exist costs the same scrypt as a wrong password.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Db } from './db.js';

export interface Staff { name: string; centre: string; admin: boolean }

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32 };
const MAXMEM = 64 * 1024 * 1024;
export const SESSION_IDLE_MS = 60 * 60_000;
export const SESSION_MAX_MS = 12 * 60 * 60_000;
const NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/i;
export const MIN_PASSWORD = 12;

function scrypt(password: string, salt: Buffer, o: typeof SCRYPT): Promise<Buffer> {
  const opts: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: MAXMEM };
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, o.keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p), keylen: expected.length });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function validName(name: string): boolean {
  return NAME.test(name);
}

export class StaffDirectory {
  /** A hash of a random password: unknown names are checked against it, so they cost what a wrong password costs. */
  private dummy: Promise<string> | undefined;

  constructor(private readonly db: Db, private readonly now: () => number = Date.now) {}

  async add(name: string, password: string, opts: { centre: string; admin: boolean }): Promise<void> {
    if (!validName(name)) throw new Error('a name is 1-64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit');
    if (password.length < MIN_PASSWORD) throw new Error(`the password must be at least ${MIN_PASSWORD} characters`);
    if (this.get(name)) throw new Error(`"${name}" already exists`);
    const hash = await hashPassword(password);
    const t = this.now();
    this.db.prepare('INSERT INTO staff (name, centre, admin, hash, created, updated) VALUES (?, ?, ?, ?, ?, ?)')
      .run(name, opts.centre, opts.admin ? 1 : 0, hash, t, t);
  }

  async setPassword(name: string, password: string): Promise<void> {
    if (password.length < MIN_PASSWORD) throw new Error(`the password must be at least ${MIN_PASSWORD} characters`);
    if (!this.get(name)) throw new Error(`no staff member "${name}"`);
    const hash = await hashPassword(password);
    this.db.transaction(() => {
      this.db.prepare('UPDATE staff SET hash = ?, updated = ? WHERE name = ?').run(hash, this.now(), name);
      // A new password ends every open session of that person.
      this.db.prepare('DELETE FROM sessions WHERE name = ?').run(name);
    })();
  }

  remove(name: string): boolean {
    return this.db.prepare('DELETE FROM staff WHERE name = ?').run(name).changes > 0;
  }

  get(name: string): Staff | undefined {
    const row = this.db.prepare<[string], { name: string; centre: string; admin: number }>('SELECT name, centre, admin FROM staff WHERE name = ?').get(name);
    return row && { name: row.name, centre: row.centre, admin: Boolean(row.admin) };
  }

  list(): (Staff & { tokens: number })[] {
    return this.db.prepare<[], { name: string; centre: string; admin: number; tokens: number }>(
      'SELECT s.name, s.centre, s.admin, (SELECT COUNT(*) FROM tokens t WHERE t.name = s.name) AS tokens FROM staff s ORDER BY s.name',
    ).all().map((r) => ({ name: r.name, centre: r.centre, admin: Boolean(r.admin), tokens: r.tokens }));
  }

  /** The staff member if the password is right; the same scrypt work either way. */
  async login(name: string, password: string): Promise<Staff | undefined> {
    const row = typeof name === 'string' && validName(name)
      ? this.db.prepare<[string], { hash: string }>('SELECT hash FROM staff WHERE name = ?').get(name)
      : undefined;
    const stored = row?.hash ?? (await (this.dummy ??= hashPassword(randomBytes(24).toString('base64'))));
    const ok = await checkPassword(typeof password === 'string' ? password : '', stored);
    return ok && row ? this.get(name) : undefined;
  }

  /** A new API token for `name`, shown once; only its digest is kept. */
  newToken(name: string, label = 'integration'): string {
    if (!this.get(name)) throw new Error(`no staff member "${name}"`);
    const token = `trt_${randomBytes(32).toString('base64url')}`;
    this.db.prepare('INSERT INTO tokens (hash, name, label, created) VALUES (?, ?, ?, ?)').run(sha256(token), name, label.slice(0, 80), this.now());
    return token;
  }

  revokeTokens(name: string): number {
    return this.db.prepare('DELETE FROM tokens WHERE name = ?').run(name).changes;
  }

  byToken(token: string): Staff | undefined {
    const row = this.db.prepare<[string], { name: string }>('SELECT name FROM tokens WHERE hash = ?').get(sha256(token));
    if (!row) return undefined;
    this.db.prepare('UPDATE tokens SET last_used = ? WHERE hash = ?').run(this.now(), sha256(token));
    return this.get(row.name);
  }

  newSession(name: string): string {
    const id = randomBytes(32).toString('base64url');
    const t = this.now();
    this.db.prepare('DELETE FROM sessions WHERE expires <= ? OR seen <= ?').run(t, t - SESSION_IDLE_MS);
    this.db.prepare('INSERT INTO sessions (hash, name, created, seen, expires) VALUES (?, ?, ?, ?, ?)').run(sha256(id), name, t, t, t + SESSION_MAX_MS);
    return id;
  }

  /** The session's staff member while it is neither idle too long nor past its end; each use keeps it alive. */
  bySession(id: string): Staff | undefined {
    const t = this.now();
    const row = this.db.prepare<[string], { name: string; seen: number; expires: number }>('SELECT name, seen, expires FROM sessions WHERE hash = ?').get(sha256(id));
    if (!row || row.expires <= t || row.seen <= t - SESSION_IDLE_MS) return undefined;
    if (t - row.seen > 30_000) this.db.prepare('UPDATE sessions SET seen = ? WHERE hash = ?').run(t, sha256(id));
    return this.get(row.name);
  }

  endSession(id: string): void {
    this.db.prepare('DELETE FROM sessions WHERE hash = ?').run(sha256(id));
  }
}

/**
 * Repeated failures are slowed: after FREE failures from one address or against one name within the window, every
 * further attempt waits (doubling, up to MAX_DELAY) before it is checked, right or wrong, so the wait says nothing.
 */
export class FailureThrottle {
  private readonly failures = new Map<string, { count: number; first: number }>();

  constructor(
    private readonly opts = { free: 5, windowMs: 15 * 60_000, baseDelayMs: 1_000, maxDelayMs: 30_000, maxKeys: 10_000 },
    private readonly now: () => number = Date.now,
  ) {}

  delayFor(keys: string[]): number {
    let worst = 0;
    for (const k of keys) {
      const f = this.current(k);
      if (f && f.count >= this.opts.free) worst = Math.max(worst, Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (f.count - this.opts.free)));
    }
    return worst;
  }

  fail(keys: string[]): void {
    for (const k of keys) {
      const f = this.current(k);
      if (f) f.count++;
      else {
        if (this.failures.size >= this.opts.maxKeys) this.failures.delete(this.failures.keys().next().value as string);
        this.failures.set(k, { count: 1, first: this.now() });
      }
    }
  }

  succeed(keys: string[]): void {
    for (const k of keys) this.failures.delete(k);
  }

  /** Forgets every failure (tests; an operator's restart does the same). */
  clear(): void {
    this.failures.clear();
  }

  private current(k: string) {
    const f = this.failures.get(k);
    if (f && this.now() - f.first > this.opts.windowMs) {
      this.failures.delete(k);
      return undefined;
    }
    return f;
  }
}
