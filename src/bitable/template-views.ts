import { z } from 'zod';
import { displayName, englishDescription, stableKey } from './template-fields.js';

/** Operators of the record search filter (FEISHU.md §e); views use the same words. */
export const FilterOperator = z.enum([
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
]);
export type FilterOperator = z.infer<typeof FilterOperator>;

/**
 * A filter value is a literal (option name, number, text) or a token resolved when the view is
 * provisioned or queried: `@me` (the viewing user), `@today`, `@today+30d`, `@today-7d`,
 * `@week_start`, `@week_end`, `@month_start`, `@month_end` (business time zone).
 */
export const ViewCondition = z.strictObject({
  field: stableKey,
  operator: FilterOperator,
  value: z
    .array(z.union([z.string(), z.number(), z.boolean()]))
    .max(10)
    .optional(),
});
export type ViewCondition = z.infer<typeof ViewCondition>;

export const TemplateView = z.strictObject({
  key: stableKey,
  name: displayName,
  type: z.enum(['grid', 'kanban', 'gallery', 'gantt', 'form']),
  description: englishDescription,
  filter: z
    .strictObject({ conjunction: z.enum(['and', 'or']), conditions: z.array(ViewCondition).min(1).max(50) })
    .optional(),
  sort: z
    .array(z.strictObject({ field: stableKey, desc: z.boolean().optional() }))
    .max(10)
    .optional(),
  /** Kanban columns (a single select or user field). */
  group_by: stableKey.optional(),
  hidden_fields: z.array(stableKey).optional(),
});
export type TemplateView = z.infer<typeof TemplateView>;
