import { describe, expect, it } from 'vitest';
import { KeyedMutex, KeyedRateLimiter } from '../../src/feishu/rate-limit.js';

describe('client-side budgets', () => {
  it('lets 5 calls per key through a second and holds the 6th until the window moves', async () => {
    let now = 0;
    const waits: number[] = [];
    const limiter = new KeyedRateLimiter(
      5,
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
    );
    for (let i = 0; i < 5; i++) await limiter.acquire('chat:a');
    expect(waits).toEqual([]);
    await limiter.acquire('chat:a');
    expect(waits).toEqual([1001]);
    await limiter.acquire('chat:b'); // another chat has its own budget
    expect(waits).toHaveLength(1);
  });

  it('forgets keys idle for a second, so one key per message never piles up', async () => {
    let now = 0;
    const limiter = new KeyedRateLimiter(
      5,
      () => now,
      async () => undefined,
    );
    for (let i = 0; i < 1000; i++) {
      now += 10;
      await limiter.acquire(`reply:om_${i}`);
    }
    expect(limiter.size).toBeLessThan(400);
  });

  it('runs one writer at a time per key, in order', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const job = (name: string, ms: number) =>
      mutex.run('table-1', async () => {
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`end ${name}`);
      });
    await Promise.all([job('a', 20), job('b', 1), mutex.run('table-2', async () => log.push('other table'))]);
    expect(log.filter((l) => l !== 'other table')).toEqual(['start a', 'end a', 'start b', 'end b']);
  });
});
