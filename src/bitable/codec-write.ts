import { fail } from './codec-errors.js';
import type { FeishuWriteValue } from './codec-values.js';
import { parseLngLat } from './codec-read.js';
import type { WritableKind } from './field-kinds.js';
import { isRecord } from './rich-text.js';
import type { TemplateField } from './template-schema.js';

export interface EncodeOptions {
  /** Allow select values that are not options in the template (Feishu then adds the option). Default false. */
  allowUnknownOptions?: boolean;
}

type Writer = (value: unknown, field: TemplateField, options: EncodeOptions) => FeishuWriteValue;

/** How each writable kind becomes the cell value batch_create / batch_update take (FEISHU.md §e). */
export const writers: { [K in WritableKind]: Writer } = {
  text: writeString,
  barcode: writeString,
  email: (v) => matching(writeString(v), EMAIL, 'expected an email address'),
  phone: (v) => matching(writeString(v), PHONE, 'expected a phone number (digits, optional +, spaces, dashes)'),
  number: writeNumber,
  currency: writeNumber,
  progress: (v, field) => inRange(writeNumber(v), field, -Infinity, Infinity),
  rating: (v, field) => {
    const n = inRange(writeNumber(v), field, 0, 5);
    return Number.isInteger(n) ? n : fail('a rating is a whole number');
  },
  single_select: (v, field, options) => writeOption(v, field, options),
  multi_select: (v, field, options) => {
    const names = listOf(v, (item) => writeOption(item, field, options));
    return new Set(names).size === names.length ? names : fail('an option is repeated');
  },
  date: writeDate,
  checkbox: (v) => (typeof v === 'boolean' ? v : fail('expected true or false')),
  user: (v, field) =>
    single(
      field,
      listOf(v, (item) => ({ id: idOf(item, 'id') })),
    ),
  group_chat: (v, field) =>
    single(
      field,
      listOf(v, (item) => ({ id: idOf(item, 'id') })),
    ),
  url: writeUrl,
  attachment: (v) => listOf(v, (item) => ({ file_token: idOf(item, 'file_token') })),
  link: (v, field) => single(field, listOf(v, writeRecordId)),
  duplex_link: (v, field) => single(field, listOf(v, writeRecordId)),
  location: (v) => {
    const point =
      typeof v === 'string'
        ? parseLngLat(v)
        : isRecord(v)
          ? parseLngLat(`${String(v.lng)},${String(v.lat)}`)
          : fail('expected "lng,lat" or {lng, lat}');
    // `+ 0` turns -0 into 0 so "-0" is never sent.
    return `${point.lng + 0},${point.lat + 0}`;
  },
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 ()-]{2,39}$/;
const RECORD_ID = /^rec[0-9A-Za-z]+$/;

function writeString(value: unknown): string {
  return typeof value === 'string' ? value : fail('expected a string');
}

function matching(text: string, pattern: RegExp, reason: string): string {
  return pattern.test(text) ? text : fail(reason);
}

function writeNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value + 0 : fail('expected a finite number');
}

function inRange(n: number, field: TemplateField, defaultMin: number, defaultMax: number): number {
  const property = field.type === 2 ? field.property : undefined;
  const min = property?.min ?? defaultMin;
  const max = property?.max ?? defaultMax;
  return n >= min && n <= max ? n : fail(`expected a value between ${min} and ${max}`);
}

function writeDate(value: unknown): number {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? fail('invalid Date') : value.getTime();
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : fail('expected a Date or a ms epoch');
}

function writeOption(value: unknown, field: TemplateField, options: EncodeOptions): string {
  if (typeof value !== 'string' || value === '') return fail('expected an option name');
  const known = field.type === 3 || field.type === 4 ? field.property.options.map((o) => o.name) : [];
  if (!options.allowUnknownOptions && !known.includes(value))
    return fail(`not an option; options are ${known.join(', ')}`);
  return value;
}

function writeUrl(value: unknown): { text: string; link: string } {
  const link =
    typeof value === 'string'
      ? value
      : isRecord(value) && typeof value.link === 'string'
        ? value.link
        : fail('expected a link or {text, link}');
  if (!URL.canParse(link)) return fail('the link is not a URL');
  const text = isRecord(value) && typeof value.text === 'string' && value.text !== '' ? value.text : link;
  return { text, link };
}

function writeRecordId(value: unknown): string {
  return typeof value === 'string' && RECORD_ID.test(value) ? value : fail('expected a record_id such as recXXXXXX');
}

function idOf(item: unknown, prop: 'id' | 'file_token'): string {
  const id = typeof item === 'string' ? item : isRecord(item) ? item[prop] : undefined;
  return typeof id === 'string' && id.trim() !== '' && !/\s/.test(id)
    ? id
    : fail(`expected ${prop} strings or {${prop}} objects`);
}

function listOf<T>(value: unknown, write: (item: unknown) => T): T[] {
  return Array.isArray(value) ? value.map(write) : fail('expected a list');
}

/** Person, group and link fields created with `multiple: false` take at most one value. */
function single<T>(field: TemplateField, values: T[]): T[] {
  const property: unknown = 'property' in field ? field.property : undefined;
  const multiple = !(isRecord(property) && property.multiple === false);
  return multiple || values.length <= 1 ? values : fail('this field takes at most one value');
}
