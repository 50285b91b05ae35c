// The local Direct Line in PostgreSQL (STORAGE=postgres): every instance behind the load balancer serves every
// conversation. Same rules as the memory store (conversations.ts), kept by the database so they hold across instances:
// - an activity's sequence number comes from its conversation's counter, taken in the statement that inserts it
//   (the conversation's row lock orders concurrent appends, so watermarks only grow and nothing is lost or doubled);
// - tokens are stored as their SHA-256 only;
// - times (token expiry, idleness, activity timestamps) are the database's clock, one clock for all instances.
// Streams on any instance are woken by NOTIFY (notifications.ts), sent in the same statement as the append.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import { inTransaction, type Pool } from '../../storage/postgres/pool.js';
import {
  ConversationsFull, DEFAULT_LIMITS, EVICTABLE_IDLE_MS, MAX_TOKENS_PER_CONVERSATION, TOKEN_TTL_SECONDS, type StoreLimits,
} from './conversations.js';
import { ActivityNotifications, DIRECTLINE_CHANNEL } from './notifications.js';
import type { ActivityPage, ConversationRef, DirectLineStore, Grant } from './store.js';

const IDLE_SECONDS = 2 * 60 * 60; // as the memory store: a conversation nobody used for two hours is dropped
const CLOSING_SECONDS = 60; // after "delete my data", the longest the confirmation waits to be fetched
/** Serialises the check "is there room for one more conversation?" across instances (a number unique to it). */
const CAP_LOCK = 7_205_113_200;

/** A conversation that is neither idle-expired nor past its closing minute. */
const LIVE = `(c.closing_since IS NULL OR c.closing_since > now() - interval '${CLOSING_SECONDS} seconds')`;
const COLUMNS = 'c.id, c.user_id, c.started, c.closing_since, c.closing_replied';

interface Row { id: string; user_id: string; started: boolean; closing_since: Date | null; closing_replied: boolean }

const toConversation = (r: Row): ConversationRef => ({
  id: r.id, userId: r.user_id, started: r.started,
  ...(r.closing_since ? { closing: { since: r.closing_since.getTime(), replied: r.closing_replied } } : {}),
});

const hash = (token: string) => createHash('sha256').update(token).digest();
const activityId = (conversationId: string, seq: number) => `${conversationId}|${String(seq).padStart(7, '0')}`;

export class PostgresConversationStore implements DirectLineStore {
  readonly limits: StoreLimits;
  private readonly notifications: ActivityNotifications;

  constructor(private readonly pool: Pool, limits: Partial<StoreLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.notifications = new ActivityNotifications(pool);
  }

  async generate(userId?: string): Promise<{ token: string; grant: Grant }> {
    return inTransaction(this.pool, async (db) => {
      await db.query('SELECT pg_advisory_xact_lock($1)', [CAP_LOCK]);
      // Lazy clean-up, as the memory store does on each new conversation.
      await db.query(`DELETE FROM directline_conversations c WHERE c.last_used < now() - interval '${IDLE_SECONDS} seconds' OR NOT ${LIVE}`);
      await db.query('DELETE FROM directline_tokens WHERE expires_at <= now()');
      const { rows: [room] } = await db.query<{ n: number; id: string | null; idle_ms: number | null }>(`
        SELECT n.n, o.id, o.idle_ms FROM (SELECT count(*)::int AS n FROM directline_conversations) n
        LEFT JOIN LATERAL (SELECT id, (extract(epoch FROM now() - last_used) * 1000)::float8 AS idle_ms
          FROM directline_conversations ORDER BY last_used LIMIT 1) o ON true`);
      if (room!.n >= this.limits.conversations) {
        const idle = room!.idle_ms ?? 0;
        if (idle < EVICTABLE_IDLE_MS) throw new ConversationsFull((EVICTABLE_IDLE_MS - idle) / 1000);
        await db.query('DELETE FROM directline_conversations WHERE id = $1', [room!.id]);
      }
      const id = randomUUID();
      const user = userId ?? `web_${randomBytes(8).toString('hex')}`;
      await db.query('INSERT INTO directline_conversations (id, user_id) VALUES ($1, $2)', [id, user]);
      return this.issue(db, id, user);
    });
  }

