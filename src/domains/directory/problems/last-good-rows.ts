import { and, eq, notInArray } from 'drizzle-orm';
import type { TableTemplate } from '../../../bitable/template-schema.js';
import type { SourceRow } from '../../../core/settings.js';
import type { Db } from '../../../db/client.js';
import { fromDb, toJsonCell } from '../../../mirror/columns.js';
import { directorySettingRows } from '../schema.js';

/**
 * The last version of each settings row that the workflows took whole (directory_setting_rows):
 * what stays in force while a person's later edit of the row cannot be used.
 */
export function lastGoodRows(db: Db, template: TableTemplate) {
  const table = template.key;
  return {
    async load(): Promise<Map<string, SourceRow['values']>> {
      const rows = await db.select().from(directorySettingRows).where(eq(directorySettingRows.tableKey, table));
      return new Map(rows.map((r) => [r.recordId, decode(template, r.values as Record<string, unknown>)]));
    },

    /** Remembers `good` (only what changed) and forgets rows no longer in the table. */
    async save(good: readonly SourceRow[], held: ReadonlyMap<string, SourceRow['values']>, all: readonly string[]) {
      for (const row of good) {
        const values = encode(row.values);
        const before = held.get(row.recordId);
        if (before && JSON.stringify(encode(before)) === JSON.stringify(values)) continue;
        await db
          .insert(directorySettingRows)
          .values({ tableKey: table, recordId: row.recordId, values })
          .onConflictDoUpdate({
            target: [directorySettingRows.tableKey, directorySettingRows.recordId],
            set: { values, updatedAt: new Date() },
          });
      }
      await db
        .delete(directorySettingRows)
        .where(
          and(
            eq(directorySettingRows.tableKey, table),
            all.length > 0 ? notInArray(directorySettingRows.recordId, [...all]) : undefined,
          ),
        );
    },
  };
}

function encode(values: SourceRow['values']): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, toJsonCell(v as never)]));
}

function decode(template: TableTemplate, stored: Record<string, unknown>): SourceRow['values'] {
  return Object.fromEntries(template.fields.map((f) => [f.key, fromDb(f, stored[f.key])]));
}
