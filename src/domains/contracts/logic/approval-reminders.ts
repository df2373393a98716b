import { z } from 'zod';
import { localDayNumber } from '../../../core/zoned-time.js';
import { businessMinutesBetween, isWorkingTime, type BusinessCalendar } from '../../shared/business-calendar.js';
import { ApproverRole } from './contract.js';

export const MAX_REMIND_HOURS = 2000;
export const MAX_ESCALATE_HOURS = 4000;

/**
 * An approval step nobody decides: its approver is reminded once per business day after `remindAfterHours` business
 * hours, and after `escalateAfterHours` it is escalated once — to the approver's team manager, else to the holder of
 * `escalateTo` — who may then decide it too.
 */
export const ApprovalReminderPolicy = z
  .object({
    remindAfterHours: z
      .number()
      .positive('催办时限须大于 0 · the reminder limit must be above 0')
      .max(MAX_REMIND_HOURS, `催办时限最多 ${MAX_REMIND_HOURS} 工作小时 · at most ${MAX_REMIND_HOURS} business hours`)
      .default(8),
    escalateAfterHours: z
      .number()
      .positive('升级时限须大于 0 · the escalation limit must be above 0')
      .max(
        MAX_ESCALATE_HOURS,
        `升级时限最多 ${MAX_ESCALATE_HOURS} 工作小时 · at most ${MAX_ESCALATE_HOURS} business hours`,
      )
      .default(24),
    escalateTo: ApproverRole.default('general_manager'),
  })
  .refine(
    (p) => p.escalateAfterHours >= p.remindAfterHours,
    '升级时限不能早于催办时限 · the escalation limit must not be below the reminder limit',
  );
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
