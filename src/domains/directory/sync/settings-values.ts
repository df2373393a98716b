import type { OptionKeys, Parsed, SettingRow, SyncProblem } from './rows.js';

/** A 规则配置 row that applies to the exception workflow now. */
export type RuleRow = Parsed<SettingRow>;

/** 优先级 option keys → the workflow's priorities (the table keeps Feishu's P0–P3 scale). */
export const PRIORITY_OF_OPTION: Readonly<Record<string, 'P1' | 'P2' | 'P3'>> = { p0: 'P1', p1: 'P2', p2: 'P3', p3: 'P3' };

/**
 * 单位 → minutes. The SLA and reminder clocks count business time, so an hour is a business hour
 * and a day is a business day of 480 minutes (09:00–18:30 less lunch), whichever the lead picked.
 */
const MINUTES_PER_UNIT: Readonly<Record<string, number>> = { minutes: 1, hours: 60, business_hours: 60, days: 480, business_days: 480 };

/** 数值 × 单位 as whole business minutes, or a reason it cannot be. */
export function minutesOf(row: SettingRow, options: OptionKeys, defaultUnit?: string): { minutes: number } | { problem: string } {
  const unit = options.key('unit', row.unit) ?? (row.unit ? undefined : defaultUnit);
  const factor = unit ? MINUTES_PER_UNIT[unit] : undefined;
  if (!factor) return { problem: row.unit ? `单位「${row.unit}」不是时间单位 unit is not a duration` : '缺少单位 no unit' };
  if (row.value === null || row.value <= 0) return { problem: '数值须大于 0 value must be above 0' };
  const minutes = Math.round(row.value * factor);
  return minutes > 0 ? { minutes } : { problem: '数值太小 value too small' };
}

/** Enabled rows of one rule type for the exception workflow (适用业务 异常件 or empty), in effect at `now`. */
export function rulesOfType(rows: readonly RuleRow[], type: string, options: OptionKeys, now: Date): RuleRow[] {
  return rows.filter(({ row }) => {
    if (!row.enabled || options.key('rule_type', row.rule_type) !== type) return false;
    const domain = options.key('domain', row.domain);
    if (domain && domain !== 'exceptions') return false;
    return !row.effective_from || row.effective_from.getTime() <= now.getTime();
  });
}

export function problem(recordId: string, row: SettingRow, message: string): SyncProblem {
  return { table: 'settings', recordId, message: `${row.rule_name ?? '规则'}：${message}` };
}
