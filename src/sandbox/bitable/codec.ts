import { bitableError } from '../api/errors.js';
import type { BitableField, BitableRecord, SandboxState, SandboxUser } from '../state/types.js';

/** Field type numbers (FEISHU.md §e). */
export const FieldType = {
  text: 1,
  number: 2,
  singleSelect: 3,
  multiSelect: 4,
  date: 5,
  checkbox: 7,
  user: 11,
  phone: 13,
  url: 15,
  attachment: 17,
  singleLink: 18,
  formula: 20,
  duplexLink: 21,
  location: 22,
  group: 23,
  createdTime: 1001,
  modifiedTime: 1002,
  createdBy: 1003,
  modifiedBy: 1004,
  autoNumber: 1005,
} as const;

const READ_ONLY: number[] = [
  FieldType.formula,
  FieldType.createdTime,
  FieldType.modifiedTime,
  FieldType.createdBy,
  FieldType.modifiedBy,
  FieldType.autoNumber,
];

const isStr = (v: unknown): v is string => typeof v === 'string';
const isIdList = (v: unknown): v is Array<{ id: string }> =>
  Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && isStr((x as { id?: unknown }).id));

function conv(code: number, name: string, field: BitableField): never {
  throw bitableError(code, `${name}: field "${field.field_name}" got a value of the wrong shape`);
}

function addOption(field: BitableField, name: string): void {
  const property = field.property ?? {};
  const options = (property.options as Array<{ name: string; id: string; color: number }> | undefined) ?? [];
  if (!options.some((o) => o.name === name))
    options.push({ name, id: `opt${options.length + 1}${name.length}`, color: options.length % 10 });
  field.property = { ...property, options };
}

/**
 * Validates one value in Feishu's write format and returns what is stored (the write format itself);
 * null clears the cell. Error codes are the 125406x "conversion failed" family.
 */
export function toStored(field: BitableField, value: unknown, state: SandboxState): unknown {
  if (value === null) return null;
  if (READ_ONLY.includes(field.type))
    throw bitableError(1254001, `WrongRequestBody: field "${field.field_name}" is read-only`);
  switch (field.type) {
    case FieldType.text:
      if (isStr(value)) return value;
      if (Array.isArray(value))
        return value
          .map((s) => (s as { text?: unknown }).text)
          .filter(isStr)
          .join('');
      return conv(1254060, 'TextFieldConvFail', field);
    case FieldType.number:
      return typeof value === 'number' && Number.isFinite(value) ? value : conv(1254061, 'NumberFieldConvFail', field);
    case FieldType.singleSelect:
      if (!isStr(value)) return conv(1254062, 'SingleSelectFieldConvFail', field);
      addOption(field, value);
      return value;
    case FieldType.multiSelect:
      if (!Array.isArray(value) || !value.every(isStr)) return conv(1254063, 'MultiSelectFieldConvFail', field);
      value.forEach((v) => addOption(field, v));
      return value;
    case FieldType.date:
      return typeof value === 'number' ? value : conv(1254064, 'DatetimeFieldConvFail', field);
    case FieldType.checkbox:
      return typeof value === 'boolean' ? value : conv(1254065, 'CheckboxFieldConvFail', field);
    case FieldType.user:
      if (!isIdList(value) || !value.every((u) => state.users.some((x) => x.open_id === u.id)))
        return conv(1254066, 'UserFieldConvFail', field);
      return value.map((u) => ({ id: u.id }));
    case FieldType.phone:
      return isStr(value) ? value : conv(1254072, 'PhoneFieldConvFail', field);
    case FieldType.url: {
      const url = value as { link?: unknown; text?: unknown };
      return typeof value === 'object' && isStr(url.link)
        ? { text: isStr(url.text) ? url.text : url.link, link: url.link }
        : conv(1254068, 'URLFieldConvFail', field);
    }
    case FieldType.attachment:
      return Array.isArray(value) && value.every((a) => isStr((a as { file_token?: unknown }).file_token))
        ? value
        : conv(1254069, 'AttachFieldConvFail', field);
    case FieldType.singleLink:
    case FieldType.duplexLink:
      return Array.isArray(value) && value.every(isStr) ? value : conv(1254067, 'LinkFieldConvFail', field);
    case FieldType.location:
      return isStr(value) ? value : conv(1254001, 'WrongRequestBody', field);
    case FieldType.group:
      return isIdList(value) ? value.map((g) => ({ id: g.id })) : conv(1254001, 'WrongRequestBody', field);
    default:
      return value;
  }
}

