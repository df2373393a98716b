import { isDerived } from '../../../mirror/columns.js';
import type { TableTemplate } from '../../../bitable/template-schema.js';
import type { SourceRow } from '../../../core/settings.js';
import { display } from '../../../mirror/table-seam.js';

/**
 * The cell a problem is about: the field the setting named, else the column whose value the
 * message quotes (「…」), else the column the message names first; '' when none (the whole row).
 * Settings written before `problem` took a field are named this way.
 */
export function faultOf(
  template: TableTemplate,
  row: SourceRow | undefined,
  message: string,
  timeZone: string,
  field?: string,
): { field: string; value: string } {
  const cells = template.fields.filter((f) => !isDerived(f) && f.key !== template.primaryField);
  const shown = (key: string) => display((row?.values[key] ?? null) as never, timeZone);
  if (field && template.fields.some((f) => f.key === field)) return { field, value: shown(field) };
  const quoted = cells.find((f) => {
    const v = row?.values[f.key];
    return v !== null && v !== undefined && v !== '' && message.includes(`「${shown(f.key)}」`);
  });
  if (quoted) return { field: quoted.key, value: shown(quoted.key) };
  // The rule's own name is often in front of the message; it is not a column being named.
  const primary = row?.values[template.primaryField];
  const text = typeof primary === 'string' && primary ? message.replace(primary, '') : message;
  const named = cells
    .map((f) => ({ f, at: text.indexOf(f.name) }))
    .filter((c) => c.at >= 0)
    .sort((a, b) => a.at - b.at || b.f.name.length - a.f.name.length)[0];
  if (named) return { field: named.f.key, value: shown(named.f.key) };
  return { field: '', value: '' };
}
