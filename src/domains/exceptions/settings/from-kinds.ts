import { z } from 'zod';
import type { SourceInput } from '../../../core/settings.js';
import { teamKeyOf } from '../../directory/rules.js';
import type { KindRule, KindRules } from '../logic/kind-rules.js';
import { PRIORITY_OF_OPTION } from './from-rules.js';

/** 异常类型配置: one row per kind, as the mirror decodes it (links as record ids, selects as names). */
export const KIND_TABLE = 'exception_kinds';

const Text = z
  .string()
  .nullable()
  .transform((s) => (s?.trim() ? s.trim() : null));
const Count = z.number().nullable();
const KindRow = z.looseObject({
  kind_name: Text,
  code: Text,
  team: z.array(z.string()),
  default_priority: Text,
  awaited_field: Text,
  nudge_interval_minutes: Count,
  platform_deadline_hours: Count,
  sla_hours: Count.optional(),
  enabled: z.boolean(),
});

const AWAITED: Readonly<Record<string, KindRule['awaited']>> = {
  tracking_no: 'tracking_number',
  return_tracking_no: 'return_tracking_number',
  none: 'none',
};

/** Whole positive minutes from a cell, or a reason (the cell is then left out, the rest applies). */
function positive(value: number | null | undefined, factor: number): number | undefined | { problem: string } {
  if (value === null || value === undefined) return undefined;
  const minutes = Math.round(value * factor);
  return minutes > 0 ? minutes : { problem: '须大于 0 must be above 0' };
}

/**
 * 异常类型配置 rows → each kind's team, default priority, awaited number, nudge interval, platform
 * deadline and SLA (undefined when the table is empty: the built-in kinds hold). A row is matched
 * by 类型编码 (the kind's id, e.g. `lost`); the latest edit of a code wins.
 */
export async function kindRulesFromTable(
  input: SourceInput,
  knownKinds: readonly string[],
): Promise<KindRules | undefined> {
  const rules: KindRules = {};
  for (const r of input.rows) {
    const parsed = KindRow.safeParse(r.values);
    if (!parsed.success) {
      input.problem(
        r.recordId,
        `无法读取该行 unreadable row: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      );
      continue;
    }
    const row = parsed.data;
    const name = row.kind_name ?? row.code ?? '该行';
    const kind = row.code?.toLowerCase();
    if (!kind || !knownKinds.includes(kind)) {
      input.problem(
        r.recordId,
        `${name}：类型编码「${row.code ?? ''}」不是已知的异常类型（${knownKinds.join(', ')}） unknown kind code`,
      );
      continue;
    }
    const rule: KindRule = { enabled: row.enabled };
    const say = (message: string) => input.problem(r.recordId, `${name}：${message}`);
    const teamRow = row.team[0] ? await input.linked('teams', row.team[0]) : undefined;
    const team = teamRow && typeof teamRow.values.code === 'string' ? teamKeyOf(teamRow.values.code) : undefined;
    if (team) rule.team = team;
    else if (row.team[0]) say('处理团队没有可用的团队编码 the linked team has no usable code');
    const priority = PRIORITY_OF_OPTION[input.optionKey('default_priority', row.default_priority) ?? ''];
    if (priority) rule.priority = priority;
    const awaited = AWAITED[input.optionKey('awaited_field', row.awaited_field) ?? ''];
    if (awaited) rule.awaited = awaited;
    const cells = [
      ['nudgeIntervalMinutes', positive(row.nudge_interval_minutes, 1), '催办间隔'],
      ['platformDeadlineHours', positive(row.platform_deadline_hours, 1), '平台时限'],
      ['slaMinutes', positive(row.sla_hours, 60), 'SLA'],
    ] as const;
    for (const [key, value, label] of cells) {
      if (typeof value === 'number') rule[key] = value;
      else if (value) say(`${label}${value.problem}`);
    }
    rules[kind] = rule;
  }
  return input.rows.length === 0 ? undefined : rules;
}