function readUser(u: SandboxUser | undefined, id: string): Record<string, string> {
  return {
    id,
    name: u?.name ?? '',
    en_name: u?.en_name ?? '',
    email: u?.email ?? '',
    avatar_url: `https://sandbox.invalid/avatar/${id}`,
  };
}

const emptyValue = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** The read format of search/get (records.search.response.json): text → segments, users → full objects, … */
export function toRead(field: BitableField, record: BitableRecord, state: SandboxState): unknown {
  const users = (ids: Array<{ id: string }>) =>
    ids.map((x) =>
      readUser(
        state.users.find((u) => u.open_id === x.id),
        x.id,
      ),
    );
  switch (field.type) {
    case FieldType.createdTime:
      return record.created_time;
    case FieldType.modifiedTime:
      return record.last_modified_time;
    case FieldType.createdBy:
      return users([{ id: record.created_by }]);
    case FieldType.modifiedBy:
      return users([{ id: record.last_modified_by }]);
    case FieldType.autoNumber:
      return String(record.auto_number);
    case FieldType.formula:
      return undefined;
  }
  const value = record.fields[field.field_id];
  if (emptyValue(value)) return undefined;
  switch (field.type) {
    case FieldType.text:
      return [{ type: 'text', text: value }];
    case FieldType.user:
      return users(value as Array<{ id: string }>);
    case FieldType.singleLink:
    case FieldType.duplexLink:
      return { link_record_ids: value };
    case FieldType.location:
      return { location: value, name: '', address: '', full_address: '', pname: '', cityname: '', adname: '' };
    case FieldType.group:
      return (value as Array<{ id: string }>).map((g) => ({
        id: g.id,
        name: state.chats.find((c) => c.chat_id === g.id)?.name ?? '',
        avatar_url: '',
      }));
    case FieldType.attachment:
      return (value as Array<{ file_token: string }>).map((a) => ({
        file_token: a.file_token,
        name: a.file_token,
        size: 0,
        type: 'application/octet-stream',
        url: '',
        tmp_url: '',
      }));
    default:
      return value;
  }
}

/** All non-empty cells of a record in read format, keyed by field name. */
export function readFields(
  fields: BitableField[],
  record: BitableRecord,
  state: SandboxState,
  only?: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (only && !only.includes(f.field_name)) continue;
    const v = toRead(f, record, state);
    if (v !== undefined) out[f.field_name] = v;
  }
  return out;
}

/** A plain value for filters and sorting: strings, numbers, booleans or string lists. */
export function plainValue(
  field: BitableField,
  record: BitableRecord,
): string | number | boolean | string[] | undefined {
  switch (field.type) {
    case FieldType.createdTime:
      return record.created_time;
    case FieldType.modifiedTime:
      return record.last_modified_time;
    case FieldType.createdBy:
      return [record.created_by];
    case FieldType.modifiedBy:
      return [record.last_modified_by];
    case FieldType.autoNumber:
      return record.auto_number;
  }
  const value = record.fields[field.field_id];
  if (emptyValue(value)) return undefined;
  if (Array.isArray(value))
    return value.map((v) =>
      isStr(v) ? v : String((v as { id?: string }).id ?? (v as { file_token?: string }).file_token ?? ''),
    );
  if (typeof value === 'object') return String((value as { link?: string }).link ?? JSON.stringify(value));
  return value as string | number | boolean;
}
