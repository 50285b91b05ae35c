// Staff accounts: scrypt password hashes, API tokens for integrations and sessions for the staff page. Tokens and
// session ids are random 256-bit values stored only as SHA-256 digests (a stolen file gives neither); passwords are
// scrypt hashes with a salt each. Checking a name that does not exist costs the same scrypt as a wrong password.
// The rules live in StaffDirectory; each store only keeps rows (StaffRows), so they are the same in SQLite and PostgreSQL.
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

/** What the directory keeps, per store (SQLite: ./staff.ts below; PostgreSQL: postgres/staff.ts). Times in ms. */
export interface StaffRows {
  insertStaff(s: Staff & { hash: string; at: number }): Promise<void>;
  /** Sets the hash and ends every open session of that person, in one transaction. */
  setHash(name: string, hash: string, at: number): Promise<void>;
  deleteStaff(name: string): Promise<boolean>;
  staff(name: string): Promise<(Staff & { hash: string }) | undefined>;
  list(): Promise<(Staff & { tokens: number })[]>;
  insertToken(digest: string, name: string, label: string, at: number): Promise<void>;
  deleteTokens(name: string): Promise<number>;
  /** The token's owner, its use noted. */
  useToken(digest: string, at: number): Promise<string | undefined>;
  /** Removes sessions past `expiredBy` or unseen since `idleSince`, then adds this one. */
  insertSession(digest: string, name: string, at: number, expires: number, purge: { expiredBy: number; idleSince: number }): Promise<void>;
  session(digest: string): Promise<{ name: string; seen: number; expires: number } | undefined>;
  touchSession(digest: string, at: number): Promise<void>;
  deleteSession(digest: string): Promise<void>;
}

export class StaffDirectory {
  /** A hash of a random password: unknown names are checked against it, so they cost what a wrong password costs. */
  private dummy: Promise<string> | undefined;

  constructor(private readonly rows: StaffRows, private readonly now: () => number = Date.now) {}

  async add(name: string, password: string, opts: { centre: string; admin: boolean }): Promise<void> {
    if (!validName(name)) throw new Error('a name is 1-64 letters, digits, dots, dashes, underscores or @, starting with a letter or digit');
    if (password.length < MIN_PASSWORD) throw new Error(`the password must be at least ${MIN_PASSWORD} characters`);
    if (await this.get(name)) throw new Error(`"${name}" already exists`);
    const hash = await hashPassword(password);
    await this.rows.insertStaff({ name, centre: opts.centre, admin: opts.admin, hash, at: this.now() });
  }

  async setPassword(name: string, password: string): Promise<void> {
    if (password.length < MIN_PASSWORD) throw new Error(`the password must be at least ${MIN_PASSWORD} characters`);
    if (!(await this.get(name))) throw new Error(`no staff member "${name}"`);
    const hash = await hashPassword(password);
    // A new password ends every open session of that person.
    await this.rows.setHash(name, hash, this.now());
  }

  remove(name: string): Promise<boolean> {
    return this.rows.deleteStaff(name);
  }

  async get(name: string): Promise<Staff | undefined> {
    const row = await this.rows.staff(name);
    return row && { name: row.name, centre: row.centre, admin: row.admin };
  }

  list(): Promise<(Staff & { tokens: number })[]> {
    return this.rows.list();
  }

  /** The staff member if the password is right; the same scrypt work either way. */
  async login(name: string, password: string): Promise<Staff | undefined> {
    const row = typeof name === 'string' && validName(name) ? await this.rows.staff(name) : undefined;
    const stored = row?.hash ?? (await (this.dummy ??= hashPassword(randomBytes(24).toString('base64'))));
    const ok = await checkPassword(typeof password === 'string' ? password : '', stored);
    return ok && row ? { name: row.name, centre: row.centre, admin: row.admin } : undefined;
  }

  /** A new API token for `name`, shown once; only its digest is kept. */
  async newToken(name: string, label = 'integration'): Promise<string> {
    if (!(await this.get(name))) throw new Error(`no staff member "${name}"`);
    const token = `trt_${randomBytes(32).toString('base64url')}`;
    await this.rows.insertToken(sha256(token), name, label.slice(0, 80), this.now());
    return token;
  }

