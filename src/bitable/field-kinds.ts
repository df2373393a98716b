import type { TemplateField } from './template-fields.js';

/**
 * What the codec treats a field as: the Feishu type number refined by ui_type
 * (type 1 is text, barcode or email; type 2 is number, currency, progress or rating — FEISHU.md §e).
 */
export type FieldKind =
  | 'text'
  | 'barcode'
  | 'email'
  | 'number'
  | 'currency'
  | 'progress'
  | 'rating'
  | 'single_select'
  | 'multi_select'
  | 'date'
  | 'checkbox'
  | 'user'
  | 'phone'
  | 'url'
  | 'attachment'
  | 'link'
  | 'duplex_link'
  | 'lookup'
  | 'formula'
  | 'location'
  | 'group_chat'
  | 'created_time'
  | 'modified_time'
  | 'created_by'
  | 'modified_by'
  | 'auto_number';

/** Kinds Feishu computes itself: reading them is fine, writing them is a bug. */
export const READ_ONLY_KINDS = [
  'lookup',
  'formula',
  'created_time',
  'modified_time',
  'created_by',
  'modified_by',
  'auto_number',
] as const satisfies readonly FieldKind[];
export type ReadOnlyKind = (typeof READ_ONLY_KINDS)[number];
export type WritableKind = Exclude<FieldKind, ReadOnlyKind>;

export function isReadOnlyKind(kind: FieldKind): kind is ReadOnlyKind {
  return (READ_ONLY_KINDS as readonly FieldKind[]).includes(kind);
}

/** Kinds that can hold a date token (`@today`, …) in a view filter. */
export const DATE_KINDS: readonly FieldKind[] = ['date', 'created_time', 'modified_time'];
/** Kinds that can hold the `@me` token in a view filter. */
export const PERSON_KINDS: readonly FieldKind[] = ['user', 'created_by', 'modified_by'];

export function kindOf(field: TemplateField): FieldKind {
  switch (field.type) {
    case 1:
      return field.ui_type === 'Barcode' ? 'barcode' : field.ui_type === 'Email' ? 'email' : 'text';
    case 2:
      switch (field.ui_type) {
        case 'Currency':
          return 'currency';
        case 'Progress':
          return 'progress';
        case 'Rating':
          return 'rating';
        default:
          return 'number';
      }
    case 3:
      return 'single_select';
    case 4:
      return 'multi_select';
    case 5:
      return 'date';
    case 7:
      return 'checkbox';
    case 11:
      return 'user';
    case 13:
      return 'phone';
    case 15:
      return 'url';
    case 17:
      return 'attachment';
    case 18:
      return 'link';
    case 19:
      return 'lookup';
    case 20:
      return 'formula';
    case 21:
      return 'duplex_link';
    case 22:
      return 'location';
    case 23:
      return 'group_chat';
    case 1001:
      return 'created_time';
    case 1002:
      return 'modified_time';
    case 1003:
      return 'created_by';
    case 1004:
      return 'modified_by';
    case 1005:
      return 'auto_number';
  }
}

/** Field types Feishu accepts as a table's primary (first) field. */
export const PRIMARY_FIELD_TYPES: ReadonlySet<number> = new Set([1, 2, 5, 13, 15, 20, 1005]);
