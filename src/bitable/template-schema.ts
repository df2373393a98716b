import { z } from 'zod';
import { checkTableTemplate } from './template-checks.js';
import { displayName, englishDescription, stableKey, TemplateField } from './template-fields.js';
import { TemplateView } from './template-views.js';

export { TemplateField, TemplateOption } from './template-fields.js';
export { FilterOperator, TemplateView, ViewCondition } from './template-views.js';

/**
 * One JSON file in bitable-templates/ describes one Bitable table: its fields (template-fields.ts),
 * the views staff need, and its place in a workflow. See template-fields.ts for keys vs names.
 */

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
