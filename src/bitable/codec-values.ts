import type { FieldKind, WritableKind } from './field-kinds.js';

/** A person as Feishu returns it; on write only `id` (an open_id by default) is sent. */
export interface UserRef {
  id: string;
  name?: string;
  en_name?: string;
  email?: string;
  avatar_url?: string;
}

export interface ChatRef {
  id: string;
  name?: string;
  avatar_url?: string;
}

export interface UrlValue {
  text: string;
  link: string;
}

/** On write only `file_token` (from the drive media upload) is sent. */
export interface Attachment {
  file_token: string;
  name?: string;
  size?: number;
  type?: string;
  url?: string;
  tmp_url?: string;
}

/** On write only `lng,lat` is sent; Feishu fills in the address parts. */
export interface GeoLocation {
  lng: number;
  lat: number;
  name?: string;
  address?: string;
  full_address?: string;
  adname?: string;
  cityname?: string;
  pname?: string;
}

/** An @-mention inside a text cell; for mentionType "User" the token is the person's open_id. */
export interface Mention {
  mentionType: string;
  token: string;
  name: string;
  text: string;
}

export type Scalar = string | number | boolean | null;

/** The decoded value of each kind (what a read gives the bot). */
export interface KindValues {
  text: string;
  barcode: string;
  email: string;
  phone: string;
  number: number;
  currency: number;
  progress: number;
  rating: number;
  single_select: string;
  multi_select: string[];
  date: Date;
  checkbox: boolean;
  user: UserRef[];
  group_chat: ChatRef[];
  url: UrlValue;
  attachment: Attachment[];
  link: string[];
  duplex_link: string[];
  location: GeoLocation;
  formula: Scalar;
  lookup: Scalar[];
  created_time: Date;
  modified_time: Date;
  created_by: UserRef;
  modified_by: UserRef;
  auto_number: string;
}

/** Kinds whose empty cell decodes to `[]` or `false` rather than `null`. */
export type NeverNullKind =
  'multi_select' | 'user' | 'group_chat' | 'attachment' | 'link' | 'duplex_link' | 'lookup' | 'checkbox';

export type DecodedValue<K extends FieldKind> = K extends NeverNullKind ? KindValues[K] : KindValues[K] | null;
export type FieldValue = KindValues[FieldKind];

type IdInput = string | { readonly id: string };

/** What the bot may pass when writing each kind (decoded values are accepted too). */
export interface KindInputs {
  text: string;
  barcode: string;
  email: string;
  phone: string;
  number: number;
  currency: number;
  progress: number;
  rating: number;
  single_select: string;
  multi_select: readonly string[];
  /** A Date or a ms epoch. */
  date: Date | number;
  checkbox: boolean;
  user: readonly IdInput[];
  group_chat: readonly IdInput[];
  /** A bare link uses itself as the text. */
  url: string | { readonly text?: string; readonly link: string };
  attachment: readonly (string | { readonly file_token: string })[];
  link: readonly string[];
  duplex_link: readonly string[];
  /** `"lng,lat"` or `{ lng, lat }`. */
  location: string | { readonly lng: number; readonly lat: number };
}

/** `null` clears the cell. */
export type EncodeInput<K extends WritableKind> = KindInputs[K] | null;

/** A cell as the write APIs (batch_create / batch_update) take it — FEISHU.md §e. */
export type FeishuWriteValue =
  | string
  | number
  | boolean
  | null
  | string[]
  | { id: string }[]
  | { file_token: string }[]
  | { text: string; link: string };
