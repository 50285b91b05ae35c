// Turns of one conversation run one after another. BotState.saveChanges writes with eTag '*', so two overlapping
// turns would each load the same state and the later save would silently drop the earlier answer.
export class TurnQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // Forget idle conversations so the map does not grow with every conversation ever seen.
    void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key); });
    return result;
  }

  get size(): number {
    return this.tails.size;
  }
}
