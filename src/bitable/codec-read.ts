import { fail } from './codec-errors.js';
import type { Attachment, ChatRef, GeoLocation, KindValues, Scalar, UrlValue, UserRef } from './codec-values.js';
import type { FieldKind } from './field-kinds.js';
import { isRecord, readText } from './rich-text.js';

/**
 * How each kind reads a non-empty cell. The shapes come from the search, list and batch_create
 * examples (FEISHU.md §e, test/fixtures/feishu-samples) and from the JSON in record-changed events;
 * readers accept all of them, and the write shape too, so a written value reads back as itself.
 */
export const readers: { [K in FieldKind]: (raw: unknown) => KindValues[K] } = {
  text: readText,
  barcode: readText,
  email: readText,
  phone: readText,
  number: readNumber,
  currency: readNumber,
  progress: readNumber,
  rating: readNumber,
  single_select: (raw) => (typeof raw === 'string' ? raw : fail('expected an option name')),
  multi_select: (raw) =>
    typeof raw === 'string' ? [raw] : listOf(raw, (v) => (typeof v === 'string' ? v : fail('expected option names'))),
  date: readDate,
  checkbox: (raw) => (typeof raw === 'boolean' ? raw : fail('expected true or false')),
  user: (raw) => listOf(isRecord(raw) ? [raw] : raw, readUser),
  group_chat: (raw) => listOf(raw, readChat),
  url: readUrl,
  attachment: (raw) => listOf(raw, readAttachment),
  link: readLinks,
  duplex_link: readLinks,
  location: readLocation,
  formula: readFormula,
  lookup: readLookup,
  created_time: readDate,
  modified_time: readDate,
  created_by: (raw) => readUser(Array.isArray(raw) ? (raw[0] ?? fail('expected one person')) : raw),
  modified_by: (raw) => readUser(Array.isArray(raw) ? (raw[0] ?? fail('expected one person')) : raw),
  auto_number: readText,
};

function readNumber(raw: unknown): number {
  // The deprecated list API returns numbers, currency and progress as strings ("100", "0.66").
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof n === 'number' && Number.isFinite(n) ? n : fail('expected a finite number');
}

function readDate(raw: unknown): Date {
  if (raw instanceof Date) return raw;
  const ms = readNumber(raw);
  return Number.isInteger(ms) ? new Date(ms) : fail('expected a ms epoch');
}

function listOf<T>(raw: unknown, read: (item: unknown) => T): T[] {
  return Array.isArray(raw) ? raw.map(read) : fail('expected a list');
}

const USER_PROPS = ['name', 'en_name', 'email', 'avatar_url'] as const;

function readUser(raw: unknown): UserRef {
  if (typeof raw === 'string' && raw !== '') return { id: raw };
  if (!isRecord(raw)) return fail('expected a person {id, name, …}');
  // Events name the person by user_id.open_id; the record APIs by id.
  const nested = isRecord(raw.user_id) ? raw.user_id.open_id : undefined;
  const id = [raw.id, raw.open_id, nested].find((v): v is string => typeof v === 'string' && v !== '');
  if (!id) return fail('a person has no id');
  const user: UserRef = { id };
  for (const prop of USER_PROPS) if (typeof raw[prop] === 'string') user[prop] = raw[prop];
  return user;
}

function readChat(raw: unknown): ChatRef {
  if (typeof raw === 'string' && raw !== '') return { id: raw };
  if (!isRecord(raw) || typeof raw.id !== 'string') return fail('expected a group chat {id, name}');
  const chat: ChatRef = { id: raw.id };
  if (typeof raw.name === 'string') chat.name = raw.name;
  if (typeof raw.avatar_url === 'string') chat.avatar_url = raw.avatar_url;
  return chat;
}

function readUrl(raw: unknown): UrlValue {
  if (typeof raw === 'string') return { text: raw, link: raw };
  const value = Array.isArray(raw) ? raw.find((s) => isRecord(s) && typeof s.link === 'string') : raw;
  if (!isRecord(value) || typeof value.link !== 'string') return fail('expected {text, link}');
  return { text: typeof value.text === 'string' ? value.text : value.link, link: value.link };
}

function readAttachment(raw: unknown): Attachment {
  if (!isRecord(raw) || typeof raw.file_token !== 'string') return fail('expected an attachment {file_token, …}');
  const file: Attachment = { file_token: raw.file_token };
  for (const prop of ['name', 'type', 'url', 'tmp_url'] as const)
    if (typeof raw[prop] === 'string') file[prop] = raw[prop];
  if (typeof raw.size === 'number') file.size = raw.size;
  return file;
}

/** Search gives `{link_record_ids}`, list gives `[{record_ids, table_id, text, …}]`, writes are `["rec…"]`. */
function readLinks(raw: unknown): string[] {
  if (isRecord(raw) && Array.isArray(raw.link_record_ids)) return listOf(raw.link_record_ids, recordId);
  return listOf(isRecord(raw) ? [raw] : raw, (item) =>
    isRecord(item) && Array.isArray(item.record_ids) ? listOf(item.record_ids, recordId) : [recordId(item)],
  ).flat();
}

function recordId(raw: unknown): string {
  return typeof raw === 'string' && raw !== '' ? raw : fail('expected a record_id');
}

const LOCATION_PROPS = ['name', 'address', 'full_address', 'adname', 'cityname', 'pname'] as const;

function readLocation(raw: unknown): GeoLocation {
  if (typeof raw === 'string') return parseLngLat(raw);
  if (!isRecord(raw)) return fail('expected a location');
  const point =
    typeof raw.location === 'string'
      ? parseLngLat(raw.location)
      : typeof raw.lng === 'number' && typeof raw.lat === 'number'
        ? { lng: raw.lng, lat: raw.lat }
        : fail('a location has no "lng,lat"');
  const location: GeoLocation = { ...point };
  for (const prop of LOCATION_PROPS) if (typeof raw[prop] === 'string') location[prop] = raw[prop];
  return location;
}

export function parseLngLat(text: string): GeoLocation {
  const parts = text.split(',');
  const [lng, lat] = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (
    parts.length !== 2 ||
    lng === undefined ||
    lat === undefined ||
    !(Math.abs(lng) <= 180) ||
    !(Math.abs(lat) <= 90)
  ) {
    return fail('expected "lng,lat" with lng in [-180, 180] and lat in [-90, 90]');
  }
  return { lng, lat };
}

/**
 * Formula cells come as the result's own shape: a number, a boolean, text segments, or (newer
 * API versions) `{type, value:[…]}`. A formula is one scalar; several values are joined by ", ".
 */
function readFormula(raw: unknown): Scalar {
  const values = readLookup(raw);
  if (values.length <= 1) return values[0] ?? null;
  const allText = Array.isArray(raw) && raw.every((s) => isRecord(s) && typeof s.text === 'string');
  return values.map(String).join(allText ? '' : ', ');
}

/** Lookup cells list the looked-up values; people and links are reduced to their display text. */
function readLookup(raw: unknown): Scalar[] {
  if (raw === null || raw === undefined) return [];
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return [raw];
  if (Array.isArray(raw)) return raw.flatMap(readLookup);
  if (isRecord(raw)) {
    if ('value' in raw && 'type' in raw) return readLookup(raw.value);
    if (Array.isArray(raw.link_record_ids)) return readLookup(raw.link_record_ids);
    for (const prop of ['text', 'name', 'link', 'id'] as const) {
      const v = raw[prop];
      if (typeof v === 'string') return [v];
    }
  }
  return fail('unrecognised formula or lookup value');
}
