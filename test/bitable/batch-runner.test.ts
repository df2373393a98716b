import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitableBatchError, runBatches } from '../../src/bitable/batch-runner.js';

class DataError extends Error {}
class FatalError extends Error {}

/** A fake all-or-nothing batch API: a call fails if any item in it is bad. */
function fakeApi(bad: ReadonlySet<number>, fatalAtCall?: number) {
  const written: number[] = [];
  const sizes: number[] = [];
  return {
    written,
    sizes,
    send: async (slice: readonly number[]) => {
      sizes.push(slice.length);
      if (fatalAtCall !== undefined && sizes.length === fatalAtCall) throw new FatalError('no permission');
      const hit = slice.find((i) => bad.has(i));
      if (hit !== undefined) throw new DataError(`item ${hit} cannot be converted`);
      written.push(...slice);
      return slice.map((i) => `rec${i}`);
    },
    classify: (e: unknown) => (e instanceof DataError ? ('isolate' as const) : ('stop' as const)),
  };
}

describe('runBatches', () => {
  it('splits 2,500 items into calls of 1,000, 1,000 and 500, results in input order', async () => {
    const items = Array.from({ length: 2500 }, (_, i) => i);
    const api = fakeApi(new Set());
    const outcome = await runBatches(items, { size: 1000, send: api.send, classify: api.classify });
    expect(api.sizes).toEqual([1000, 1000, 500]);
    expect(outcome.results).toEqual(items.map((i) => `rec${i}`));
    expect(outcome).toMatchObject({ failures: [], skipped: [], calls: 3 });
  });

  it('writes every good item and names exactly the bad ones', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 300 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.uniqueArray(fc.nat(n - 1), { maxLength: 6 }), fc.integer({ min: 1, max: 120 })),
          ),
        async ([n, badList, size]) => {
          const items = Array.from({ length: n }, (_, i) => i);
          const bad = new Set(badList);
          const api = fakeApi(bad);
          const outcome = await runBatches(items, {
            size,
            send: api.send,
            classify: api.classify,
            isolationBudget: Infinity,
          });
          expect(outcome.failures.map((f) => f.index)).toEqual([...bad].sort((a, b) => a - b));
          expect(outcome.failures.every((f) => f.error instanceof DataError)).toBe(true);
          expect(api.written.sort((a, b) => a - b)).toEqual(items.filter((i) => !bad.has(i)));
          expect(outcome.results.filter((r) => r !== undefined)).toHaveLength(n - bad.size);
          expect(Math.max(...api.sizes)).toBeLessThanOrEqual(size);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stops at an error that is not about one item and reports the rest as skipped', async () => {
    const items = Array.from({ length: 2500 }, (_, i) => i);
    const api = fakeApi(new Set(), 2);
    const outcome = await runBatches(items, { size: 1000, send: api.send, classify: api.classify });
    expect(outcome.results.filter((r) => r !== undefined)).toHaveLength(1000);
    expect(outcome.failures.map((f) => f.index)).toEqual(items.slice(1000, 2000));
    expect(outcome.skipped).toEqual(items.slice(2000));
    const error = new BitableBatchError('bitable.records.batch_create', outcome);
    expect(error.message).toMatch(/1000 written, 1000 failed, 500 skipped — #1000: no permission/);
  });

  it('spends at most its isolation budget when every item is bad', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const api = fakeApi(new Set(items));
    const outcome = await runBatches(items, {
      size: 1000,
      send: api.send,
      classify: api.classify,
      isolationBudget: 10,
    });
    expect(outcome.calls).toBeLessThanOrEqual(11);
    expect(outcome.failures).toHaveLength(1000);
  });
});
