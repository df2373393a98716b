import type { DecodedRecord } from '../bitable/codec.js';
import type { FieldValue } from '../bitable/codec-values.js';
import { kindOf, type FieldKind } from '../bitable/field-kinds.js';
import type { TableTemplate, TemplateField } from '../bitable/template-schema.js';

/**
 * How each field kind is kept in Postgres: scalars in typed columns (text, numeric, timestamptz,
 * boolean, text[]) so reports can filter and sum them; structured values (people, links with
 * names, attachments, locations, formulas) as jsonb in the decoded shape the codec gives.
 */
const SQL_TYPES: Record<FieldKind, string> = {
  text: 'text',
  barcode: 'text',
  email: 'text',
  phone: 'text',
  single_select: 'text',
  auto_number: 'text',
  number: 'double precision',
  progress: 'double precision',
  rating: 'double precision',
  // Money: exact decimal, never a float sum.
  currency: 'numeric',
  date: 'timestamp with time zone',
  created_time: 'timestamp with time zone',
  modified_time: 'timestamp with time zone',
  checkbox: 'boolean',
  multi_select: 'text[]',
  link: 'text[]',
  duplex_link: 'text[]',
  user: 'jsonb',
  group_chat: 'jsonb',
  url: 'jsonb',
  attachment: 'jsonb',
  location: 'jsonb',
  formula: 'jsonb',
  lookup: 'jsonb',
  created_by: 'jsonb',
  modified_by: 'jsonb',
};

/** Kinds Feishu computes: a difference in them alone is refreshed quietly, never audited. */
const DERIVED: ReadonlySet<FieldKind> = new Set([
  'formula',
  'lookup',
  'created_time',
  'modified_time',
  'created_by',
  'modified_by',
  'auto_number',
]);

export function sqlType(field: TemplateField): string {
  return SQL_TYPES[kindOf(field)];
}

export function isDerived(field: TemplateField): boolean {
  return DERIVED.has(kindOf(field));
}

/** A value as JSON for jsonb_to_recordset (dates as ISO text, everything else as is). */
export function toJsonCell(value: FieldValue | null | undefined): unknown {
  if (value === undefined || value === null) return null;
  return value instanceof Date ? value.toISOString() : value;
}

/** A column as the driver returns it → the decoded value (numeric arrives as text). */
export function fromDb(field: TemplateField, raw: unknown): FieldValue | null {
  const kind = kindOf(field);
  if (raw === null || raw === undefined) return kind === 'checkbox' ? false : LIST_KINDS.has(kind) ? [] : null;
  switch (SQL_TYPES[kind]) {
    case 'numeric':
    case 'double precision':
      return Number(raw);
    case 'timestamp with time zone':
      return raw instanceof Date ? raw : new Date(String(raw));
    case 'jsonb':
      return (typeof raw === 'string' ? JSON.parse(raw) : raw) as FieldValue;
    default:
      return raw as FieldValue;
  }
}

const LIST_KINDS: ReadonlySet<FieldKind> = new Set([
  'multi_select',
  'user',
  'group_chat',
  'attachment',
  'link',
  'duplex_link',
  'lookup',
]);

/** The empty value of a field, as decodeField gives it for an empty cell. */
export function emptyValue(field: TemplateField): FieldValue | null {
  return fromDb(field, null);
}

/**
 * What counts as "the same value" when comparing Bitable with the mirror: people, chats and
 * files by id (names and temporary download URLs change without anyone editing), dates by
 * instant, numbers by value.
 */
export function comparable(field: TemplateField, value: FieldValue | null | undefined): string {
  if (value === undefined || value === null) return JSON.stringify(emptyValue(field));
  const kind = kindOf(field);
  const ids = (list: unknown) =>
    Array.isArray(list)
      ? list.map((v) => (v as { id?: string; file_token?: string }).id ?? (v as { file_token?: string }).file_token)
      : list;
  switch (kind) {
    case 'user':
    case 'group_chat':
    case 'attachment':
      return JSON.stringify(ids(value));
    case 'created_by':
    case 'modified_by':
      return JSON.stringify((value as { id: string }).id);
    case 'location': {
      const { lng, lat } = value as { lng: number; lat: number };
      return JSON.stringify([lng, lat]);
    }
    default:
      return JSON.stringify(value instanceof Date ? value.getTime() : value);
  }
}

/** The keys whose values differ between two records, split into edited and derived fields. */
export function diffRecords(
  template: TableTemplate,
  a: DecodedRecord,
  b: DecodedRecord,
  keys?: readonly string[],
): { edited: string[]; derived: string[] } {
  const out = { edited: [] as string[], derived: [] as string[] };
  for (const field of template.fields) {
    if (keys && !keys.includes(field.key)) continue;
    if (comparable(field, a[field.key]) === comparable(field, b[field.key])) continue;
    (isDerived(field) ? out.derived : out.edited).push(field.key);
  }
  return out;
}

export function pick(record: DecodedRecord, keys: readonly string[]): DecodedRecord {
  const out: DecodedRecord = {};
  for (const key of keys) out[key] = record[key] ?? null;
  return out;
}
