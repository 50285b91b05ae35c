// Wakes this instance's Direct Line streams when any instance appends to their conversation: one dedicated
// connection per instance LISTENs (a pooled connection cannot: it goes back to the pool between queries). It opens
// with the first stream and reconnects by itself; after a reconnect every stream is woken, since notifications sent
// while it was away are lost (streams also poll now and then, so a lost notification only delays).
import type { Client, Pool } from 'pg';

export const DIRECTLINE_CHANNEL = 'directline_activity';
const RECONNECT_MS = [250, 1_000, 2_000, 5_000];

export class ActivityNotifications {
  private readonly watchers = new Map<string, Set<() => void>>();
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private failures = 0;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly pool: Pool) {}

  watch(id: string, wake: () => void): () => void {
    let set = this.watchers.get(id);
    if (!set) this.watchers.set(id, (set = new Set()));
    set.add(wake);
    this.listen();
    return () => {
      set.delete(wake);
      if (!set.size && this.watchers.get(id) === set) this.watchers.delete(id);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private listen(): void {
    if (this.client || this.connecting || this.retry || this.closed) return;
    this.connecting = this.connect().finally(() => { this.connecting = undefined; });
  }

  private async connect(): Promise<void> {
    const { Client: PgClient } = require('pg') as typeof import('pg');
    // The pool's own settings (URL, TLS, timeouts), for one long-lived connection outside it.
    const client = new PgClient(this.pool.options);
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      this.reconnectLater();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => {
      for (const wake of this.watchers.get(n.payload ?? '') ?? []) wake();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${DIRECTLINE_CHANNEL}`);
    } catch {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.reconnectLater();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    this.wakeAll(); // whatever was appended while nobody listened
  }

  private reconnectLater(): void {
    if (this.closed || this.retry) return;
    const delay = RECONNECT_MS[Math.min(this.failures++, RECONNECT_MS.length - 1)]!;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.watchers.size) this.listen();
    }, delay);
    this.retry.unref();
  }

  private wakeAll(): void {
    for (const set of this.watchers.values()) for (const wake of set) wake();
  }
}
