import type { SourceInput } from '../../../core/settings.js';
import { minutesOf, ruleProblem, ruleRows, type RuleRow } from '../../directory/rules.js';
import type { ApprovalConfig } from '../logic/approvals.js';
import { ApprovalBands } from '../logic/approvals.js';
import type { Priority } from '../logic/case.js';
import { SlaMatrix } from '../logic/clocks.js';
import { EscalationPolicy } from '../logic/escalation.js';
import type { NudgePolicy } from '../logic/nudges.js';

/** 优先级 option keys → the workflow's priorities (the tables keep Feishu's P0–P3 scale). */
export const PRIORITY_OF_OPTION: Readonly<Record<string, Priority>> = { p0: 'P1', p1: 'P2', p2: 'P3', p3: 'P3' };
const PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3'];
const WORKFLOW = 'exceptions';

/** 审批角色 option keys → approver roles. Empty = no approval (自动通过). */
const APPROVER_OF_OPTION: Readonly<Record<string, ApprovalBands[number]['approver']>> = {
  team_lead: 'lead',
  manager: 'manager',
  general_manager: 'manager',
  finance: 'finance_director',
};

/**
 * 规则配置 SLA rows (类型 × 优先级, 数值 in 单位, hours when empty) laid over the built-in matrix: a
 * row without 异常类型 sets the default, one without 优先级 sets all three; the latest edit wins.
 */
export function slaFromRules(input: SourceInput): SlaMatrix | undefined {
  const rows = ruleRows(input, WORKFLOW, 'sla');
  if (rows.length === 0) return undefined;
  // A copy: the schema hands out its default objects, which must not be changed in place.
  const sla = structuredClone(SlaMatrix.parse({}));
  // General rows first, so a kind's own row is never overwritten by an "all kinds" row.
  for (const r of [...rows].sort(
    (a, b) => Number(Boolean(a.row.exception_kind)) - Number(Boolean(b.row.exception_kind)),
  )) {
    const { row } = r;
    const kind = input.optionKey('exception_kind', row.exception_kind);
    const priority = PRIORITY_OF_OPTION[input.optionKey('priority', row.priority) ?? ''];
    const budget = minutesOf(row, input, 'business_hours');
    if (row.exception_kind && !kind)
      ruleProblem(input, r, `未知异常类型「${row.exception_kind}」 unknown exception kind`);
    else if (row.priority && !priority) ruleProblem(input, r, `未知优先级「${row.priority}」 unknown priority`);
    else if ('problem' in budget) ruleProblem(input, r, budget.problem);
    else
      for (const p of priority ? [priority] : PRIORITIES) {
        if (kind) sla.byKind[kind] = { ...sla.byKind[kind], [p]: budget.minutes };
        else sla.default[p] = budget.minutes;
      }
  }
  return sla;
}

/** 提醒间隔 rows → how often the warehouse is reminded (for every kind; 异常类型配置 may set a kind's own). */
export function nudgesFromRules(input: SourceInput): NudgePolicy | undefined {
  let policy: NudgePolicy | undefined;
  for (const r of ruleRows(input, WORKFLOW, 'reminder')) {
    const interval = minutesOf(r.row, input);
    if (r.row.exception_kind)
      ruleProblem(input, r, '按类型的催办间隔请在「异常类型配置」中设置 set a kind’s own interval in 异常类型配置');
    else if ('problem' in interval) ruleProblem(input, r, interval.problem);
    else policy = { intervalMinutes: interval.minutes };
  }
  return policy;
}

/** 审批金额档 rows [金额下限, 金额上限) in yuan → bands for refunds and compensation alike. */
export function approvalsFromRules(input: SourceInput): ApprovalConfig | undefined {
  const rows = ruleRows(input, WORKFLOW, 'approval_band');
  if (rows.length === 0) return undefined;
  const bands: { min: number; band: ApprovalBands[number] }[] = [];
  for (const r of rows) {
    const { row } = r;
    const roleKey = input.optionKey('approver_role', row.approver_role);
    const approver = row.approver_role ? APPROVER_OF_OPTION[roleKey ?? ''] : 'auto';
    const min = row.amount_min ?? 0;
    if (!approver)
      ruleProblem(
        input,
        r,
        `审批角色「${row.approver_role}」不能审批异常件（可用：组长、主管、总经理、财务） this role cannot approve`,
      );
    else if (min < 0 || (row.amount_max !== null && row.amount_max <= min))
      ruleProblem(input, r, '金额上限须大于下限 the upper bound must be above the lower');
    // [min, max) in yuan → "up to and including" in fen.
    else
      bands.push({
        min,
        band: { upToFen: row.amount_max === null ? null : Math.round(row.amount_max * 100) - 1, approver },
      });
  }
  const parsed = ApprovalBands.safeParse(bands.sort((a, b) => a.min - b.min).map((b) => b.band));
  if (!parsed.success) {
    ruleProblem(
      input,
      rows[0] as RuleRow,
      `审批金额档不连贯，仍用原设置 the bands do not fit together (${parsed.error.issues[0]?.message}); the previous ones stay`,
    );
    return undefined;
  }
  return { refund: parsed.data, compensation: parsed.data };
}

/** 预警比例 on SLA rows → when the owner is warned (one share for all cases; the latest edit wins). */
export function escalationFromRules(input: SourceInput): EscalationPolicy | undefined {
  let policy: EscalationPolicy | undefined;
  for (const r of ruleRows(input, WORKFLOW, 'sla')) {
    if (r.row.warn_at === null) continue;
    const parsed = EscalationPolicy.safeParse({ warnAtFraction: r.row.warn_at });
    if (parsed.success) policy = parsed.data;
    else ruleProblem(input, r, '预警比例须在 0% 到 100% 之间 warn-at must be between 0% and 100%');
  }
  return policy;
}
