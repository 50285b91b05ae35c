// The SQLite Storage keeps botbuilder's contract: eTags, '*' always wins, expiry after CONVERSATION_TTL_HOURS.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../src/storage/index.js';
import { Chat } from './chat.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
function open(ttlHours = 24, now?: () => number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'triage-store-'));
  dirs.push(dir);
  const file = path.join(dir, 'a', 'b', 'state.sqlite');
  return { file, store: new SqliteStorage({ path: file, ttlHours, now }) };
}

describe('SqliteStorage', () => {
  it('creates its folder and round-trips items with an eTag', async () => {
    const { file, store } = open();
    expect(existsSync(file)).toBe(true);
    await store.write({ k: { a: 1 } });
    const read = await store.read(['k', 'missing']);
    expect(read.k).toMatchObject({ a: 1, eTag: expect.any(String) });
    expect(read.missing).toBeUndefined();
    store.close();
  });

  it('rejects a stale eTag, accepts the current one, and lets "*" always win', async () => {
    const { store } = open();
    await store.write({ k: { v: 1 } });
    const first = (await store.read(['k'])).k!;
    await store.write({ k: { ...first, v: 2 } });
    await expect(store.write({ k: { ...first, v: 3 } })).rejects.toThrow(/eTag conflict/);
    const second = (await store.read(['k'])).k!;
    expect(second.v).toBe(2);
    await store.write({ k: { ...second, v: 4 } });
    await store.write({ k: { v: 5, eTag: '*' } });
    expect((await store.read(['k'])).k!.v).toBe(5);
    store.close();
  });

  it('forgets idle conversations after the TTL and deletes on request', async () => {
    let t = 1_000_000;
    const { store } = open(1, () => t);
    await store.write({ old: { v: 1 }, gone: { v: 2 } });
    await store.delete(['gone']);
    expect(Object.keys(await store.read(['old', 'gone']))).toEqual(['old']);
    t += 3_600_001;
    expect(await store.read(['old'])).toEqual({});
    expect(store.purgeExpired()).toBe(1);
    store.close();
  });

  it('commits writes made together in one pass, each all-or-nothing on its own', async () => {
    const { file, store } = open();
    await store.write({ a: { v: 0 } });
    const a = (await store.read(['a'])).a!;
    const results = await Promise.allSettled([
      store.write({ a: { ...a, v: 1 } }),
      store.write({ a: { ...a, v: 2 }, b: { v: 2 } }), // stale after the first: neither a nor b
      store.write({ c: { v: 3 } }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.read(['a', 'b', 'c'])).toEqual({ a: { v: 1, eTag: expect.any(String) }, c: { v: 3, eTag: expect.any(String) } });
    store.close();
    // What the writes resolved for is on disk: a new store on the same file reads it.
    const again = new SqliteStorage({ path: file, ttlHours: 24 });
    expect((await again.read(['a', 'c']))).toMatchObject({ a: { v: 1 }, c: { v: 3 } });
    again.close();
  });

  it('keeps the order of a write and a delete, and never hands out its own copy', async () => {
    const { store } = open();
    const written = store.write({ k: { list: [1] } });
    await store.delete(['k']);
    await written;
    expect(await store.read(['k'])).toEqual({});
    await store.write({ k: { list: [1] } });
    const first = (await store.read(['k'])).k as { list: number[] };
    first.list.push(2);
    expect((await store.read(['k'])).k).toMatchObject({ list: [1] });
    store.close();
  });

  it('moves a file of the earlier WITHOUT ROWID layout over, keeping its conversations', async () => {
    const { file, store } = open();
    store.close();
    const old = new Database(file);
    old.exec('DROP TABLE items');
    old.exec('CREATE TABLE items (key TEXT PRIMARY KEY, etag TEXT NOT NULL, data TEXT NOT NULL, updated INTEGER NOT NULL) WITHOUT ROWID');
    old.prepare('INSERT INTO items VALUES (?, ?, ?, ?)').run('k', 'e1', JSON.stringify({ v: 1 }), Date.now());
    old.close();
    const reopened = new SqliteStorage({ path: file, ttlHours: 24 });
    expect((await reopened.read(['k'])).k).toEqual({ v: 1, eTag: 'e1' });
    reopened.close();
    const check = new Database(file, { readonly: true });
    expect((check.prepare("SELECT sql FROM sqlite_master WHERE name = 'items'").get() as { sql: string }).sql).not.toMatch(/WITHOUT ROWID/i);
    check.close();
  });

  it('keeps a held conversation under 5 KB', async () => {
    const { store } = open();
    const chat = new Chat({ storage: store, now: '2026-03-08T09:00:00-05:00' });
    await chat.join();
    await chat.say('citalopram 20 mg, baclofen 10 mg three times a day and tramadol for my back');
    await chat.say('stopped the baclofen 2 days ago and started tramadol last week');
    await chat.say('shaky, sweaty, itchy all over and my legs are stiff');
    const { items, bytes } = store.storedBytes();
    expect(items).toBe(1);
    expect(bytes).toBeLessThan(5 * 1024);
    store.close();
  });
});
