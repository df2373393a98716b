import { buildBusinessCalendar, type BusinessCalendar } from '../shared/business-calendar.js';
import type { SettingsSnapshot } from '../../core/settings.js';
import type { ApprovalConfig } from './logic/approvals.js';
import type { SlaMatrix } from './logic/clocks.js';
import type { EscalationPolicy } from './logic/escalation.js';
import { applyKindRules, type KindRule, type KindRules } from './logic/kind-rules.js';
import type { CaseKindsConfig } from './logic/kinds.js';
import type { NudgePolicy } from './logic/nudges.js';
import type { ClockPolicy } from './logic/state-machine.js';
import type { ExceptionSettings } from './settings/index.js';

/** Everything configurable the exception workflow reads, with the logic modules' defaults. */
export interface Rules {
  /** The kinds with 异常类型配置 laid over them (team, priority, awaited number). */
  kinds: CaseKindsConfig;
  kindRules: KindRules;
  sla: SlaMatrix;
  approvals: ApprovalConfig;
  nudges: NudgePolicy;
  escalation: EscalationPolicy;
  clock: ClockPolicy;
  calendar: BusinessCalendar;
}

/** The reminder policy for one kind: its own interval from 异常类型配置, else the general one. */
export function nudgePolicyFor(rules: Rules, kind: string): NudgePolicy {
  const own = rules.kindRules[kind]?.nudgeIntervalMinutes;
  return own ? { ...rules.nudges, intervalMinutes: own } : rules.nudges;
}

export function kindRuleOf(rules: Rules, kind: string): KindRule | undefined {
  return rules.kindRules[kind];
}

function compileCalendar(input: Record<string, unknown>, timeZone: string): BusinessCalendar {
  try {
    return buildBusinessCalendar(input);
  } catch {
    // A bad edit must not stop the workflow: the built-in calendar until it is fixed.
    return buildBusinessCalendar({ timeZone });
  }
}

/** An SLA per kind from 异常类型配置 covers every priority of that kind. */
function slaWithKinds(sla: SlaMatrix, kindRules: KindRules): SlaMatrix {
  const byKind = { ...sla.byKind };
  for (const [kind, rule] of Object.entries(kindRules)) {
    if (rule.slaMinutes) byKind[kind] = { P1: rule.slaMinutes, P2: rule.slaMinutes, P3: rule.slaMinutes };
  }
  return { ...sla, byKind };
}

// Compiled once per settings version: a snapshot is replaced, never changed, when a setting changes.
const compiled = new WeakMap<SettingsSnapshot, Map<string, Rules>>();

/** The current rules, from the settings cache (no query while nothing changed). */
export async function loadRules(settings: ExceptionSettings, timeZone: string): Promise<Rules> {
  const s = await settings.snapshot();
  const byZone = compiled.get(s) ?? new Map<string, Rules>();
  compiled.set(s, byZone);
  const hit = byZone.get(timeZone);
  if (hit) return hit;
  const kindRules = s.get(settings.kindRules);
  const rules: Rules = {
    kinds: applyKindRules(s.get(settings.kinds), kindRules),
    kindRules,
    sla: slaWithKinds(s.get(settings.sla), kindRules),
    approvals: s.get(settings.approvals),
    nudges: s.get(settings.nudges),
    escalation: s.get(settings.escalation),
    clock: s.get(settings.clock),
    calendar: compileCalendar({ timeZone, ...s.get(settings.calendar) }, timeZone),
  };
  byZone.set(timeZone, rules);
  return rules;
}
