// Whether the database answers, for /healthz and /readyz: a probe on a connection of its own (outside the pool, so a
// busy pool is not mistaken for a database gone), every few seconds, at once when a turn found the database silent.
// The verdict is kept here so the health routes answer at once, whatever the database is doing.
import type { Pool, Client } from 'pg';

export interface DatabaseProblem { component: 'database'; code: string }

/** Between probes while the database answers, and while it does not (recovery is noticed within this). */
const UP_EVERY_MS = 2_000;
const DOWN_EVERY_MS = 1_000;

export class DatabaseHealth {
  private failure: string | undefined;
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly pool: Pool) {
    this.schedule(0);
  }

  /** The database's problem, if the last probe (or turn) found one. */
  problem(): DatabaseProblem | undefined {
    return this.failure === undefined ? undefined : { component: 'database', code: this.failure };
  }

  /** A turn found the database silent: report it now and probe until it answers. */
  suspect(err: Error & { code?: string }): void {
    this.failure ??= err.code ?? err.name;
    void this.probe();
  }

  /** A query answered: the database is back. */
  answered(): void {
    this.failure = undefined;
  }

  /** Resolves once a probe has run (tests wait on it). */
  async check(): Promise<DatabaseProblem | undefined> {
    await this.probe();
    return this.problem();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    void this.client?.end().catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.probe(), ms);
    this.timer.unref();
  }

  private probe(): Promise<void> {
    this.probing ??= this.runProbe().finally(() => {
      this.probing = undefined;
      this.schedule(this.failure === undefined ? UP_EVERY_MS : DOWN_EVERY_MS);
    });
    return this.probing;
  }

  private async runProbe(): Promise<void> {
    try {
      this.client ??= await this.connect();
      await this.client.query('SELECT 1');
      this.failure = undefined;
    } catch (err) {
      const e = err as Error & { code?: string };
      this.failure = e.code ?? e.name;
      const broken = this.client;
      this.client = undefined;
      void broken?.end().catch(() => undefined);
    }
  }

  private async connect(): Promise<Client> {
    const { Client: PgClient } = require('pg') as typeof import('pg');
    const o = this.pool.options;
    const timeout = o.connectionTimeoutMillis ?? 5_000;
    const client = new PgClient({
      connectionString: o.connectionString, ssl: o.ssl, connectionTimeoutMillis: timeout,
      query_timeout: timeout, application_name: 'triage-bot health',
    });
    // A connection that drops between probes is found by the next probe; its error event must not crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      void client.end().catch(() => undefined);
      throw err;
    }
    return client;
  }
}
