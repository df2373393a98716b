import {
  CodecFailure,
  FieldCodecError,
  FieldDecodeError,
  FieldValueError,
  ReadOnlyFieldError,
  RecordCodecError,
  UnknownFieldError,
} from './codec-errors.js';
import { readers } from './codec-read.js';
import type { FeishuWriteValue, FieldValue, Mention } from './codec-values.js';
import { writers, type EncodeOptions } from './codec-write.js';
import { isReadOnlyKind, kindOf, type FieldKind } from './field-kinds.js';
import { readMentions } from './rich-text.js';
import { storableDeep } from '../core/text.js';
import type { TableTemplate, TemplateField } from './template-schema.js';

export type { EncodeOptions } from './codec-write.js';

/** Feishu field names → cell values, as in a record's `fields`. */
export type FeishuFields = Record<string, unknown>;
/** Field keys → decoded values. */
export type DecodedRecord = Record<string, FieldValue | null>;

const EMPTY_AS_LIST: ReadonlySet<FieldKind> = new Set([
  'multi_select',
  'user',
  'group_chat',
  'attachment',
  'link',
  'duplex_link',
  'lookup',
]);

/**
 * Read one cell. Feishu leaves empty cells out of `fields`: an absent or null cell is `[]` for
 * list kinds, `false` for a checkbox and `null` otherwise.
 */
export function decodeField(field: TemplateField, raw: unknown): FieldValue | null {
  const kind = kindOf(field);
  if (raw === undefined || raw === null) return kind === 'checkbox' ? false : EMPTY_AS_LIST.has(kind) ? [] : null;
  try {
    // A cell is people's text: NUL or a lone surrogate in it becomes U+FFFD here, so the mirror,
    // the workflow and its events never meet text PostgreSQL refuses (a failing retry forever).
    return storableDeep(readers[kind](raw));
  } catch (error) {
    if (error instanceof CodecFailure) throw new FieldDecodeError(field, raw, error.message);
    throw error;
  }
}

/** Write one cell; `null` clears it. Throws FieldValueError or ReadOnlyFieldError. */
export function encodeField(field: TemplateField, value: unknown, options: EncodeOptions = {}): FeishuWriteValue {
  const kind = kindOf(field);
  if (isReadOnlyKind(kind)) throw new ReadOnlyFieldError(field, value, kind);
  if (value === null) return null;
  try {
    return writers[kind](value, field, options);
  } catch (error) {
    if (error instanceof CodecFailure) throw new FieldValueError(field, value, error.message);
    throw error;
  }
}

/** A record's `fields` (keyed by display name) → values keyed by field key; unknown columns are ignored. */
export function decodeRecord(template: TableTemplate, rawFields: FeishuFields): DecodedRecord {
  const out: DecodedRecord = {};
  const issues: FieldCodecError[] = [];
  for (const field of template.fields) {
    try {
      out[field.key] = decodeField(field, rawFields[field.name]);
    } catch (error) {
      if (!(error instanceof FieldCodecError)) throw error;
      issues.push(error);
    }
  }
  if (issues.length > 0) throw new RecordCodecError(template.key, 'decode', issues);
  return out;
}

/**
 * Values keyed by field key → `fields` keyed by display name for batch_create / batch_update.
 * `undefined` leaves a field out (updates are incremental); `null` clears it.
 */
export function encodeRecord(
  template: TableTemplate,
  values: Readonly<Record<string, unknown>>,
  options: EncodeOptions = {},
): Record<string, FeishuWriteValue> {
  const byKey = new Map(template.fields.map((f) => [f.key, f]));
  const out: Record<string, FeishuWriteValue> = {};
  const issues: FieldCodecError[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const field = byKey.get(key);
    try {
      if (!field) throw new UnknownFieldError(template.key, key, value);
      out[field.name] = encodeField(field, value, options);
    } catch (error) {
      if (!(error instanceof FieldCodecError)) throw error;
      issues.push(error);
    }
  }
  if (issues.length > 0) throw new RecordCodecError(template.key, 'encode', issues);
  return out;
}

/** The @-mentions in a record's text cells, by field key (only fields that have some). */
export function recordMentions(template: TableTemplate, rawFields: FeishuFields): Record<string, Mention[]> {
  const out: Record<string, Mention[]> = {};
  for (const field of template.fields) {
    if (field.type !== 1) continue;
    const mentions = readMentions(rawFields[field.name]);
    if (mentions.length > 0) out[field.key] = mentions;
  }
  return out;
}

/** Display names in `rawFields` the template does not know (columns staff added in Bitable). */
export function unknownFieldNames(template: TableTemplate, rawFields: FeishuFields): string[] {
  const known = new Set(template.fields.map((f) => f.name));
  return Object.keys(rawFields).filter((name) => !known.has(name));
}
