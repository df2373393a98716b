import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeField, encodeField } from '../../src/bitable/codec.js';
import { FieldDecodeError, ReadOnlyFieldError, type FieldCodecError } from '../../src/bitable/codec-errors.js';
import { isReadOnlyKind, kindOf, type FieldKind, type WritableKind } from '../../src/bitable/field-kinds.js';
import { parseFieldValue } from '../../src/bitable/record-changed.js';
import type { TemplateField } from '../../src/bitable/template-schema.js';
import { sampleTable } from './sample-templates.js';

const fieldOf = (kind: FieldKind): TemplateField => {
  const found = sampleTable.fields.find((f) => kindOf(f) === kind);
  if (!found) throw new Error(`sample table has no ${kind} field`);
  return found;
};

const recordId = fc.stringMatching(/^rec[0-9A-Za-z]{6,12}$/);
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const options = ['选项1', '选项2', '选项3'];

/** For each writable kind: values the bot may write, and the value it then expects to read. */
const cases: { [K in WritableKind]: { arb: fc.Arbitrary<unknown>; expected: (input: never) => unknown } } = {
  text: { arb: fc.string({ unit: 'grapheme', minLength: 1 }), expected: (s: string) => s },
  barcode: { arb: fc.stringMatching(/^[0-9A-Z-]{1,20}$/), expected: (s: string) => s },
  email: { arb: fc.emailAddress(), expected: (s: string) => s },
  phone: { arb: fc.stringMatching(/^\+?[0-9][0-9 -]{5,15}$/), expected: (s: string) => s },
  number: { arb: finite, expected: (n: number) => n + 0 },
  currency: { arb: finite, expected: (n: number) => n + 0 },
  progress: { arb: fc.double({ min: 0, max: 1, noNaN: true }), expected: (n: number) => n + 0 },
  rating: { arb: fc.integer({ min: 0, max: 5 }), expected: (n: number) => n },
  single_select: { arb: fc.constantFrom(...options), expected: (s: string) => s },
  multi_select: { arb: fc.uniqueArray(fc.constantFrom(...options), { minLength: 1 }), expected: (a: string[]) => a },
  date: { arb: fc.date({ noInvalidDate: true }), expected: (d: Date) => d },
  checkbox: { arb: fc.boolean(), expected: (b: boolean) => b },
  user: {
    arb: fc.uniqueArray(fc.stringMatching(/^ou_[0-9a-f]{32}$/), { minLength: 1, maxLength: 5 }),
    expected: (ids: string[]) => ids.map((id) => expect.objectContaining({ id })),
  },
  group_chat: {
    arb: fc
      .uniqueArray(fc.stringMatching(/^oc_[0-9a-f]{32}$/), { minLength: 1, maxLength: 3 })
      .map((ids) => ids.map((id) => ({ id }))),
    expected: (chats: { id: string }[]) => chats.map((c) => expect.objectContaining(c)),
  },
  url: {
    arb: fc.record({ text: fc.string({ minLength: 1 }), link: fc.webUrl() }),
    expected: (u: { text: string; link: string }) => u,
  },
  attachment: {
    arb: fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9]{27}$/), { minLength: 1, maxLength: 4 }),
    expected: (tokens: string[]) => tokens.map((file_token) => expect.objectContaining({ file_token })),
  },
  link: { arb: fc.uniqueArray(recordId, { minLength: 1, maxLength: 5 }), expected: (ids: string[]) => ids },
  duplex_link: { arb: fc.uniqueArray(recordId, { minLength: 1, maxLength: 5 }), expected: (ids: string[]) => ids },
  location: {
    arb: fc.record({
      lng: fc.double({ min: -180, max: 180, noNaN: true }),
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
    }),
    expected: (p: { lng: number; lat: number }) => expect.objectContaining({ lng: p.lng + 0, lat: p.lat + 0 }),
  },
};

/**
 * How Feishu hands a written cell back: record search (segments, `{link_record_ids}`, enriched
 * people), the deprecated list API (plain strings, numbers as strings, `[{record_ids,…}]`), and the
 * JSON string of a record-changed event — per FEISHU.md §e and the samples.
 */
