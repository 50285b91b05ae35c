// A bounded cache for pure per-text work. A conversation re-reads its earlier answers on every turn, and the safety
// gate, slot filling and the full assessment read the same message, so the same clauses come back again and again.

/** Entries (answers, clauses) remembered per cache: a few MB, far more than the conversations held at once re-read. */
export const DEFAULT_CLAUSE_CACHE = 20_000;

export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  /** The cached value, if any: a look-up on every request's hot path needs no `compute` closure. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  /** The cached value, or `compute()` stored first; the oldest entry goes when the cache is full. A size of 0 caches nothing. */
  get(key: K, compute: () => V): V {
    if (this.max === 0) return compute();
    const hit = this.map.get(key);
    if (hit !== undefined || this.map.has(key)) return hit as V;
    const value = compute();
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as K);
    this.map.set(key, value);
    return value;
  }
}
