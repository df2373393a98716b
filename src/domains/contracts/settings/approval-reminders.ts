import type { z } from 'zod';
import type { SourceInput } from '../../../core/settings.js';
import { minutesOf, ruleProblem, ruleRows, type RuleRow } from '../../directory/rules.js';
import { ApprovalReminderPolicy, MAX_ESCALATE_HOURS, MAX_REMIND_HOURS } from '../logic/approval-reminders.js';
import type { ApproverRole } from '../logic/contract.js';

/** 审批角色 / 升级对象 option keys of 规则配置 → chain roles. */
export const ROLE_OF_OPTION: Readonly<Record<string, ApproverRole>> = {
  legal: 'legal',
  finance: 'finance',
  manager: 'manager',
  team_lead: 'manager',
  general_manager: 'general_manager',
};

/** 单位 of a 合同 提醒间隔 row that is an approver's clock (business time), not an expiry offset in days. */
const APPROVAL_UNITS: ReadonlySet<string> = new Set(['minutes', 'hours', 'business_hours', 'business_days']);

/** The 提醒间隔 rows of 合同 (适用业务 合同 only, as the expiry offsets read them). */
export function contractReminderRows(input: SourceInput): RuleRow[] {
  return ruleRows(input, 'contracts', 'reminder').filter(
    (r) => input.optionKey('domain', r.row.domain) === 'contracts',
  );
}

/** A row about approvers rather than expiry: it names a 升级对象, or counts in hours (not whole days). */
export function isApprovalTiming(input: SourceInput, r: RuleRow): boolean {
  return Boolean(r.row.escalate_to) || APPROVAL_UNITS.has(input.optionKey('unit', r.row.unit) ?? '');
}

const hoursText = (h: number): string => String(Math.round(h * 100) / 100);

/**
 * 规则配置 → `contracts.approval_reminders`. 提醒间隔 rows of 合同 counted in business time: without 升级对象 the
 * approver is reminded after 数值 单位; with 升级对象 the step is escalated after 数值 单位 (to the approver's manager,
 * else to a holder of that role). The latest edit of each wins; 单位 天 / 工作日 count as 8 business hours.
 * An escalation before the reminder is named on the row and refused by the policy's schema: the previous value stays.
 */
export function approvalRemindersFromRules(input: SourceInput): z.input<typeof ApprovalReminderPolicy> | undefined {
  let remind: { hours: number; row: RuleRow } | undefined;
  let escalate: { hours: number; role: ApproverRole; row: RuleRow } | undefined;
  for (const r of contractReminderRows(input).filter((row) => isApprovalTiming(input, row))) {
    const time = minutesOf(r.row, input);
    if ('problem' in time) {
      ruleProblem(input, r, time.problem);
      continue;
    }
    const hours = time.minutes / 60;
    if (r.row.escalate_to) {
      const role = ROLE_OF_OPTION[input.optionKey('escalate_to', r.row.escalate_to) ?? ''];
      if (!role)
        ruleProblem(
          input,
          r,
          `升级对象「${r.row.escalate_to}」不能审批合同（可用：法务、财务、主管、总经理） · this role cannot approve contracts`,
        );
      else if (hours > MAX_ESCALATE_HOURS)
        ruleProblem(
          input,
          r,
          `升级时限最多 ${MAX_ESCALATE_HOURS} 工作小时 · at most ${MAX_ESCALATE_HOURS} business hours`,
        );
      else escalate = { hours, role, row: r };
    } else if (hours > MAX_REMIND_HOURS)
      ruleProblem(input, r, `催办时限最多 ${MAX_REMIND_HOURS} 工作小时 · at most ${MAX_REMIND_HOURS} business hours`);
    else remind = { hours, row: r };
  }
  if (!remind && !escalate) return undefined;
  const value = {
    ...(remind ? { remindAfterHours: remind.hours } : {}),
    ...(escalate ? { escalateAfterHours: escalate.hours, escalateTo: escalate.role } : {}),
  };
  const defaults = ApprovalReminderPolicy.parse({});
  const r = value.remindAfterHours ?? defaults.remindAfterHours;
  const e = value.escalateAfterHours ?? defaults.escalateAfterHours;
  if (e < r) {
    // The row edited last made the pair wrong.
    const blamed = [remind?.row, escalate?.row]
      .filter((x): x is RuleRow => x !== undefined)
      .sort((a, b) => (a.modifiedAt?.getTime() ?? 0) - (b.modifiedAt?.getTime() ?? 0))
      .at(-1)!;
    ruleProblem(
      input,
      blamed,
      `升级时限（${hoursText(e)} 工作小时）早于催办时限（${hoursText(r)} 工作小时），未生效，仍用原设置 · ` +
        `escalating after ${hoursText(e)} business hours comes before the reminder after ${hoursText(r)}; ` +
        'not applied, the previous setting stays',
    );
  }
  return value;
}
