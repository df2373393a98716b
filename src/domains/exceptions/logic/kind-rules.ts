import { z } from 'zod';
import { Priority } from './case.js';
import type { CaseKind, CaseKindsConfig } from './kinds.js';

/** What 异常类型配置 says about one kind; anything left out keeps the built-in kind's value. */
export const KindRule = z.object({
  team: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/)
    .optional(),
  priority: Priority.optional(),
  /** The number the warehouse must enter: replaces the kind's tracking-number requirement. */
  awaited: z.enum(['tracking_number', 'return_tracking_number', 'none']).optional(),
  /** Business minutes between reminders for this kind (else the 规则配置 interval). */
  nudgeIntervalMinutes: z.number().int().positive().optional(),
  /** A platform deadline this many hours after opening when the source gives none. */
  platformDeadlineHours: z.number().positive().optional(),
  /** Internal SLA in business minutes for every priority of this kind. */
  slaMinutes: z.number().int().positive().optional(),
  /** Unticked: no new cases of this kind; open ones carry on. */
  enabled: z.boolean().default(true),
});
export type KindRule = z.infer<typeof KindRule>;

export const KindRules = z.record(z.string(), KindRule).default({});
export type KindRules = z.infer<typeof KindRules>;

const TRACKING_FIELDS = ['tracking_number', 'return_tracking_number'];

/** The kinds with 异常类型配置 laid over them: owning team, default priority, awaited number. */
export function applyKindRules(config: CaseKindsConfig, rules: KindRules): CaseKindsConfig {
  const kinds = config.kinds.map((kind): CaseKind => {
    const rule = rules[kind.id];
    if (!rule) return kind;
    const others = kind.requiredFields.filter((f) => !TRACKING_FIELDS.includes(f));
    const requiredFields =
      rule.awaited === undefined ? kind.requiredFields : rule.awaited === 'none' ? others : [rule.awaited, ...others];
    return { ...kind, team: rule.team ?? kind.team, priority: rule.priority ?? kind.priority, requiredFields };
  });
  return { ...config, kinds };
}
