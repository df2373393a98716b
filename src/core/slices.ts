import { performance } from 'node:perf_hooks';

/**
 * For a loop over many rows (a sweep reading every open record's clock): gives the event loop a turn at least
 * every `rows` rows and every `ms` milliseconds, whichever comes first, so card callbacks and webhook acks are
 * answered between slices instead of after the loop (issue 16: nothing a report or a sweep does may hold the
 * event loop for more than ~50 ms). Call `await turn()` once per row.
 */
export function slices(o: { rows?: number; ms?: number } = {}): () => Promise<void> {
  const rows = o.rows ?? 50;
  const ms = o.ms ?? 10;
  let n = 0;
  let start = performance.now();
  return async () => {
    n++;
    if (n < rows && performance.now() - start <= ms) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    n = 0;
    start = performance.now();
  };
}

/** `rows` cut into runs of at most `size` (for loading a long id list a part at a time). */
export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
