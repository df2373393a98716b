import { renderFormula } from './formula.js';
import type { TemplateField } from './template-schema.js';

/** The body of `POST …/tables/:table_id/fields` and of a field in `POST …/tables` (FEISHU.md §e). */
export interface FieldPayload {
  field_name: string;
  type: number;
  ui_type?: string;
  property?: Record<string, unknown>;
  description?: { text: string };
}

export interface PayloadRefs {
  /** table_id of a template, for link fields (the target must exist first). */
  tableId(tableKey: string): string;
  /** Feishu's reference to a field of the same table, for formulas, e.g. `bitable::$table[tbl…].$field[fld…]`. */
  fieldRef(fieldKey: string): string;
}

export class NotProvisionableError extends Error {
  override name = 'NotProvisionableError';
}

/** Template field → what the field-create API takes: keys resolved to ids, our own option keys dropped. */
export function fieldPayload(field: TemplateField, refs: PayloadRefs): FieldPayload {
  const payload: FieldPayload = { field_name: field.name, type: field.type, description: { text: field.description } };
  const property = propertyOf(field, refs);
  if (property) payload.property = property;
  if ((field.type === 1 || field.type === 2) && field.ui_type) payload.ui_type = field.ui_type;
  return payload;
}

function propertyOf(field: TemplateField, refs: PayloadRefs): Record<string, unknown> | undefined {
  switch (field.type) {
    case 3:
    case 4:
      return {
        options: field.property.options.map((o) =>
          o.color === undefined ? { name: o.name } : { name: o.name, color: o.color },
        ),
      };
    case 18:
      return { table_id: refs.tableId(field.property.table), multiple: field.property.multiple ?? true };
    case 21:
      return {
        table_id: refs.tableId(field.property.table),
        back_field_name: field.property.back_field_name,
        multiple: field.property.multiple ?? true,
      };
    case 20:
      return { ...field.property, formula_expression: renderFormula(field.property.formula_expression, refs.fieldRef) };
    case 19:
      // Lookup fields have no confirmed type number to create them with (FEISHU.md §e).
      throw new NotProvisionableError(`lookup field ${field.key} cannot be created through the API`);
    case 2:
    case 5:
    case 11:
    case 22:
    case 23:
    case 1001:
    case 1002:
    case 1005:
      return field.property ? { ...field.property } : undefined;
    default:
      return undefined;
  }
}

/**
 * Fields in the order they can be created: plain fields first, then links (their target table must
 * exist), then formulas (the fields they name must exist). The primary field stays first.
 */
export function creationOrder(fields: readonly TemplateField[]): TemplateField[] {
  const rank = (f: TemplateField, i: number) =>
    i === 0 ? 0 : f.type === 18 || f.type === 21 ? 2 : f.type === 20 ? 3 : 1;
  return fields
    .map((f, i) => ({ f, i, r: rank(f, i) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.f);
}
