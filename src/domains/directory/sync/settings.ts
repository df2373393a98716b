import { ApprovalBands, ApprovalConfig } from '../../exceptions/logic/approvals.js';
import { SlaMatrix } from '../../exceptions/logic/clocks.js';
import { EscalationPolicy } from '../../exceptions/logic/escalation.js';
import { NudgePolicy } from '../../exceptions/logic/nudges.js';
import type { OptionKeys, SyncProblem } from './rows.js';
import { minutesOf, PRIORITY_OF_OPTION, problem, rulesOfType, type RuleRow } from './settings-values.js';

/** What 规则配置 says for each exception setting; undefined = the table has no rows for it. */
export interface MappedSettings {
  sla?: SlaMatrix;
  nudges?: NudgePolicy;
  approvals?: ApprovalConfig;
  escalation?: EscalationPolicy;
}

type Priority = 'P1' | 'P2' | 'P3';
const PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3'];

/** 审批角色 option keys → approver roles. Empty = no approval (自动通过). */
const APPROVER_OF_OPTION: Readonly<Record<string, ApprovalBands[number]['approver']>> = { team_lead: 'lead', manager: 'manager', general_manager: 'manager', finance: 'finance_director' };

/**
 * SLA rows (类型 × 优先级, 数值 in 单位, hours when empty) laid over the built-in matrix: a row
 * without 异常类型 sets the default, one without 优先级 sets all three; the latest edit wins.
 */
function mapSla(rows: readonly RuleRow[], options: OptionKeys, problems: SyncProblem[]): SlaMatrix | undefined {
  if (rows.length === 0) return undefined;
  // A copy: the schema hands out its default objects, which must not be changed in place.
  const sla = structuredClone(SlaMatrix.parse({}));
  // General rows first, so a kind's own row is never overwritten by an "all kinds" row.
  for (const { recordId, row } of [...rows].sort((a, b) => Number(Boolean(a.row.exception_kind)) - Number(Boolean(b.row.exception_kind)))) {
    const kind = options.key('exception_kind', row.exception_kind);
    const priority = PRIORITY_OF_OPTION[options.key('priority', row.priority) ?? ''];
    const budget = minutesOf(row, options, 'business_hours');
    if (row.exception_kind && !kind) problems.push(problem(recordId, row, `未知异常类型「${row.exception_kind}」 unknown exception kind`));
    else if (row.priority && !priority) problems.push(problem(recordId, row, `未知优先级「${row.priority}」 unknown priority`));
    else if ('problem' in budget) problems.push(problem(recordId, row, budget.problem));
    else for (const p of priority ? [priority] : PRIORITIES) {
      if (kind) sla.byKind[kind] = { ...sla.byKind[kind], [p]: budget.minutes };
      else sla.default[p] = budget.minutes;
    }
  }
  return SlaMatrix.parse(sla);
}

/** 提醒间隔 rows → how often the warehouse is reminded (one interval for all kinds; the latest edit wins). */
function mapNudges(rows: readonly RuleRow[], options: OptionKeys, problems: SyncProblem[]): NudgePolicy | undefined {
  let policy: NudgePolicy | undefined;
  for (const { recordId, row } of rows) {
    const interval = minutesOf(row, options);
    if (row.exception_kind) problems.push(problem(recordId, row, '催办间隔对所有类型生效，暂不支持按类型设置 the reminder interval applies to all kinds'));
    else if ('problem' in interval) problems.push(problem(recordId, row, interval.problem));
    else policy = NudgePolicy.parse({ intervalMinutes: interval.minutes });
  }
  return policy;
}

/** 审批金额档 rows [金额下限, 金额上限) in yuan → bands for refunds and compensation alike. */
function mapApprovals(rows: readonly RuleRow[], options: OptionKeys, problems: SyncProblem[]): ApprovalConfig | undefined {
  if (rows.length === 0) return undefined;
  const bands: { min: number; band: ApprovalBands[number] }[] = [];
  for (const { recordId, row } of rows) {
    const roleKey = options.key('approver_role', row.approver_role);
    const approver = row.approver_role ? APPROVER_OF_OPTION[roleKey ?? ''] : 'auto';
    const min = row.amount_min ?? 0;
    if (!approver) problems.push(problem(recordId, row, `审批角色「${row.approver_role}」不能审批异常件（可用：组长、主管、总经理、财务） this role cannot approve`));
    else if (min < 0 || (row.amount_max !== null && row.amount_max <= min)) problems.push(problem(recordId, row, '金额上限须大于下限 the upper bound must be above the lower'));
    // [min, max) in yuan → "up to and including" in fen.
    else bands.push({ min, band: { upToFen: row.amount_max === null ? null : Math.round(row.amount_max * 100) - 1, approver } });
  }
  const parsed = ApprovalBands.safeParse(bands.sort((a, b) => a.min - b.min).map((b) => b.band));
  if (!parsed.success) {
    const first = rows[0]!;
    problems.push(problem(first.recordId, first.row, `审批金额档不连贯，仍用原设置 the bands do not fit together (${parsed.error.issues[0]?.message}); the previous ones stay`));
    return undefined;
  }
  return ApprovalConfig.parse({ refund: parsed.data, compensation: parsed.data });
}

/** 预警比例 on SLA rows → when the owner is warned (one share for all cases; the latest edit wins). */
function mapEscalation(rows: readonly RuleRow[], problems: SyncProblem[]): EscalationPolicy | undefined {
  let policy: EscalationPolicy | undefined;
  for (const { recordId, row } of rows) {
    if (row.warn_at === null) continue;
    const parsed = EscalationPolicy.safeParse({ warnAtFraction: row.warn_at });
    if (parsed.success) policy = parsed.data;
    else problems.push(problem(recordId, row, '预警比例须在 0% 到 100% 之间 warn-at must be between 0% and 100%'));
  }
  return policy;
}

/** Enabled 规则配置 rows in effect at `now` → the exception settings they define. */
export function mapSettings(rows: readonly RuleRow[], options: OptionKeys, now: Date, problems: SyncProblem[]): MappedSettings {
  const sla = rulesOfType(rows, 'sla', options, now);
  return {
    sla: mapSla(sla, options, problems),
    nudges: mapNudges(rulesOfType(rows, 'reminder', options, now), options, problems),
    approvals: mapApprovals(rulesOfType(rows, 'approval_band', options, now), options, problems),
    escalation: mapEscalation(sla, problems),
  };
}
