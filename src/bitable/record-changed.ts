import { z } from 'zod';
import { decodeField } from './codec.js';
import { FieldCodecError, RecordCodecError } from './codec-errors.js';
import type { FieldValue, UserRef } from './codec-values.js';
import { kindOf } from './field-kinds.js';
import type { TemplateField } from './template-schema.js';

/**
 * `drive.file.bitable_record_changed_v1` (FEISHU.md §e): values are keyed by field_id and each
 * `field_value` is a JSON-serialised cell; people's names come separately in field_identity_value.
 * Formula fields never appear.
 */
const UserIds = z.object({
  open_id: z.string().optional(),
  union_id: z.string().optional(),
  user_id: z.string().optional(),
});

export const ChangedFieldValue = z.object({
  field_id: z.string(),
  field_value: z.string().optional(),
  field_identity_value: z
    .object({
      users: z
        .array(
          z.object({
            user_id: UserIds,
            name: z.string().optional(),
            en_name: z.string().optional(),
            avatar_url: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
export type ChangedFieldValue = z.infer<typeof ChangedFieldValue>;

export const RecordChangedEvent = z.object({
  file_type: z.string(),
  file_token: z.string(),
  table_id: z.string(),
  revision: z.number().optional(),
  operator_id: UserIds.optional(),
  action_list: z.array(
    z.object({
      record_id: z.string(),
      action: z.enum(['record_added', 'record_deleted', 'record_edited']),
      before_value: z.array(ChangedFieldValue).optional(),
      after_value: z.array(ChangedFieldValue).optional(),
    }),
  ),
  subscriber_id_list: z.array(UserIds).optional(),
  /** Seconds. */
  update_time: z.number().optional(),
});
export type RecordChangedEvent = z.infer<typeof RecordChangedEvent>;

/** field_id → template field, from the ids stored at provisioning. */
export type FieldsById = ReadonlyMap<string, TemplateField> | Readonly<Record<string, TemplateField>>;

export interface ChangedValues {
  /** Decoded values by field key, only for fields present in the event. */
  values: Record<string, FieldValue | null>;
  /** field_ids not in the map (fields staff added, or formula-free surprises). */
  unknownFieldIds: string[];
  /** Lenient decoding only: values the template cannot read, by field key, as Feishu sent them. */
  unreadable?: Record<string, string>;
}

export interface RecordChange {
  recordId: string;
  action: 'record_added' | 'record_deleted' | 'record_edited';
  before: ChangedValues;
  after: ChangedValues;
}

export function decodeChangedValues(
  fieldsById: FieldsById,
  entries: readonly ChangedFieldValue[],
  table = 'bitable',
  options: DecodeOptions = {},
): ChangedValues {
  const lookup = (id: string) =>
    fieldsById instanceof Map ? fieldsById.get(id) : (fieldsById as Readonly<Record<string, TemplateField>>)[id];
  const out: ChangedValues = { values: {}, unknownFieldIds: [] };
  const issues: FieldCodecError[] = [];
  for (const entry of entries) {
    const field = lookup(entry.field_id);
    if (!field) {
      out.unknownFieldIds.push(entry.field_id);
      continue;
    }
    try {
      out.values[field.key] = withIdentities(field, decodeField(field, parseFieldValue(entry.field_value)), entry);
    } catch (error) {
      if (!(error instanceof FieldCodecError)) throw error;
      if (options.lenient) (out.unreadable ??= {})[field.key] = rawText(entry.field_value);
      else issues.push(error);
    }
  }
  if (issues.length > 0) throw new RecordCodecError(table, 'decode', issues);
  return out;
}

export interface DecodeOptions {
  /** Keep going past a value the template cannot read (listed in `unreadable`) instead of throwing. */
  lenient?: boolean;
}

/** Every action of the event as a typed change with old and new values. */
export function decodeRecordChanges(
  event: RecordChangedEvent,
  fieldsById: FieldsById,
  options: DecodeOptions = {},
): RecordChange[] {
  return event.action_list.map((a) => ({
    recordId: a.record_id,
    action: a.action,
    before: decodeChangedValues(fieldsById, a.before_value ?? [], event.table_id, options),
    after: decodeChangedValues(fieldsById, a.after_value ?? [], event.table_id, options),
  }));
}

/** What a person typed, for telling them: a JSON string's text, anything else as sent (bounded). */
function rawText(fieldValue: string | undefined): string {
  const parsed = parseFieldValue(fieldValue);
  const text = typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/** `field_value` is JSON ("666", "[{…}]"); an empty string or a non-JSON string is taken as is. */
export function parseFieldValue(fieldValue: string | undefined): unknown {
  if (fieldValue === undefined || fieldValue === '') return null;
  try {
    return JSON.parse(fieldValue) as unknown;
  } catch {
    return fieldValue;
  }
}

function withIdentities(field: TemplateField, value: FieldValue | null, entry: ChangedFieldValue): FieldValue | null {
  const kind = kindOf(field);
  const users = entry.field_identity_value?.users ?? [];
  if (users.length === 0 || !(kind === 'user' || kind === 'created_by' || kind === 'modified_by')) return value;
  const named = (ref: UserRef): UserRef => {
    const identity = users.find((u) => u.user_id.open_id === ref.id);
    if (!identity) return ref;
    const out: UserRef = { ...ref };
    if (identity.name !== undefined && out.name === undefined) out.name = identity.name;
    if (identity.en_name !== undefined && out.en_name === undefined) out.en_name = identity.en_name;
    if (identity.avatar_url !== undefined && out.avatar_url === undefined) out.avatar_url = identity.avatar_url;
    return out;
  };
  // Person kinds decode to UserRef[] (user) or UserRef (created_by / modified_by).
  if (Array.isArray(value)) return (value as UserRef[]).map(named);
  return value && typeof value === 'object' && 'id' in value ? named(value as UserRef) : value;
}
