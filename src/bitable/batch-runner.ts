/**
 * Chunked batch writes that say exactly which items failed. Bitable batch calls are all-or-nothing
 * per call, so when a call fails on the data (a value Feishu cannot convert) the chunk is split in
 * halves until the bad items stand alone; the good ones are written. Errors that are not about one
 * item (permissions, a missing table, retries exhausted) stop the run: the rest is reported as skipped.
 */

/** What to do with a failed call: split it to find the bad items, or stop the whole run. */
export type FailureAction = 'isolate' | 'stop';

export interface BatchFailure<I> {
  /** Index in the caller's input. */
  index: number;
  item: I;
  error: unknown;
}

export interface BatchOutcome<I, R> {
  /** One entry per input item: the result, or undefined when it failed or was skipped. */
  results: (R | undefined)[];
  failures: BatchFailure<I>[];
  /** Indexes never attempted because the run stopped. */
  skipped: number[];
  /** Calls made, splits included. */
  calls: number;
}

export interface BatchRunOptions<I, R> {
  /** Items per call (Bitable: 1,000 for create/update, 500 for delete — FEISHU.md §e). */
  size: number;
  /** Sends one call for `slice` (starting at input index `offset`); returns one result per item, in order. */
  send: (slice: readonly I[], offset: number) => Promise<R[]>;
  classify: (error: unknown) => FailureAction;
  /** Extra calls allowed for splitting, so a run where every item is bad stays cheap. Default 64. */
  isolationBudget?: number;
}

export async function runBatches<I, R>(
  items: readonly I[],
  options: BatchRunOptions<I, R>,
): Promise<BatchOutcome<I, R>> {
  if (!Number.isInteger(options.size) || options.size < 1)
    throw new RangeError('batch size must be a positive integer');
  const outcome: BatchOutcome<I, R> = {
    results: new Array<R | undefined>(items.length).fill(undefined),
    failures: [],
    skipped: [],
    calls: 0,
  };
  let budget = options.isolationBudget ?? 64;
  let stopped = false;

  const fail = (offset: number, count: number, error: unknown) => {
    for (let i = offset; i < offset + count; i++) outcome.failures.push({ index: i, item: items[i] as I, error });
  };

  const attempt = async (offset: number, count: number): Promise<void> => {
    if (stopped) {
      for (let i = offset; i < offset + count; i++) outcome.skipped.push(i);
      return;
    }
    const slice = items.slice(offset, offset + count);
    outcome.calls++;
    try {
      const results = await options.send(slice, offset);
      if (results.length !== count) throw new RangeError(`expected ${count} results, got ${results.length}`);
      results.forEach((r, i) => (outcome.results[offset + i] = r));
    } catch (error) {
      const action = options.classify(error);
      if (action === 'stop') {
        fail(offset, count, error);
        stopped = true;
      } else if (count === 1 || budget < 2) {
        fail(offset, count, error);
      } else {
        budget -= 2;
        const half = Math.ceil(count / 2);
        await attempt(offset, half);
        await attempt(offset + half, count - half);
      }
    }
  };

  for (let offset = 0; offset < items.length; offset += options.size) {
    await attempt(offset, Math.min(options.size, items.length - offset));
  }
  outcome.failures.sort((a, b) => a.index - b.index);
  return outcome;
}

/** A batch write that did not fully succeed: what was written, what failed and why, what was skipped. */
export class BitableBatchError<I = unknown, R = unknown> extends Error {
  override name = 'BitableBatchError';
  constructor(
    readonly op: string,
    readonly outcome: BatchOutcome<I, R>,
  ) {
    const written = outcome.results.filter((r) => r !== undefined).length;
    const sample = outcome.failures
      .slice(0, 5)
      .map((f) => `#${f.index}: ${f.error instanceof Error ? f.error.message : String(f.error)}`)
      .join('; ');
    super(
      `多维表格批量写入部分失败 ${op} partly failed: ${written} written, ${outcome.failures.length} failed, ` +
        `${outcome.skipped.length}` +
        ` skipped` +
        (sample ? ` — ${sample}${outcome.failures.length > 5 ? '; …' : ''}` : ''),
    );
  }

  get failures(): BatchFailure<I>[] {
    return this.outcome.failures;
  }

  get skipped(): number[] {
    return this.outcome.skipped;
  }
}
