// The SQLite Storage keeps botbuilder's contract: eTags, '*' always wins, expiry after CONVERSATION_TTL_HOURS.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
