import type { Directory } from '../directory/service.js';
import { buildBusinessCalendar, type BusinessCalendar } from '../shared/business-calendar.js';
import { z } from 'zod';
import { ApprovalConfig } from './logic/approvals.js';
import { SlaMatrix } from './logic/clocks.js';
import { EscalationPolicy } from './logic/escalation.js';
import { CaseKindsConfig } from './logic/kinds.js';
import { NudgePolicy } from './logic/nudges.js';
import { ClockPolicy } from './logic/state-machine.js';

/** Setting keys leads edit (directory_settings, mirrored from the 规则配置 Bitable table). */
export const SETTING_KEYS = {
  kinds: 'exceptions.kinds',
  sla: 'exceptions.sla',
  approvals: 'exceptions.approval_bands',
  nudges: 'exceptions.nudges',
  escalation: 'exceptions.escalation',
  clock: 'exceptions.clock',
  calendar: 'shared.business_calendar',
} as const;

/** Everything configurable the exception workflow reads, with the logic modules' defaults. */
export interface Rules {
  kinds: CaseKindsConfig;
  sla: SlaMatrix;
  approvals: ApprovalConfig;
  nudges: NudgePolicy;
  escalation: EscalationPolicy;
  clock: ClockPolicy;
  calendar: BusinessCalendar;
}

const calendars = new Map<string, BusinessCalendar>();

// Validated by buildBusinessCalendar itself; kept raw here so the business time zone fills the gap.
const CalendarSetting = z.record(z.string(), z.unknown());

function compileCalendar(input: Record<string, unknown>, timeZone: string): BusinessCalendar {
  try {
    return buildBusinessCalendar(input);
  } catch {
    // A bad edit must not stop the workflow: the built-in calendar until it is fixed.
    return buildBusinessCalendar({ timeZone });
  }
}

/** Reads the current rules; the compiled calendar is reused while its settings are unchanged. */
export async function loadRules(directory: Directory, timeZone: string): Promise<Rules> {
  const [kinds, sla, approvals, nudges, escalation, clock, calendarConfig] = await Promise.all([
    directory.setting(SETTING_KEYS.kinds, CaseKindsConfig),
    directory.setting(SETTING_KEYS.sla, SlaMatrix),
    directory.setting(SETTING_KEYS.approvals, ApprovalConfig),
    directory.setting(SETTING_KEYS.nudges, NudgePolicy),
    directory.setting(SETTING_KEYS.escalation, EscalationPolicy),
    directory.setting(SETTING_KEYS.clock, ClockPolicy),
    directory.setting(SETTING_KEYS.calendar, CalendarSetting),
  ]);
  const input = { timeZone, ...calendarConfig };
  const cacheKey = JSON.stringify(input);
  let calendar = calendars.get(cacheKey);
  if (!calendar) {
    calendar = compileCalendar(input, timeZone);
    if (calendars.size > 16) calendars.clear();
    calendars.set(cacheKey, calendar);
  }
  return { kinds, sla, approvals, nudges, escalation, clock, calendar };
}
