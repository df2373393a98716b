import type { FieldValue } from '../../../bitable/codec-values.js';
import { calendarDay, fromZonedParts } from '../../../core/zoned-time.js';

/** Cells as the mirror decodes them, read the same way by both grids (相对方, 预算). */
export type Cells = Readonly<Record<string, FieldValue | null | undefined>>;

/** A text cell, trimmed; empty = undefined. */
export const textOf = (v: FieldValue | null | undefined): string | undefined => {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number') return String(v);
  return undefined;
};

export const checked = (v: FieldValue | null | undefined): boolean => v === true;

/** A date cell → the business-zone calendar day (YYYY-MM-DD). */
export const dayOf = (v: FieldValue | null | undefined, timeZone: string): string | undefined =>
  v instanceof Date ? calendarDay(v, timeZone) : typeof v === 'number' ? calendarDay(new Date(v), timeZone) : undefined;

/** A calendar day → the Date a date cell holds (midnight in the business zone). */
export const dateCell = (iso: string, timeZone: string): Date => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return fromZonedParts(timeZone, y, m, d);
};

/** The cells of an edit over the workflow's own row: what the row says now. */
export function merged(
  current: Record<string, unknown>,
  edited: ReadonlyArray<{ key: string; after: unknown }>,
): Cells {
  const out: Record<string, unknown> = { ...current };
  for (const f of edited) out[f.key] = f.after;
  return out as Cells;
}

/** The DM for a row a person added that the workflow could not take in (plain text: their words are not markdown). */
export const refusedAdd = (table: string, what: string, reasons: readonly string[]): string =>
  [
    `多维表格「${table}」中新增的「${what}」未收录，请修改后再保存 · The row you added to ${table} was not taken in:`,
    ...reasons.map((r) => `- ${r}`),
  ].join('\n');
