// The local Direct Line's caps on the PostgreSQL store, as the memory store keeps them (abuse.test.ts): conversations
// in total (the longest idle gives way), activities and bytes per conversation, tokens per conversation, idle expiry.
// The database's clock rules here, so time passes by moving rows' times back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationsFull, EVICTABLE_IDLE_MS, MAX_TOKENS_PER_CONVERSATION } from '../src/channels/directline/conversations.js';
import { PostgresConversationStore } from '../src/channels/directline/postgresStore.js';
import { startDirectLineDatabase, type DirectLineDatabase } from './directline-postgres.js';

let database: DirectLineDatabase;
beforeAll(async () => { database = await startDirectLineDatabase(); }, 120_000);
afterAll(async () => { await database?.close(); });

/** Each test starts from no conversations (the total cap counts them all). */
async function freshStore(limits: ConstructorParameters<typeof PostgresConversationStore>[1] = {}) {
  await database.pool.query('DELETE FROM directline_conversations');
  return new PostgresConversationStore(database.pool, limits);
}
const age = (id: string, column: 'last_used' | 'closing_since', ms: number) =>
  database.pool.query(`UPDATE directline_conversations SET ${column} = now() - $2 * interval '1 millisecond' WHERE id = $1`, [id, ms]);

describe('PostgreSQL local Direct Line limits', () => {
  it('at the total cap refuses a newcomer with a wait while all are in use, then evicts the longest idle', async () => {
    const store = await freshStore({ conversations: 3 });
    const [a, b, c] = [await store.generate(), await store.generate(), await store.generate()];
    const full = await store.generate().catch((err: unknown) => err);
    expect(full).toBeInstanceOf(ConversationsFull);
    expect((full as ConversationsFull).retryAfterSeconds).toBeGreaterThan(0);
    await age(a.grant.conversationId, 'last_used', EVICTABLE_IDLE_MS + 2_000);
    await age(b.grant.conversationId, 'last_used', EVICTABLE_IDLE_MS + 1_000);
    const d = await store.generate(); // a, idle longest, gives way
    expect(await store.byToken(a.token)).toBeUndefined();
    for (const kept of [b, c, d]) expect(await store.byToken(kept.token)).toBeDefined();
  });

  it('drops conversations idle for two hours when the next one starts', async () => {
    const store = await freshStore();
    const old = await store.generate();
    await age(old.grant.conversationId, 'last_used', 2 * 60 * 60 * 1000 + 1_000);
    await store.generate();
    expect((await database.pool.query('SELECT 1 FROM directline_conversations WHERE id = $1', [old.grant.conversationId])).rowCount).toBe(0);
  });

  it('stops a conversation at its activity cap; the bot keeps headroom for its answers', async () => {
    const store = await freshStore({ activities: 4 });
    const { grant } = await store.generate();
    const c = (await store.get(grant.conversationId))!;
    const person = [];
    for (let i = 0; i < 6; i++) person.push(await store.append(c, { type: 'event', name: 'x', value: i }));
    expect(person.filter(Boolean)).toHaveLength(4);
    expect(await store.append(c, { type: 'message', text: 'answer' }, true)).toBeDefined();
  });

  it('counts bytes: a conversation stops at its byte cap', async () => {
    const store = await freshStore({ bytes: 64 * 1024, activities: 10_000 });
    const { grant } = await store.generate();
    const c = (await store.get(grant.conversationId))!;
    let accepted = 0;
    for (let i = 0; i < 100 && (await store.append(c, { type: 'message', text: 'x'.repeat(2_000) })); i++) accepted++;
    expect(accepted).toBeGreaterThan(20);
    expect(accepted).toBeLessThan(33);
    const { rows } = await database.pool.query('SELECT bytes FROM directline_conversations WHERE id = $1', [c.id]);
    expect(rows[0].bytes).toBeLessThanOrEqual(64 * 1024);
  });

  it('keeps only the newest few tokens of a conversation', async () => {
    const store = await freshStore();
    const tokens = [(await store.generate()).token];
    for (let i = 0; i < 8; i++) tokens.push((await store.refresh(tokens.at(-1)))!.token);
    const live = await Promise.all(tokens.map(async (t) => Boolean(await store.byToken(t))));
    expect(live.filter(Boolean)).toHaveLength(MAX_TOKENS_PER_CONVERSATION);
    expect(live.slice(-MAX_TOKENS_PER_CONVERSATION)).toEqual(Array(MAX_TOKENS_PER_CONVERSATION).fill(true));
  });

  it("after 'delete my data': no more of the person's messages, the bot's confirmation still fits, gone after a minute", async () => {
    const store = await freshStore();
    const { token, grant } = await store.generate();
    const c = (await store.get(grant.conversationId))!;
    await store.append(c, { type: 'message', text: 'my medicines' });
    expect(await store.erase(c.id)).toBe(true);
    expect((await store.since(c, '0')).activities).toEqual([]);
    expect(await store.append(c, { type: 'message', text: 'more' })).toBeUndefined();
    const confirmation = await store.append(c, { type: 'message', text: 'deleted' }, true);
    expect(confirmation?.id).toBe(`${c.id}|0000001`); // watermarks stay valid across the erasure
    await age(c.id, 'closing_since', 61_000);
    expect(await store.byToken(token)).toBeUndefined();
  });
});
