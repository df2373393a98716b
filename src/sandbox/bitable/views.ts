import { z } from 'zod';
import { bitableError } from '../api/errors.js';
import type { BitableField, BitableRecord, BitableTable, BitableView } from '../state/types.js';
import { FieldType } from './codec.js';
import { matches, type Condition } from './filter.js';

/**
 * View filters and hidden fields as Feishu's view PATCH takes them (FEISHU.md §m.2): conditions name
 * fields by field_id, `value` is a string holding a JSON array of strings, date fields allow only
 * is / isGreater / isLess (+ empty checks), formula and lookup fields cannot be filtered, ≤ 50
 * conditions, ≤ 300 hidden fields.
 */
const OPERATORS = [
  'is',
  'isNot',
  'contains',
  'doesNotContain',
  'isEmpty',
  'isNotEmpty',
  'isGreater',
  'isGreaterEqual',
  'isLess',
  'isLessEqual',
] as const;
export const ViewPatch = z.object({
  view_name: z
    .string()
    .min(1)
    .max(100)
    .refine((n) => !/[[\]]/.test(n), 'view_name cannot contain [ or ]')
    .optional(),
  property: z
    .object({
      filter_info: z
        .object({
          conjunction: z.enum(['and', 'or']),
          conditions: z
            .array(z.object({ field_id: z.string(), operator: z.enum(OPERATORS), value: z.string().optional() }))
            .max(50),
        })
        .nullish(),
      hidden_fields: z.array(z.string()).max(300).nullish(),
    })
    .optional(),
});
export type ViewPatch = z.infer<typeof ViewPatch>;

const DATE_TYPES: number[] = [FieldType.date, FieldType.createdTime, FieldType.modifiedTime];
const DATE_OPERATORS = ['is', 'isEmpty', 'isNotEmpty', 'isGreater', 'isLess'];
const NOT_FILTERABLE: number[] = [FieldType.formula, 19 /* lookup */];
const invalid = (detail: string) => bitableError(1254001, `WrongRequestBody: ${detail}`);

function parseValue(raw: string | undefined, operator: string): string[] {
  if (operator === 'isEmpty' || operator === 'isNotEmpty') return [];
  let value: unknown;
  try {
    value = JSON.parse(raw ?? '');
  } catch {
    throw invalid(`condition value must be a JSON array in a string, got ${JSON.stringify(raw)}`);
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw invalid('condition value must be a JSON array of strings');
  return value;
}

/** Applies a PATCH to a view, refusing what Feishu refuses; returns the view as the API shows it. */
export function patchView(table: BitableTable, view: BitableView, patch: ViewPatch): BitableView {
  const fieldById = (id: string) => {
    const f = table.fields.find((x) => x.field_id === id);
    if (!f) throw bitableError(1254045, `FieldNameNotFound: ${id}`);
    return f;
  };
  const filter = patch.property?.filter_info;
  const conditions = (filter?.conditions ?? []).map((c) => {
    const field = fieldById(c.field_id);
    if (NOT_FILTERABLE.includes(field.type))
      throw invalid(`field "${field.field_name}" (formula/lookup) cannot be filtered`);
    if (DATE_TYPES.includes(field.type) && !DATE_OPERATORS.includes(c.operator))
      throw invalid(`date field "${field.field_name}" does not take ${c.operator}`);
    parseValue(c.value, c.operator);
    return {
      field_id: c.field_id,
      operator: c.operator,
      value: c.value ?? '[]',
      field_type: field.type,
      condition_id: `cond${field.field_id.slice(-6)}${c.operator.length}`,
    };
  });
  (patch.property?.hidden_fields ?? []).forEach(fieldById);
  if (patch.view_name) view.view_name = patch.view_name;
  if (patch.property) {
    const property = { ...(view.property ?? {}) };
    if (filter !== undefined) property.filter_info = filter ? { conjunction: filter.conjunction, conditions } : null;
    if (patch.property.hidden_fields !== undefined) property.hidden_fields = patch.property.hidden_fields ?? [];
    view.property = property;
  }
  return view;
}

/** The records a view shows (its filter applied; rows in table order) and the fields it hides. */
export function viewRecords(
  table: BitableTable,
  view: BitableView | undefined,
  now: number,
): { records: BitableRecord[]; hidden: string[] } {
  const filter = view?.property?.filter_info;
  const hidden = (view?.property?.hidden_fields ?? []).flatMap((id) =>
    table.fields.filter((f) => f.field_id === id).map((f) => f.field_name),
  );
  if (!filter || filter.conditions.length === 0) return { records: table.records, hidden };
  const nameOf = (id: string): BitableField | undefined => table.fields.find((f) => f.field_id === id);
  const conditions: Condition[] = filter.conditions.flatMap((c) => {
    const field = nameOf(c.field_id);
    return field
      ? [
          {
            field_name: field.field_name,
            operator: c.operator as Condition['operator'],
            value: parseValue(c.value, c.operator),
          },
        ]
      : [];
  });
  return {
    records: table.records.filter((r) =>
      matches({ conjunction: filter.conjunction, conditions }, table.fields, r, now),
    ),
    hidden,
  };
}
