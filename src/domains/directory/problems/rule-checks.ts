import type { TableTemplate } from '../../../bitable/template-schema.js';
import type { SourceRow } from '../../../core/settings.js';

/** A cell of a settings row the workflows cannot use: the field's key and why (Chinese first, English beside). */
export interface CellProblem {
  recordId: string;
  field: string;
  message: string;
}

const NOT_NEGATIVE = ['value', 'amount_min', 'amount_max'];
const SHARES = ['warn_at'];
const CLOCK_TIMES = ['time_from', 'time_to'];
// A threshold may watch a drop (a negative change), so only its 数值 may be below zero.
const MAY_BE_NEGATIVE: Readonly<Record<string, string>> = { value: 'threshold' };
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * The checks every row of 规则配置 gets before any workflow reads it, whatever the workflow: a
 * select cell holds one of the template's options (an unknown 适用业务 would otherwise make a
 * row apply everywhere), amounts and values are not negative, a share is between 0% and 100%,
 * a time of day is HH:mm. Disabled rows are not checked: nobody reads them.
 */
export function checkRuleRow(template: TableTemplate, row: SourceRow): CellProblem[] {
  if (row.values.enabled !== true) return [];
  const out: CellProblem[] = [];
  const say = (field: string, message: string) => out.push({ recordId: row.recordId, field, message });
  const typeKey = optionKey(template, 'rule_type', row.values.rule_type);
  for (const field of template.fields) {
    const value = row.values[field.key];
    if (field.type === 3 || field.type === 4) {
      const names = Array.isArray(value) ? value : value === null || value === undefined || value === '' ? [] : [value];
      for (const name of names)
        if (optionKey(template, field.key, name) === undefined)
          say(field.key, `「${field.name}」没有选项「${String(name)}」 not an option of this column`);
    } else if (typeof value === 'number' && NOT_NEGATIVE.includes(field.key) && value < 0) {
      if (MAY_BE_NEGATIVE[field.key] !== typeKey) say(field.key, '不能为负数 must not be negative');
    } else if (typeof value === 'number' && SHARES.includes(field.key) && (value < 0 || value > 1)) {
      say(field.key, '须在 0% 到 100% 之间 must be between 0% and 100%');
    } else if (
      typeof value === 'string' &&
      value.trim() &&
      CLOCK_TIMES.includes(field.key) &&
      !HH_MM.test(value.trim())
    ) {
      say(field.key, '须为 HH:mm，如 09:00 must be HH:mm, e.g. 09:00');
    }
  }
  return out;
}

function optionKey(template: TableTemplate, fieldKey: string, name: unknown): string | undefined {
  const field = template.fields.find((f) => f.key === fieldKey);
  if (!field || (field.type !== 3 && field.type !== 4) || typeof name !== 'string') return undefined;
  return field.property.options.find((o) => o.name === name || o.key === name)?.key;
}
