import { z } from 'zod';
import { checkTableTemplate } from './template-checks.js';
import { displayName, englishDescription, stableKey, TemplateField } from './template-fields.js';

export { TemplateField, TemplateOption } from './template-fields.js';

/**
 * One JSON file in bitable-templates/ describes one Bitable table: its fields (template-fields.ts),
 * the views staff need, and its place in a workflow. See template-fields.ts for keys vs names.
 */

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
  value: z.array(z.union([z.string(), z.number(), z.boolean()])).max(10).optional(),
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
  sort: z.array(z.strictObject({ field: stableKey, desc: z.boolean().optional() })).max(10).optional(),
  /** Kanban columns (a single select or user field). */
  group_by: stableKey.optional(),
  hidden_fields: z.array(stableKey).optional(),
});
export type TemplateView = z.infer<typeof TemplateView>;

export const Domain = z.enum(['qa', 'exceptions', 'contracts', 'community', 'shared']);
export type Domain = z.infer<typeof Domain>;

/** Feishu caps: 300 fields and 200 views per table (FEISHU.md §e; 300 fields is UNCONFIRMED). */
export const MAX_FIELDS_PER_TABLE = 300;
export const MAX_VIEWS_PER_TABLE = 200;

export const TableTemplate = z
  .strictObject({
    key: stableKey,
    name: displayName,
    description: englishDescription,
    domain: Domain,
    /** Must be the first field: Feishu makes a new table's first field its primary field. */
    primaryField: stableKey,
    fields: z.array(TemplateField).min(1).max(MAX_FIELDS_PER_TABLE),
    /** The first view is the table's default view. */
    views: z.array(TemplateView).min(1).max(MAX_VIEWS_PER_TABLE),
  })
  .superRefine(checkTableTemplate);
export type TableTemplate = z.infer<typeof TableTemplate>;
