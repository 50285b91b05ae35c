// Slack retries an event it thinks was not acknowledged (X-Slack-Retry-Num); a handled event id is remembered for an
// hour so the person does not get the same answers twice.
export class SeenEvents {
  private readonly seen = new Map<string, number>();

  constructor(private readonly ttlMs = 60 * 60 * 1000, private readonly max = 10_000, private readonly now = Date.now) {}

  /** True the first time an id is offered (within the TTL); false for a repeat. */
  first(id: string): boolean {
    const t = this.now();
    for (const [k, at] of this.seen) { // oldest first: stop at the first one still fresh
      if (t - at < this.ttlMs && this.seen.size < this.max) break;
      this.seen.delete(k);
    }
    if (this.seen.has(id)) return false;
    this.seen.set(id, t);
    return true;
  }
}
