/**
 * Client-side budgets so we stay inside Feishu's documented limits instead of learning them
 * from 429s: a sliding one-second window per key (5 QPS per chat and per user for messages,
 * FEISHU.md §c) and one writer at a time per key (Bitable rejects concurrent writes to a table
 * with 1254291, §e). The rate may be a function read at every acquire: several instances pass
 * their share of a per-app budget (InstanceRegistry.share), so together they stay inside it. The
 * writer lock here is per process; on PostgreSQL the Bitable client also takes a lock shared by
 * every instance inside it (crossInstanceLock in core/instances.ts).
 */
export class KeyedRateLimiter {
  private readonly windows = new Map<string, number[]>();
  private acquired = 0;
  constructor(
    private readonly perSecond: number | (() => number),
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Keys seen in the last second (idle ones are dropped, so per-message keys do not pile up). */
  get size(): number {
    return this.windows.size;
  }

  async acquire(key: string): Promise<void> {
    if (++this.acquired % 256 === 0) this.prune();
    for (;;) {
      const t = this.now();
      const recent = (this.windows.get(key) ?? []).filter((s) => t - s < 1000);
      const limit = typeof this.perSecond === 'number' ? this.perSecond : Math.max(1, Math.floor(this.perSecond()));
      if (recent.length < limit) {
        recent.push(t);
        this.windows.set(key, recent);
        return;
      }
      this.windows.set(key, recent);
      await this.sleep(1000 - (t - recent[0]!) + 1);
    }
  }

  private prune(): void {
    const t = this.now();
    for (const [key, stamps] of this.windows) if (t - (stamps.at(-1) ?? 0) >= 1000) this.windows.delete(key);
  }
}

export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
