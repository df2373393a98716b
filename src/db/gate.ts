/**
 * At most `limit` callers inside at once; the others wait in arrival order. For heavy reads (a year's report):
 * two of them at once take six of the pool's ten connections each and the thread's time, and card callbacks,
 * which Feishu gives 3 s, queue behind them (docs/card-callbacks.md).
 */
export function createGate(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let inside = 0;
  const waiting: Array<() => void> = [];
  return async (fn) => {
    if (inside < limit) inside++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      // The place passes straight to the next in line, so `inside` stays as it is.
      const next = waiting.shift();
      if (next) next();
      else inside--;
    }
  };
}