function echo(kind: WritableKind, written: unknown, api: 'search' | 'list' | 'event'): unknown {
  if (api === 'event') return parseFieldValue(JSON.stringify(written));
  switch (kind) {
    case 'text':
    case 'barcode':
    case 'email':
      return api === 'search' ? [{ type: 'text', text: written }] : written;
    case 'number':
    case 'currency':
    case 'progress':
      return api === 'list' ? String(written) : written;
    case 'user':
      return (written as { id: string }[]).map(({ id }) => ({
        id,
        name: '张三',
        en_name: 'San',
        email: '',
        avatar_url: 'https://a/b.png',
      }));
    case 'group_chat':
      return (written as { id: string }[]).map(({ id }) => ({ id, name: '群', avatar_url: 'https://a/c.png' }));
    case 'attachment':
      return (written as { file_token: string }[]).map(({ file_token }) => ({
        file_token,
        name: 'a.jpg',
        size: 1,
        type: 'image/jpeg',
        url: 'u',
        tmp_url: 't',
      }));
    case 'link':
    case 'duplex_link':
      return api === 'search'
        ? { link_record_ids: written }
        : [{ record_ids: written, table_id: 'tblX', text: 'x', text_arr: ['x'], type: 'text' }];
    case 'location':
      return {
        location: written,
        name: '某地',
        address: '某路',
        full_address: '某省某市某路',
        adname: '区',
        cityname: '市',
        pname: '省',
      };
    default:
      return written;
  }
}

const writableKinds = Object.keys(cases) as WritableKind[];

describe('codec round trips (fast-check)', () => {
  for (const kind of writableKinds) {
    it(`${kind}: what the bot writes reads back the same from search, list and events`, () => {
      const field = fieldOf(kind);
      const { arb, expected } = cases[kind];
      fc.assert(
        fc.property(arb, (input) => {
          const written = encodeField(field, input);
          const want = expected(input as never);
          for (const api of ['search', 'list', 'event'] as const)
            expect(decodeField(field, echo(kind, written, api))).toEqual(want);
          // The write shape itself reads back too, so decode ∘ encode is the identity on it.
          expect(decodeField(field, written)).toEqual(want);
          // And what was read can be written again unchanged.
          expect(encodeField(field, decodeField(field, echo(kind, written, 'search')))).toEqual(written);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('every kind the sample table has is covered', () => {
    const kinds = new Set(sampleTable.fields.map(kindOf));
    for (const kind of kinds) if (!isReadOnlyKind(kind)) expect(writableKinds).toContain(kind);
  });

  it('read-only kinds refuse every write with a typed error', () => {
    const readOnly = sampleTable.fields.filter((f) => isReadOnlyKind(kindOf(f)));
    expect(readOnly.map(kindOf).sort()).toEqual([
      'auto_number',
      'created_by',
      'created_time',
      'formula',
      'lookup',
      'modified_by',
      'modified_time',
    ]);
    fc.assert(
      fc.property(fc.constantFrom(...readOnly), fc.jsonValue(), (field, value) => {
        expect(() => encodeField(field, value)).toThrow(ReadOnlyFieldError);
      }),
    );
  });

  it('null clears a writable cell, and an empty cell reads as null, [] or false', () => {
    for (const kind of writableKinds) expect(encodeField(fieldOf(kind), null)).toBeNull();
    expect(decodeField(fieldOf('text'), undefined)).toBeNull();
    expect(decodeField(fieldOf('user'), undefined)).toEqual([]);
    expect(decodeField(fieldOf('checkbox'), undefined)).toBe(false);
  });

  it('decoding arbitrary JSON either succeeds or throws a FieldDecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...sampleTable.fields), fc.jsonValue(), (field, raw) => {
        try {
          decodeField(field, raw);
        } catch (error) {
          expect(error).toBeInstanceOf(FieldDecodeError);
          expect((error as FieldCodecError).field.key).toBe(field.key);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
