import { describe, expect, it } from 'vitest';
import { createGate } from '../../src/db/gate.js';

describe('createGate', () => {
  it('lets `limit` callers in at once, the rest in arrival order, and a failure frees its place', async () => {
    const gate = createGate(2);
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    const releases: Array<() => void> = [];
    const calls = [0, 1, 2, 3, 4].map((i) =>
      gate(async () => {
        inside++;
        most = Math.max(most, inside);
        order.push(i);
        await new Promise<void>((resolve) => releases.push(resolve));
        inside--;
        if (i === 1) throw new Error('boom');
        return i;
      }),
    );
    // Release whoever is inside until all five have run.
    await expect.poll(() => releases.length).toBe(2);
    for (let released = 0; released < 5; released++) {
      await expect.poll(() => releases.length).toBeGreaterThan(released);
      releases[released]!();
    }
    const results = await Promise.allSettled(calls);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });
});
