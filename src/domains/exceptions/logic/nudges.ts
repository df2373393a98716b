import { z } from 'zod';
import {
  addBusinessMinutes,
  isWorkingTime,
  nextWorkingInstant,
  type BusinessCalendar,
} from '../../shared/business-calendar.js';
import type { CaseState } from './case.js';

export const NudgePolicy = z
  .object({
    /** Business minutes between reminders to the warehouse. */
    intervalMinutes: z.number().int().positive().default(60),
  })
  .default({ intervalMinutes: 60 });
export type NudgePolicy = z.infer<typeof NudgePolicy>;

/**
 * When to remind next: `interval` business minutes after the last reminder (or after the
 * case started waiting), always at a working instant — a reminder never lands in lunch or at night.
 */
export function nextNudgeAt(
  lastNudgeAt: Date | null,
  waitingSince: Date,
  interval: number,
  cal: BusinessCalendar,
): Date {
  if (!Number.isFinite(interval) || interval <= 0) throw new RangeError(`nudge interval must be > 0, got ${interval}`);
  const from = lastNudgeAt && lastNudgeAt > waitingSince ? lastNudgeAt : waitingSince;
  return nextWorkingInstant(cal, addBusinessMinutes(cal, from, interval));
}

export interface NudgeSubject {
  readonly state: CaseState;
  readonly waitingSince: Date;
  readonly lastNudgeAt: Date | null;
  /** Required fields still empty (see missingRequiredFields in kinds.ts). */
  readonly missingFields: readonly string[];
}

export type NudgeDecision =
  | { readonly action: 'stop'; readonly reason: 'not_waiting_on_warehouse' | 'fields_filled' }
  | { readonly action: 'send'; readonly missingFields: readonly string[] }
  | { readonly action: 'wait'; readonly until: Date };

/**
 * What the nudge job does for one case at `now`: stop once the fields are in (from a card,
 * Bitable or a chat reply alike — it only sees the values), otherwise send or wait.
 * A tick that runs late outside working hours waits for the next working instant.
 */
export function nudgeDecision(
  subject: NudgeSubject,
  policy: NudgePolicy,
  cal: BusinessCalendar,
  now: Date,
): NudgeDecision {
  if (subject.state !== 'waiting_warehouse') return { action: 'stop', reason: 'not_waiting_on_warehouse' };
  if (subject.missingFields.length === 0) return { action: 'stop', reason: 'fields_filled' };
  const due = nextNudgeAt(subject.lastNudgeAt, subject.waitingSince, policy.intervalMinutes, cal);
  if (now < due) return { action: 'wait', until: due };
  if (!isWorkingTime(cal, now)) return { action: 'wait', until: nextWorkingInstant(cal, now) };
  return { action: 'send', missingFields: subject.missingFields };
}
