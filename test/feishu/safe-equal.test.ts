import * as crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';

// Watch what reaches the constant-time compare; everything else is the real node:crypto.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof crypto>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

// test/setup.ts already loaded crypto.js with the real node:crypto: load it afresh.
vi.resetModules();
const { safeEqual } = await import('../../src/feishu/crypto.js');
const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);

describe('safeEqual', () => {
  it('is string equality', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        (a, b) => {
          expect(safeEqual(a, b)).toBe(a === b);
          expect(safeEqual(a, a)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    expect(safeEqual('token', 'token\u0000')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });

  it('compares fixed-length digests, so a wrong length takes the same path as a wrong byte', () => {
    for (const [a, b] of [
      ['expected-token', 'x'],
      ['expected-token', 'expected-token-but-longer'],
      ['expected-token', 'expected-tokem'],
    ]) {
      timingSafeEqual.mockClear();
      expect(safeEqual(a!, b!)).toBe(false);
      expect(timingSafeEqual).toHaveBeenCalledTimes(1);
      const [left, right] = timingSafeEqual.mock.calls[0]! as [Buffer, Buffer];
      expect([left.length, right.length]).toEqual([32, 32]);
    }
  });
});
