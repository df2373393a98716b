/** Sliding one-second windows per key, on the sandbox clock. */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly now: () => Date) {}

  /** Records a hit; returns how long to wait (seconds) when the key is over its limit, else undefined. */
  hit(key: string, limitPerSecond: number): number | undefined {
    const t = this.now().getTime();
    const recent = (this.hits.get(key) ?? []).filter((at) => t - at < 1000);
    if (recent.length >= limitPerSecond) {
      this.hits.set(key, recent);
      return (1000 - (t - recent[0]!)) / 1000;
    }
    recent.push(t);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) this.prune(t);
    return undefined;
  }

  private prune(t: number): void {
    for (const [key, list] of this.hits) if (list.every((at) => t - at >= 1000)) this.hits.delete(key);
  }
}
