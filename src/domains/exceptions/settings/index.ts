import type { z } from 'zod';
import type { Setting, SettingOptions, SettingsSnapshot } from '../../../core/settings.js';
import { fromRules } from '../../directory/rules.js';
import { CALENDAR_SETTING, CalendarSetting } from '../../shared/business-calendar-config.js';
import { ApprovalConfig } from '../logic/approvals.js';
import { SlaMatrix } from '../logic/clocks.js';
import { EscalationPolicy } from '../logic/escalation.js';
import { KindRules } from '../logic/kind-rules.js';
import { CaseKindsConfig, DEFAULT_KINDS } from '../logic/kinds.js';
import { NudgePolicy } from '../logic/nudges.js';
import { ClockPolicy } from '../logic/state-machine.js';
import { ClaimPolicy } from '../logic/claims.js';
import { KIND_TABLE, kindRulesFromTable } from './from-kinds.js';
import { approvalsFromRules, escalationFromRules, nudgesFromRules, slaFromRules } from './from-rules.js';

/** Where settings are declared: `bot` in a module, or a SettingsStore bound to the module (tests, demo). */
export interface SettingsHost {
  settings<S extends z.ZodType>(key: string, schema: S, options?: SettingOptions<S>): Setting<z.infer<S>>;
  settingsStore: { snapshot(): Promise<SettingsSnapshot> };
}

/** Every rule of the exception workflow leads may edit, with where they edit it. */
export function declareExceptionSettings(bot: SettingsHost) {
  return {
    snapshot: () => bot.settingsStore.snapshot(),
    kinds: bot.settings('exceptions.kinds', CaseKindsConfig),
    kindRules: bot.settings('exceptions.kind_rules', KindRules, {
      source: {
        table: KIND_TABLE,
        map: (input) =>
          kindRulesFromTable(
            input,
            DEFAULT_KINDS.map((k) => k.id),
          ),
      },
    }),
    sla: bot.settings('exceptions.sla', SlaMatrix, { source: fromRules(slaFromRules) }),
    approvals: bot.settings('exceptions.approval_bands', ApprovalConfig, { source: fromRules(approvalsFromRules) }),
    nudges: bot.settings('exceptions.nudges', NudgePolicy, { source: fromRules(nudgesFromRules) }),
    escalation: bot.settings('exceptions.escalation', EscalationPolicy, { source: fromRules(escalationFromRules) }),
    clock: bot.settings('exceptions.clock', ClockPolicy),
    claims: bot.settings('exceptions.claims', ClaimPolicy),
    calendar: bot.settings(CALENDAR_SETTING, CalendarSetting),
  };
}

export type ExceptionSettings = ReturnType<typeof declareExceptionSettings>;
