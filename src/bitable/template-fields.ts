import { z } from 'zod';

/**
 * The fields of a table template. Keys are stable identifiers the code uses; names are the Chinese
 * display names staff see (and the names the record APIs use).
 * Field type numbers and property shapes follow FEISHU.md §e; link targets and formula references
 * name other templates' keys, resolved to table_id / field_id at provisioning.
 */

export const stableKey = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case (a-z, 0-9, _) starting with a letter');
export const displayName = z.string().trim().min(1).max(100);
export const englishDescription = z.string().trim().min(3);

/** Feishu option colours are 0–54 (the palette index). */
export const TemplateOption = z.strictObject({
  key: stableKey,
  name: displayName,
  color: z.number().int().min(0).max(54).optional(),
  description: englishDescription.optional(),
});
export type TemplateOption = z.infer<typeof TemplateOption>;

const fieldBase = { key: stableKey, name: displayName, description: englishDescription };

const NumberFormatter = z.enum(['0', '0.0', '0.00', '0.000', '0.0000', '1,000', '1,000.00', '%', '0%', '0.00%']);
const DateFormatter = z.enum([
  'yyyy/MM/dd',
  'yyyy/MM/dd HH:mm',
  'yyyy-MM-dd',
  'yyyy-MM-dd HH:mm',
  'MM-dd',
  'MM/dd/yyyy',
  'dd/MM/yyyy',
]);
const RatingSymbol = z.enum(['star', 'heart', 'thumbsup', 'fire', 'smile', 'lightning', 'flower', 'number']);

const TextField = z.strictObject({
  ...fieldBase,
  type: z.literal(1),
  ui_type: z.enum(['Text', 'Barcode', 'Email']).optional(),
});

const NumberField = z
  .strictObject({
    ...fieldBase,
    type: z.literal(2),
    ui_type: z.enum(['Number', 'Currency', 'Progress', 'Rating']).optional(),
    property: z
      .strictObject({
        formatter: NumberFormatter.optional(),
        currency_code: z
          .string()
          .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY')
          .optional(),
        min: z.number().optional(),
        max: z.number().optional(),
        range_customize: z.boolean().optional(),
        rating: z.strictObject({ symbol: RatingSymbol }).optional(),
      })
      .optional(),
  })
  .superRefine((field, ctx) => {
    const p = field.property ?? {};
    if (field.ui_type === 'Currency' && !p.currency_code) {
      ctx.addIssue({
        code: 'custom',
        path: ['property', 'currency_code'],
        message: 'a Currency field needs currency_code',
      });
    }
    if (field.ui_type === 'Rating') {
      if (
        !Number.isInteger(p.min) ||
        !Number.isInteger(p.max) ||
        (p.min ?? 0) < 0 ||
        (p.max ?? 0) > 10 ||
        (p.min ?? 0) >= (p.max ?? 0)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['property'],
          message: 'a Rating field needs integer min (0 or 1) < max (≤ 10)',
        });
      }
    }
    if (p.min !== undefined && p.max !== undefined && p.min >= p.max) {
      ctx.addIssue({ code: 'custom', path: ['property', 'max'], message: 'max must be greater than min' });
    }
  });

const selectProperty = z.strictObject({ options: z.array(TemplateOption).min(1) }).superRefine((p, ctx) => {
  for (const dup of duplicates(p.options.map((o) => o.key)))
    ctx.addIssue({ code: 'custom', path: ['options'], message: `duplicate option key "${dup}"` });
  for (const dup of duplicates(p.options.map((o) => o.name)))
    ctx.addIssue({ code: 'custom', path: ['options'], message: `duplicate option name "${dup}"` });
});
const SingleSelectField = z.strictObject({ ...fieldBase, type: z.literal(3), property: selectProperty });
const MultiSelectField = z.strictObject({ ...fieldBase, type: z.literal(4), property: selectProperty });

const dateProperty = z
  .strictObject({ date_formatter: DateFormatter.optional(), auto_fill: z.boolean().optional() })
  .optional();
const DateField = z.strictObject({ ...fieldBase, type: z.literal(5), property: dateProperty });
const CheckboxField = z.strictObject({ ...fieldBase, type: z.literal(7) });
const UserField = z.strictObject({
  ...fieldBase,
  type: z.literal(11),
  property: z.strictObject({ multiple: z.boolean().optional() }).optional(),
});
const PhoneField = z.strictObject({ ...fieldBase, type: z.literal(13) });
const UrlField = z.strictObject({ ...fieldBase, type: z.literal(15) });
const AttachmentField = z.strictObject({ ...fieldBase, type: z.literal(17) });

/** `table` is the target template's key; provisioning turns it into a table_id. */
const OneWayLinkField = z.strictObject({
  ...fieldBase,
  type: z.literal(18),
  property: z.strictObject({ table: stableKey, multiple: z.boolean().optional() }),
});
/** Lookup (19) is read-only and its type number is UNCONFIRMED (FEISHU.md §e): decode only, never provisioned. */
const LookupField = z.strictObject({ ...fieldBase, type: z.literal(19) });
/** `{field_key}` placeholders in the expression name fields of the same table. */
const FormulaField = z.strictObject({
  ...fieldBase,
  type: z.literal(20),
  property: z.strictObject({ formula_expression: z.string().trim().min(1), formatter: NumberFormatter.optional() }),
});
/** Creating a two-way link also creates `back_field_name` in the target table (Feishu does it). */
const TwoWayLinkField = z.strictObject({
  ...fieldBase,
  type: z.literal(21),
  property: z.strictObject({ table: stableKey, back_field_name: displayName, multiple: z.boolean().optional() }),
});
const LocationField = z.strictObject({
  ...fieldBase,
  type: z.literal(22),
  property: z
    .strictObject({ location: z.strictObject({ input_type: z.enum(['only_mobile', 'not_limit']) }) })
    .optional(),
});
const GroupChatField = z.strictObject({
  ...fieldBase,
  type: z.literal(23),
  property: z.strictObject({ multiple: z.boolean().optional() }).optional(),
});
const CreatedTimeField = z.strictObject({ ...fieldBase, type: z.literal(1001), property: dateProperty });
const ModifiedTimeField = z.strictObject({ ...fieldBase, type: z.literal(1002), property: dateProperty });
const CreatedByField = z.strictObject({ ...fieldBase, type: z.literal(1003) });
const ModifiedByField = z.strictObject({ ...fieldBase, type: z.literal(1004) });
const AutoNumberField = z.strictObject({
  ...fieldBase,
  type: z.literal(1005),
  property: z
    .strictObject({
      auto_serial: z.strictObject({
        type: z.enum(['auto_increment_number', 'custom']),
        options: z
          .array(z.strictObject({ type: z.enum(['system_number', 'fixed_text', 'created_time']), value: z.string() }))
          .optional(),
      }),
    })
    .optional(),
});

export const TemplateField = z.discriminatedUnion('type', [
  TextField,
  NumberField,
  SingleSelectField,
  MultiSelectField,
  DateField,
  CheckboxField,
  UserField,
  PhoneField,
  UrlField,
  AttachmentField,
  OneWayLinkField,
  LookupField,
  FormulaField,
  TwoWayLinkField,
  LocationField,
  GroupChatField,
  CreatedTimeField,
  ModifiedTimeField,
  CreatedByField,
  ModifiedByField,
  AutoNumberField,
]);
export type TemplateField = z.infer<typeof TemplateField>;

export function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const v of values) (seen.has(v) ? dups : seen).add(v);
  return [...dups];
}
