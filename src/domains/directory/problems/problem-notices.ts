import { and, desc, eq, isNotNull } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { kindOf } from '../../../bitable/field-kinds.js';
import type { TableTemplate } from '../../../bitable/template-schema.js';
import type { Logger } from '../../../core/logger.js';
import type { SourceRow } from '../../../core/settings.js';
import type { Db } from '../../../db/client.js';
import { mirrorAudit } from '../../../mirror/schema.js';
import { directorySettingProblems } from '../schema.js';
import type { Directory } from '../service.js';
import { problemMessage } from './problem-message.js';

/** A problem with one row of a settings table, with the field at fault ('' = the row as a whole). */
export interface RowProblem {
  recordId: string;
  field: string;
  value: string;
  message: string;
}

export interface ProblemNoticeDeps {
  db: Db;
  directory: Directory;
  /** Sends a DM; `key` makes a retry send it once. Absent: nobody is told (and nothing is remembered). */
  tell?: (openId: string, key: string, text: string) => Promise<void>;
  log: Logger;
}

const keyOf = (p: { recordId: string; field: string; value: string }) => `${p.recordId}\n${p.field}\n${p.value}`;

/**
 * Tells the person who last edited a settings row what is wrong with it, once per distinct problem
 * (table, row, field, value: remembered in directory_setting_problems, so neither a restart nor the
 * next sync tells again), and forgets problems that are gone, so breaking the row again tells again.
 * With no editor known, the directory's admins are told.
 */
export async function tellProblems(
  deps: ProblemNoticeDeps,
  template: TableTemplate,
  rows: readonly SourceRow[],
  problems: readonly RowProblem[],
  /** The DM's last line: what happens now (problem-message.ts; default: the last valid version stays). */
  outcome?: string,
): Promise<void> {
  if (!deps.tell) return;
  const table = template.key;
  const told = await deps.db
    .select()
    .from(directorySettingProblems)
    .where(eq(directorySettingProblems.tableKey, table));
  const current = new Set(problems.map(keyOf));
  for (const gone of told.filter((t) => !current.has(keyOf(t))))
    await deps.db
      .delete(directorySettingProblems)
      .where(
        and(
          eq(directorySettingProblems.tableKey, table),
          eq(directorySettingProblems.recordId, gone.recordId),
          eq(directorySettingProblems.field, gone.field),
          eq(directorySettingProblems.value, gone.value),
        ),
      );
  const known = new Set(told.map(keyOf));
  const byId = new Map(rows.map((r) => [r.recordId, r]));
  for (const p of problems) {
    if (known.has(keyOf(p))) continue;
    known.add(keyOf(p));
    const row = byId.get(p.recordId);
    const people = await recipients(deps, template, p.recordId, row);
    if (people.length === 0) {
      deps.log.warn({ table, recordId: p.recordId, field: p.field }, 'settings row problem: nobody to tell');
      continue;
    }
    const text = problemMessage({
      table: template.name,
      row: labelOf(template, row) ?? p.recordId,
      field: template.fields.find((f) => f.key === p.field)?.name ?? '',
      value: p.value,
      reason: p.message,
      ...(outcome ? { outcome } : {}),
    });
    // The row's edit time is in the key: the same problem made again later is a new message.
    const generation = String(row?.modifiedAt?.getTime() ?? 0);
    const hash = createHash('sha256')
      .update(`${keyOf(p)}\n${generation}`)
      .digest('hex')
      .slice(0, 16);
    try {
      // Told first, then remembered: a crash in between tells again under the same key (one message).
      for (const openId of people)
        await deps.tell(openId, `directory.setting-problem:${table}:${hash}:${openId}`, text);
    } catch (err) {
      deps.log.warn({ err, table, recordId: p.recordId }, 'settings row problem not told; the next sync retries');
      continue;
    }
    await deps.db
      .insert(directorySettingProblems)
      .values({ tableKey: table, ...p, toldOpenIds: people })
      .onConflictDoNothing();
  }
}

/** The row's last editor (the record's 修改人 cell, else the mirror's last recorded operator), else the admins. */
async function recipients(
  deps: ProblemNoticeDeps,
  template: TableTemplate,
  recordId: string,
  row: SourceRow | undefined,
): Promise<string[]> {
  for (const field of template.fields.filter((f) => kindOf(f) === 'modified_by')) {
    const id = (row?.values[field.key] as { id?: unknown } | null | undefined)?.id;
    // The bot's own writes leave the app as modifier; only a person (open_id ou_…) is told.
    if (typeof id === 'string' && id.startsWith('ou_')) return [id];
  }
  const [audited] = await deps.db
    .select({ openId: mirrorAudit.operatorOpenId })
    .from(mirrorAudit)
    .where(
      and(
        eq(mirrorAudit.tableKey, template.key),
        eq(mirrorAudit.recordId, recordId),
        isNotNull(mirrorAudit.operatorOpenId),
      ),
    )
    .orderBy(desc(mirrorAudit.id))
    .limit(1);
  if (audited?.openId?.startsWith('ou_')) return [audited.openId];
  return (await deps.directory.people({ role: 'admin' })).map((p) => p.openId);
}

function labelOf(template: TableTemplate, row: SourceRow | undefined): string | undefined {
  const primary = row?.values[template.primaryField];
  return typeof primary === 'string' && primary.trim() ? primary.trim() : undefined;
}