  revokeTokens(name: string): Promise<number> {
    return this.rows.deleteTokens(name);
  }

  async byToken(token: string): Promise<Staff | undefined> {
    const name = await this.rows.useToken(sha256(token), this.now());
    return name === undefined ? undefined : this.get(name);
  }

  async newSession(name: string): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const t = this.now();
    await this.rows.insertSession(sha256(id), name, t, t + SESSION_MAX_MS, { expiredBy: t, idleSince: t - SESSION_IDLE_MS });
    return id;
  }

  /** The session's staff member while it is neither idle too long nor past its end; each use keeps it alive. */
  async bySession(id: string): Promise<Staff | undefined> {
    const t = this.now();
    const row = await this.rows.session(sha256(id));
    if (!row || row.expires <= t || row.seen <= t - SESSION_IDLE_MS) return undefined;
    if (t - row.seen > 30_000) await this.rows.touchSession(sha256(id), t);
    return this.get(row.name);
  }

  endSession(id: string): Promise<void> {
    return this.rows.deleteSession(sha256(id));
  }
}

/** The SQLite records file's staff tables. */
export class SqliteStaffRows implements StaffRows {
  constructor(private readonly db: Db) {}

  async insertStaff(s: Staff & { hash: string; at: number }) {
    this.db.prepare('INSERT INTO staff (name, centre, admin, hash, created, updated) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.name, s.centre, s.admin ? 1 : 0, s.hash, s.at, s.at);
  }

  async setHash(name: string, hash: string, at: number) {
    this.db.transaction(() => {
      this.db.prepare('UPDATE staff SET hash = ?, updated = ? WHERE name = ?').run(hash, at, name);
      this.db.prepare('DELETE FROM sessions WHERE name = ?').run(name);
    })();
  }

  async deleteStaff(name: string) {
    return this.db.prepare('DELETE FROM staff WHERE name = ?').run(name).changes > 0;
  }

  async staff(name: string) {
    const row = this.db.prepare<[string], { name: string; centre: string; admin: number; hash: string }>('SELECT name, centre, admin, hash FROM staff WHERE name = ?').get(name);
    return row && { name: row.name, centre: row.centre, admin: Boolean(row.admin), hash: row.hash };
  }

  async list() {
    return this.db.prepare<[], { name: string; centre: string; admin: number; tokens: number }>(
      'SELECT s.name, s.centre, s.admin, (SELECT COUNT(*) FROM tokens t WHERE t.name = s.name) AS tokens FROM staff s ORDER BY s.name',
    ).all().map((r) => ({ name: r.name, centre: r.centre, admin: Boolean(r.admin), tokens: r.tokens }));
  }

  async insertToken(digest: string, name: string, label: string, at: number) {
    this.db.prepare('INSERT INTO tokens (hash, name, label, created) VALUES (?, ?, ?, ?)').run(digest, name, label, at);
  }

  async deleteTokens(name: string) {
    return this.db.prepare('DELETE FROM tokens WHERE name = ?').run(name).changes;
  }

  async useToken(digest: string, at: number) {
    const row = this.db.prepare<[string], { name: string }>('SELECT name FROM tokens WHERE hash = ?').get(digest);
    if (row) this.db.prepare('UPDATE tokens SET last_used = ? WHERE hash = ?').run(at, digest);
    return row?.name;
  }

  async insertSession(digest: string, name: string, at: number, expires: number, purge: { expiredBy: number; idleSince: number }) {
    this.db.prepare('DELETE FROM sessions WHERE expires <= ? OR seen <= ?').run(purge.expiredBy, purge.idleSince);
    this.db.prepare('INSERT INTO sessions (hash, name, created, seen, expires) VALUES (?, ?, ?, ?, ?)').run(digest, name, at, at, expires);
  }

  async session(digest: string) {
    return this.db.prepare<[string], { name: string; seen: number; expires: number }>('SELECT name, seen, expires FROM sessions WHERE hash = ?').get(digest);
  }

  async touchSession(digest: string, at: number) {
    this.db.prepare('UPDATE sessions SET seen = ? WHERE hash = ?').run(at, digest);
  }

  async deleteSession(digest: string) {
    this.db.prepare('DELETE FROM sessions WHERE hash = ?').run(digest);
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
