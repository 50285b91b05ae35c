// Staff accounts, API tokens and sessions in PostgreSQL: every instance reads the same rows, so a person signed in
// through one instance is signed in on all of them, and a revoked token stops working everywhere at the next request.
import type { StaffRows } from '../staff.js';
import { inTransaction, type Pool } from '../../storage/postgres/pool.js';
import { changed, one, rows } from './rows.js';

export class PostgresStaffRows implements StaffRows {
  constructor(private readonly pool: Pool) {}

  async insertStaff(s: { name: string; centre: string; admin: boolean; hash: string; at: number }) {
    await this.pool.query('INSERT INTO staff_accounts (name, centre, admin, hash, created, updated) VALUES ($1, $2, $3, $4, $5, $5)',
      [s.name, s.centre, s.admin, s.hash, s.at]);
  }

  async setHash(name: string, hash: string, at: number) {
    await inTransaction(this.pool, async (c) => {
      await c.query('UPDATE staff_accounts SET hash = $2, updated = $3 WHERE name = $1', [name, hash, at]);
      await c.query('DELETE FROM staff_sessions WHERE name = $1', [name]);
    });
  }

  async deleteStaff(name: string) {
    return (await changed(this.pool, 'DELETE FROM staff_accounts WHERE name = $1', [name])) > 0;
  }

  staff(name: string) {
    return one<{ name: string; centre: string; admin: boolean; hash: string }>(this.pool, 'SELECT name, centre, admin, hash FROM staff_accounts WHERE name = $1', [name]);
  }

  list() {
    return rows<{ name: string; centre: string; admin: boolean; tokens: number }>(this.pool,
      'SELECT s.name, s.centre, s.admin, (SELECT COUNT(*) FROM staff_tokens t WHERE t.name = s.name) AS tokens FROM staff_accounts s ORDER BY s.name');
  }

  async insertToken(digest: string, name: string, label: string, at: number) {
    await this.pool.query('INSERT INTO staff_tokens (hash, name, label, created) VALUES ($1, $2, $3, $4)', [digest, name, label, at]);
  }

  deleteTokens(name: string) {
    return changed(this.pool, 'DELETE FROM staff_tokens WHERE name = $1', [name]);
  }

  /** One round trip: the owner comes back from the update that notes the use. */
  async useToken(digest: string, at: number) {
    return (await one<{ name: string }>(this.pool, 'UPDATE staff_tokens SET last_used = $2 WHERE hash = $1 RETURNING name', [digest, at]))?.name;
  }

  async insertSession(digest: string, name: string, at: number, expires: number, purge: { expiredBy: number; idleSince: number }) {
    await inTransaction(this.pool, async (c) => {
      await c.query('DELETE FROM staff_sessions WHERE expires <= $1 OR seen <= $2', [purge.expiredBy, purge.idleSince]);
      await c.query('INSERT INTO staff_sessions (hash, name, created, seen, expires) VALUES ($1, $2, $3, $3, $4)', [digest, name, at, expires]);
    });
  }

  session(digest: string) {
    return one<{ name: string; seen: number; expires: number }>(this.pool, 'SELECT name, seen, expires FROM staff_sessions WHERE hash = $1', [digest]);
  }

  async touchSession(digest: string, at: number) {
    await this.pool.query('UPDATE staff_sessions SET seen = $2 WHERE hash = $1', [digest, at]);
  }

  async deleteSession(digest: string) {
    await this.pool.query('DELETE FROM staff_sessions WHERE hash = $1', [digest]);
  }
}
