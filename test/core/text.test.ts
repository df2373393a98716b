import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorText, hasUnstorable, shorten, storableDeep, storableText, unstorablePath } from '../../src/core/text.js';

// Reference: encodeURIComponent throws on exactly the unpaired surrogates; NUL is checked apart.
const wellFormed = (s: string) => {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
};
const storableByReference = (s: string) => !s.includes('\u0000') && wellFormed(s);
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({
    unit: fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'a', '长', '🙂', '\uFFFD'),
    maxLength: 50,
  }),
);

describe('storable text', () => {
  it('finds exactly what the reference finds, and makes it storable without changing clean text', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(hasUnstorable(s)).toBe(!storableByReference(s));
        const clean = storableText(s);
        expect(storableByReference(clean)).toBe(true);
        expect(clean.length).toBe(s.length); // one U+FFFD per bad code unit, pairs kept
        if (storableByReference(s)) expect(clean).toBe(s);
        expect(Buffer.from(clean, 'utf8').toString('utf8')).toBe(clean);
      }),
      { numRuns: 3000 },
    );
  });

  it('cleans every string and key in a JSON value, and names the first bad one', () => {
    const value = { ok: 'x', list: ['y', 'a\u0000b'], ['k\uD800']: 1, when: new Date(0) };
    expect(unstorablePath(value)).toBe('/list/1');
    expect(unstorablePath({ ok: 1, ['k\uD800']: 1 })).toBe('/k\uD800');
    const clean = storableDeep(value);
    expect(clean).toEqual({ ok: 'x', list: ['y', 'a\uFFFDb'], ['k\uFFFD']: 1, when: new Date(0) });
    expect(unstorablePath(clean)).toBeUndefined();
  });

  it('shortens without splitting a surrogate pair, and error text is always storable and bounded', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 1, max: 60 }), (s, max) => {
        const cut = shorten(s, max);
        expect(cut.length).toBeLessThanOrEqual(Math.max(max, 1));
        if (storableByReference(s)) expect(storableByReference(cut)).toBe(true);
        const e = errorText(Object.assign(new Error(s), { params: [s] }), max);
        expect(storableByReference(e)).toBe(true);
        expect(e.length).toBeLessThanOrEqual(max);
      }),
    );
    expect(
      errorText({
        toString: () => {
          throw new Error('no');
        },
      }),
    ).toBe('unprintable error');
  });
});
