import { z } from 'zod';
import { localDayNumber } from '../../../core/zoned-time.js';
import { businessMinutesBetween, isWorkingTime, type BusinessCalendar } from '../../shared/business-calendar.js';
import { ApproverRole } from './contract.js';

/**
 * An approval step nobody decides: its approver is reminded once per business day after `remindAfterHours` business
 * hours, and after `escalateAfterHours` it is escalated once — to the approver's team manager, else to the holder of
 * `escalateTo` — who may then decide it too.
 */
export const ApprovalReminderPolicy = z
  .object({
    remindAfterHours: z.number().positive().max(2000).default(8),
    escalateAfterHours: z.number().positive().max(4000).default(24),
    escalateTo: ApproverRole.default('general_manager'),
  })
  .refine((p) => p.escalateAfterHours >= p.remindAfterHours, 'escalateAfterHours must be ≥ remindAfterHours');
export type ApprovalReminderPolicy = z.infer<typeof ApprovalReminderPolicy>;

export interface PendingStepClock {
  pendingSince: Date;
  remindedAt: Date | null;
  escalatedAt: Date | null;
}

/**
 * What a sweep at `now` does for a pending step (pure): nothing outside working hours; a reminder when the step has
 * waited the limit in business hours and was not reminded on today's business-zone date; an escalation once.
 */
export function stepNudge(
  step: PendingStepClock,
  policy: ApprovalReminderPolicy,
  cal: BusinessCalendar,
  now: Date,
): { remind: boolean; escalate: boolean } {
  if (!isWorkingTime(cal, now)) return { remind: false, escalate: false };
  const waited = businessMinutesBetween(cal, step.pendingSince, now);
  const today = localDayNumber(cal.timeZone, now.getTime());
  const remindedToday = step.remindedAt !== null && localDayNumber(cal.timeZone, step.remindedAt.getTime()) >= today;
  return {
    remind: waited >= policy.remindAfterHours * 60 && !remindedToday,
    escalate: waited >= policy.escalateAfterHours * 60 && step.escalatedAt === null,
  };
}