  async refresh(token: string | undefined): Promise<{ token: string; grant: Grant } | undefined> {
    const conversation = await this.byToken(token);
    if (!conversation || conversation.closing) return undefined;
    return this.issue(this.pool, conversation.id, conversation.userId);
  }

  async byToken(token: string | undefined): Promise<ConversationRef | undefined> {
    if (!token) return undefined;
    // Marks the conversation used (for idle expiry and eviction), at most every few seconds so polling writes little.
    const { rows: [row] } = await this.pool.query<Row>(`
      WITH found AS (
        SELECT ${COLUMNS} FROM directline_tokens t JOIN directline_conversations c ON c.id = t.conversation_id
        WHERE t.hash = $1 AND t.expires_at > now() AND ${LIVE}
      ), used AS (
        UPDATE directline_conversations c SET last_used = now() FROM found
        WHERE c.id = found.id AND c.last_used < now() - interval '5 seconds'
      )
      SELECT * FROM found`, [hash(token)]);
    return row && toConversation(row);
  }

  async get(id: string): Promise<ConversationRef | undefined> {
    const { rows: [row] } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM directline_conversations c WHERE c.id = $1 AND ${LIVE}`, [id]);
    return row && toConversation(row);
  }

  async start(conversation: ConversationRef): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE directline_conversations SET started = true WHERE id = $1 AND NOT started', [conversation.id]);
    conversation.started = true;
    return rowCount === 1;
  }

  async append(conversation: ConversationRef, activity: Partial<Activity>, fromBot = false): Promise<Partial<Activity> | undefined> {
    // Counted as the memory store counts: the stored form, whose id and timestamp have fixed lengths.
    const size = JSON.stringify({
      ...activity, id: activityId(conversation.id, 0), timestamp: new Date(0).toISOString(), conversation: { id: conversation.id },
    }).length;
    const headroom = fromBot ? 2 : 1;
    // One statement: the conversation's row is locked while its counter moves and the activity is inserted, so two
    // instances appending at once get consecutive numbers in commit order; the NOTIFY is delivered on commit.
    const { rows: [row] } = await this.pool.query<{ seq: number; at_ms: number }>(`
      WITH c AS (
        UPDATE directline_conversations
        SET next_seq = next_seq + 1, activity_count = activity_count + 1, bytes = bytes + $3,
            closing_replied = closing_replied OR (closing_since IS NOT NULL AND $4::boolean)
        WHERE id = $1 AND activity_count < $5 AND bytes + $3 <= $6 AND ($4::boolean OR closing_since IS NULL)
        RETURNING next_seq - 1 AS seq, clock_timestamp() AS at
      ), a AS (
        INSERT INTO directline_activities (conversation_id, seq, at, body) SELECT $1, seq, at, $2 FROM c RETURNING seq, at
      )
      SELECT a.seq, floor(extract(epoch FROM a.at) * 1000)::float8 AS at_ms, pg_notify('${DIRECTLINE_CHANNEL}', $1) FROM a`,
    [conversation.id, JSON.stringify(activity), size, fromBot, this.limits.activities * headroom, this.limits.bytes * headroom]);
    if (!row) return undefined;
    return stored(conversation.id, activity, row.seq, row.at_ms);
  }

  async appendFromBot(id: string, activity: Partial<Activity>): Promise<{ known: boolean; stored?: Partial<Activity> }> {
    // One round trip for the usual case; only a refused append asks whether the conversation exists at all.
    const stored = await this.append({ id, userId: '', started: true }, activity, true);
    return stored ? { known: true, stored } : { known: Boolean(await this.get(id)) };
  }

  async since(conversation: ConversationRef, watermark: string | undefined): Promise<ActivityPage> {
    const from = Math.max(Number.parseInt(watermark ?? '', 10) || 0, 0);
    // One statement, one snapshot: the watermark handed back covers exactly the activities read with it.
    const { rows } = await this.pool.query<{ next_seq: number; closing_replied: boolean; seq: number | null; body: string | null; at_ms: number | null }>(`
      SELECT c.next_seq, c.closing_replied, a.seq, a.body, floor(extract(epoch FROM a.at) * 1000)::float8 AS at_ms
      FROM directline_conversations c LEFT JOIN directline_activities a ON a.conversation_id = c.id AND a.seq >= $2
      WHERE c.id = $1 ORDER BY a.seq`, [conversation.id, from]);
    if (!rows.length) return { activities: [], watermark: String(from) };
    const activities = rows.filter((r) => r.seq !== null)
      .map((r) => stored(conversation.id, JSON.parse(r.body!) as Partial<Activity>, r.seq!, r.at_ms!));
    // Deleted on request: once the bot's confirmation has been fetched, the conversation and its tokens go.
    if (rows[0]!.closing_replied && activities.length) void Promise.resolve(this.remove(conversation.id)).catch(() => undefined);
    return { activities, watermark: String(rows[0]!.next_seq) };
  }

  async erase(id: string): Promise<boolean> {
    return inTransaction(this.pool, async (db) => {
      // The row lock first: appends wait for it, so the delete below sees every activity that will ever precede it.
      const { rowCount } = await db.query(`
        UPDATE directline_conversations SET activity_count = 0, bytes = 0, closing_since = now(), closing_replied = false
        WHERE id = $1`, [id]);
      if (!rowCount) return false;
      await db.query('DELETE FROM directline_activities WHERE conversation_id = $1', [id]);
      return true;
    });
  }

  async remove(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM directline_conversations WHERE id = $1', [id]);
    return Boolean(rowCount);
  }

  watch(id: string, wake: () => void): () => void {
    return this.notifications.watch(id, wake);
  }

  async sharedSecret(name: string): Promise<string> {
    // Whoever asks first makes it; a racing instance's insert does nothing and the second read finds the first one's.
    for (let attempt = 0; ; attempt++) {
      const { rows: [row] } = await this.pool.query<{ value: string }>(`
        WITH made AS (INSERT INTO directline_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value)
        SELECT value FROM made UNION ALL SELECT value FROM directline_secrets WHERE name = $1 LIMIT 1`,
      [name, randomBytes(32).toString('base64url')]);
      if (row || attempt > 0) {
        if (!row) throw new Error('shared secret missing');
        return row.value;
      }
    }
  }

  async close(): Promise<void> {
    await this.notifications.close();
  }

  /** A new token for the conversation; a conversation keeps only its newest few. */
  private async issue(db: Pick<Pool, 'query'>, conversationId: string, userId: string): Promise<{ token: string; grant: Grant }> {
    const token = randomBytes(32).toString('base64url');
    const { rows: [row] } = await db.query<{ expires_ms: number }>(`
      INSERT INTO directline_tokens (hash, conversation_id, expires_at) VALUES ($1, $2, now() + interval '${TOKEN_TTL_SECONDS} seconds')
      RETURNING floor(extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms`, [hash(token), conversationId]);
    await db.query(`
      DELETE FROM directline_tokens WHERE conversation_id = $1 AND issued_at < (
        SELECT issued_at FROM directline_tokens WHERE conversation_id = $1 ORDER BY issued_at DESC OFFSET $2 LIMIT 1)`,
    [conversationId, MAX_TOKENS_PER_CONVERSATION - 1]);
    return { token, grant: { conversationId, userId, expiresAt: row!.expires_ms } };
  }
}

function stored(conversationId: string, activity: Partial<Activity>, seq: number, atMs: number): Partial<Activity> {
  return {
    ...activity,
    id: activityId(conversationId, seq),
    timestamp: new Date(atMs).toISOString() as unknown as Date,
    conversation: { id: conversationId } as Activity['conversation'],
  };
}
