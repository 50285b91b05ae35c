// Limits that hold under abuse: requests per client address, work in flight, and the client address itself.
// All state is bounded and built once; the per-request cost is a Map lookup.
import type * as restify from 'restify';

/** The client's address: the TCP peer, or behind a trusted reverse proxy the address it appended last. */
export function clientAddress(req: restify.Request, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.header('x-forwarded-for');
    const last = forwarded?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
    if (last) return last.replace(/^::ffff:/, '');
  }
  return (req.socket?.remoteAddress ?? '').replace(/^::ffff:/, '');
}

/** Fixed one-minute windows per key. The map holds only the current window's keys and is capped. */
export class RateLimiter {
  private window = 0;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs = 60_000,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when the call is allowed (and counted), else the seconds until the key's window ends. */
  take(key: string): number {
    const t = this.now();
    const w = Math.floor(t / this.windowMs);
    if (w !== this.window) {
      this.window = w;
      this.counts.clear();
    }
    const n = this.counts.get(key) ?? 0;
    // A flood of distinct addresses (spoofed or not) cannot grow the map: past its cap everyone shares one bucket.
    const k = n === 0 && this.counts.size >= this.maxKeys ? '*' : key;
    const used = this.counts.get(k) ?? 0;
    if (used >= this.perWindow) return Math.max(1, Math.ceil(((w + 1) * this.windowMs - t) / 1000));
    this.counts.set(k, used + 1);
    return 0;
  }
}

/**
 * At most `concurrency` jobs at once, `queue` more waiting in order; beyond that a job is refused (undefined) at once
 * rather than piling up. Each job starts on its own event-loop turn, so waiting requests such as /healthz get in
 * between two jobs.
 */
export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly concurrency: number, private readonly queue: number) {}

  get busy(): boolean {
    return this.running >= this.concurrency && this.waiting.length >= this.queue;
  }

  async run<T>(job: () => Promise<T> | T): Promise<{ value: T } | undefined> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) return undefined;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return { value: await job() };
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next job
      else this.running--;
    }
  }
}

/** 429 or 503 with Retry-After (seconds), as every limit answers. */
export function refuse(res: restify.Response, status: 429 | 503, retryAfterSeconds: number, error: string): void {
  res.header('Retry-After', String(Math.max(1, Math.ceil(retryAfterSeconds))));
  res.send(status, { error });
}
