import type { z } from 'zod';
import type { Setting, SettingOptions, SettingsSnapshot, SourceInput } from '../../../core/settings.js';
import { fromRules, ruleProblem, ruleRows } from '../../directory/rules.js';
import { CALENDAR_SETTING, CalendarSetting } from '../../shared/business-calendar-config.js';
import { ApprovalReminderPolicy } from '../logic/approval-reminders.js';
import { ApprovalChain, type ChainBand } from '../logic/chain.js';
import { CONTRACT_TYPES, type ContractType } from '../logic/contract.js';
import { FxRates, NumberRule } from '../logic/number.js';
import { ReminderPolicy } from '../logic/reminders.js';
import { RiskPolicy } from '../logic/risk.js';
import {
  approvalRemindersFromRules,
  contractReminderRows,
  isApprovalTiming,
  ROLE_OF_OPTION,
} from './approval-reminders.js';

export interface SettingsHost {
  settings<S extends z.ZodType>(key: string, schema: S, options?: SettingOptions<S>): Setting<z.infer<S>>;
  settingsStore: { snapshot(): Promise<SettingsSnapshot> };
}

/**
 * 规则配置 rows of type 审批金额档 for 合同: one row per step — 合同类型 (empty = all types),
 * 金额下限/上限 in yuan, 审批角色. Undefined (the built-in chain) when there are none.
 */
export function chainFromRules(input: SourceInput): z.input<typeof ApprovalChain> | undefined {
  const rows = ruleRows(input, 'contracts', 'approval_band').filter(
    (r) => input.optionKey('domain', r.row.domain) === 'contracts',
  );
  if (rows.length === 0) return undefined;
  const bands: ChainBand[] = [];
  for (const r of rows) {
    const role = ROLE_OF_OPTION[input.optionKey('approver_role', r.row.approver_role) ?? ''];
    const type = r.row.contract_type ? input.optionKey('contract_type', r.row.contract_type) : undefined;
    if (!role)
      ruleProblem(input, r, `审批角色「${r.row.approver_role ?? ''}」不能审批合同 role cannot approve contracts`);
    else if (r.row.contract_type && !(CONTRACT_TYPES as readonly string[]).includes(type ?? ''))
      ruleProblem(input, r, `未知合同类型「${r.row.contract_type}」 unknown contract type`);
    else if ((r.row.amount_min ?? 0) < 0 || (r.row.amount_max !== null && r.row.amount_max <= (r.row.amount_min ?? 0)))
      ruleProblem(input, r, '金额区间无效 invalid amount band');
    else {
      bands.push({
        ...(type ? { type: type as ContractType } : {}),
        minFen: Math.round((r.row.amount_min ?? 0) * 100),
        maxFen: r.row.amount_max === null ? null : Math.round(r.row.amount_max * 100),
        role,
      });
    }
  }
  return bands.length > 0 ? { bands } : undefined;
}

/**
 * 提醒间隔 rows for 合同 with 单位 天: each row's 数值 is one expiry reminder offset in days. Rows counted in hours or
 * naming a 升级对象 are the approvers' clock (approval-reminders.ts).
 */
export function remindersFromRules(input: SourceInput): z.input<typeof ReminderPolicy> | undefined {
  const rows = contractReminderRows(input).filter((r) => !isApprovalTiming(input, r));
  const offsets: number[] = [];
  for (const r of rows) {
    const unit = input.optionKey('unit', r.row.unit);
    if (unit !== 'days' || r.row.value === null || r.row.value < 0 || !Number.isInteger(r.row.value))
      ruleProblem(
        input,
        r,
        '合同到期提醒须为整数天（单位 天），审批催办用工作小时（单位 工作小时） · ' +
          'an expiry reminder is whole days; an approver reminder is business hours',
      );
    else offsets.push(r.row.value);
  }
  return offsets.length > 0 ? { offsets: [...new Set(offsets)].sort((a, b) => b - a) } : undefined;
}

/** Every rule of the contract workflow leads may edit, with where they edit it. */
export function declareContractSettings(bot: SettingsHost) {
  return {
    snapshot: () => bot.settingsStore.snapshot(),
    numbers: bot.settings('contracts.number_rule', NumberRule),
    chain: bot.settings('contracts.approval_chain', ApprovalChain, { source: fromRules(chainFromRules) }),
    reminders: bot.settings('contracts.reminders', ReminderPolicy, { source: fromRules(remindersFromRules) }),
    risk: bot.settings('contracts.risk', RiskPolicy),
    fx: bot.settings('contracts.fx', FxRates),
    approvalReminders: bot.settings('contracts.approval_reminders', ApprovalReminderPolicy, {
      source: fromRules(approvalRemindersFromRules),
    }),
    /** The business calendar (工作日历) approval reminders count in; shared with the other workflows. */
    calendar: bot.settings(CALENDAR_SETTING, CalendarSetting),
  };
}

export type ContractSettings = ReturnType<typeof declareContractSettings>;
