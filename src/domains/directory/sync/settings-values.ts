import type { SourceInput } from '../../../core/settings.js';
import { SettingRow, type Parsed } from './rows.js';

/** A 规则配置 row that applies to one workflow now. */
export type RuleRow = Parsed<SettingRow>;

/**
 * 单位 → minutes. The SLA and reminder clocks count business time, so an hour is a business hour
 * and a day is a business day of 480 minutes (09:00–18:30 less lunch), whichever the lead picked.
 */
const MINUTES_PER_UNIT: Readonly<Record<string, number>> = {
  minutes: 1,
  hours: 60,
  business_hours: 60,
  days: 480,
  business_days: 480,
};

/** 数值 × 单位 as whole business minutes, or a reason it cannot be. */
export function minutesOf(
  row: SettingRow,
  input: Pick<SourceInput, 'optionKey'>,
  defaultUnit?: string,
): { minutes: number } | { problem: string } {
  const unit = input.optionKey('unit', row.unit) ?? (row.unit ? undefined : defaultUnit);
  const factor = unit ? MINUTES_PER_UNIT[unit] : undefined;
  if (!factor)
    return { problem: row.unit ? `单位「${row.unit}」不是时间单位 unit is not a duration` : '缺少单位 no unit' };
  if (row.value === null || row.value <= 0) return { problem: '数值须大于 0 value must be above 0' };
  const minutes = Math.round(row.value * factor);
  return minutes > 0 ? { minutes } : { problem: '数值太小 value too small' };
}

/**
 * The 规则配置 rows of one rule type for `workflow` (适用业务 that workflow, or empty): enabled and in
 * effect at `input.now`, oldest edit first. Unreadable rows are reported once and skipped.
 */
export function ruleRows(input: SourceInput, workflow: string, type: string): RuleRow[] {
  const out: RuleRow[] = [];
  for (const r of input.rows) {
    const parsed = SettingRow.safeParse(r.values);
    if (!parsed.success) {
      input.problem(
        r.recordId,
        `无法读取该行 unreadable row: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      );
      continue;
    }
    const row = parsed.data;
    if (!row.enabled || input.optionKey('rule_type', row.rule_type) !== type) continue;
    const domain = input.optionKey('domain', row.domain);
    if (domain && domain !== workflow) continue;
    if (row.effective_from && row.effective_from.getTime() > input.now.getTime()) continue;
    out.push({ recordId: r.recordId, modifiedAt: r.modifiedAt, row });
  }
  return out;
}

/** Reports a rule row the workflow cannot use, naming the rule (and the field at fault, when known). */
export function ruleProblem(input: SourceInput, { recordId, row }: RuleRow, message: string, field?: string): void {
  input.problem(recordId, `${row.rule_name ?? '规则'}：${message}`, field);
}
