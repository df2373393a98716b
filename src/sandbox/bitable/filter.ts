import { z } from 'zod';
import { bitableError } from '../api/errors.js';
import type { BitableField, BitableRecord } from '../state/types.js';
import { FieldType, plainValue } from './codec.js';

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

export const Condition = z.object({
  field_name: z.string(),
  operator: z.enum(OPERATORS),
  value: z.array(z.string()).max(10).optional(),
});
export type Condition = z.infer<typeof Condition>;

export interface FilterGroup {
  conjunction?: 'and' | 'or' | undefined;
  conditions?: Condition[] | undefined;
  children?: FilterGroup[] | undefined;
}
// Recursive schema: `children` nests groups (records.search.request.json).
export const FilterGroup: z.ZodType<FilterGroup> = z.lazy(() =>
  z.object({
    conjunction: z.enum(['and', 'or']).optional(),
    conditions: z.array(Condition).max(50).optional(),
    children: z.array(FilterGroup).optional(),
  }),
);

export const SortSpec = z.array(z.object({ field_name: z.string(), desc: z.boolean().optional() }));
export type SortSpec = z.infer<typeof SortSpec>;

const DAY_MS = 86_400_000;
const TZ_OFFSET_MS = 8 * 3_600_000; // business days in Asia/Shanghai
const dayOf = (ms: number) => Math.floor((ms + TZ_OFFSET_MS) / DAY_MS);

/** Date values: ["ExactDate", "<ms>"], ["Today"], ["Tomorrow"], ["Yesterday"] — compared by day. */
function dateTarget(value: string[], now: number): number | undefined {
  const [kind, arg] = value;
  if (kind === 'ExactDate' && arg) return dayOf(Number(arg));
  if (kind === 'Today') return dayOf(now);
  if (kind === 'Tomorrow') return dayOf(now) + 1;
  if (kind === 'Yesterday') return dayOf(now) - 1;
  return kind && /^\d+$/.test(kind) ? dayOf(Number(kind)) : undefined;
}

const isDate = (f: BitableField) =>
  f.type === FieldType.date || f.type === FieldType.createdTime || f.type === FieldType.modifiedTime;

function compare(field: BitableField, actual: unknown, value: string[], now: number): number | undefined {
  if (actual === undefined || Array.isArray(actual)) return undefined;
  if (isDate(field)) {
    const target = dateTarget(value, now);
    return target === undefined ? undefined : dayOf(Number(actual)) - target;
  }
  if (typeof actual === 'number') return actual - Number(value[0]);
  return String(actual).localeCompare(value[0] ?? '');
}

function test(field: BitableField, record: BitableRecord, c: Condition, now: number): boolean {
  const actual = plainValue(field, record);
  const value = c.value ?? [];
  const empty = actual === undefined || (Array.isArray(actual) && actual.length === 0);
  switch (c.operator) {
    case 'isEmpty':
      return empty;
    case 'isNotEmpty':
      return !empty;
    case 'is':
    case 'isNot': {
      let eq: boolean;
      if (Array.isArray(actual)) eq = actual.length === value.length && value.every((v) => actual.includes(v));
      else if (isDate(field) || typeof actual === 'number') eq = compare(field, actual, value, now) === 0;
      else eq = !empty && String(actual) === (value[0] ?? '');
      return c.operator === 'is' ? eq : !eq;
    }
    case 'contains':
    case 'doesNotContain': {
      const has = Array.isArray(actual)
        ? value.some((v) => actual.includes(v))
        : !empty && value.some((v) => String(actual).includes(v));
      return c.operator === 'contains' ? has : !has;
    }
    default: {
      const d = compare(field, actual, value, now);
      if (d === undefined || Number.isNaN(d)) return false;
      return c.operator === 'isGreater'
        ? d > 0
        : c.operator === 'isGreaterEqual'
          ? d >= 0
          : c.operator === 'isLess'
            ? d < 0
            : d <= 0;
    }
  }
}

function fieldNamed(fields: BitableField[], name: string, code: number): BitableField {
  const f = fields.find((x) => x.field_name === name);
  if (!f)
    throw bitableError(
      code,
      code === 1254018 ? `InvalidFilter: field "${name}" not found` : `InvalidSort: field "${name}" not found`,
    );
  return f;
}

export function matches(group: FilterGroup, fields: BitableField[], record: BitableRecord, now: number): boolean {
  const results = [
    ...(group.conditions ?? []).map((c) => test(fieldNamed(fields, c.field_name, 1254018), record, c, now)),
    ...(group.children ?? []).map((g) => matches(g, fields, record, now)),
  ];
  if (results.length === 0) return true;
  return group.conjunction === 'or' ? results.some(Boolean) : results.every(Boolean);
}

export function sortRecords(records: BitableRecord[], fields: BitableField[], sort: SortSpec): BitableRecord[] {
  const keys = sort.map((s) => ({ field: fieldNamed(fields, s.field_name, 1254016), desc: s.desc === true }));
  return [...records].sort((a, b) => {
    for (const { field, desc } of keys) {
      const x = plainValue(field, a);
      const y = plainValue(field, b);
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      const d = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'zh-CN');
      if (d !== 0) return desc ? -d : d;
    }
    return 0;
  });
}
