import { z } from 'zod';
import { addDays, daysBetween } from './dates.js';

/**
 * When expiry reminders go out: `offsets` days before the notice deadline (end date − notice
 * period) and before the end date; the recipients widen as the day comes closer.
 */
export const ReminderPolicy = z.object({
  offsets: z.array(z.number().int().min(0).max(730)).min(1).default([90, 30, 7, 1]),
  /** A contract within this many days of its end is `expiring`. */
  expiringDays: z.number().int().min(1).max(365).default(30),
  /** 稍后提醒: snoozed for this many days. */
  snoozeDays: z.number().int().min(1).max(60).default(3),
  /** Auto-renewal term in months when the contract does not say. */
  renewMonths: z.number().int().min(1).max(120).default(12),
});
export type ReminderPolicy = z.infer<typeof ReminderPolicy>;

export type ReminderKind = 'notice' | 'end';
/** 1: owner; 2: owner + manager; 3: owner + manager + legal/finance. */
export type ReminderLevel = 1 | 2 | 3;

export interface DueReminder {
  kind: ReminderKind;
  /** The notice deadline or end date the reminder counts down to. */
  target: string;
  offset: number;
  daysLeft: number;
  level: ReminderLevel;
}

/** The notice deadline: the last day notice can be given (end date − notice days), or null without one. */
export function noticeDeadline(endDate: string, noticeDays: number | null): string | null {
  return noticeDays && noticeDays > 0 ? addDays(endDate, -noticeDays) : null;
}

/** Recipients widen with the offset: the largest offset goes to the owner, the smallest two widest. */
export function levelOf(offsets: readonly number[], offset: number): ReminderLevel {
  const sorted = [...new Set(offsets)].sort((a, b) => b - a);
  const i = sorted.indexOf(offset);
  if (sorted.length <= 1 || i <= 0) return 1;
  if (i >= sorted.length - 2) return 3;
  return 2;
}

/**
 * The reminders due on `today` (a business-time-zone calendar day) for a contract: for each
 * target, the smallest offset already reached that is not in `sent` (a sweep that missed days
 * sends one reminder, the most urgent, not a backlog). Pure.
 */
export function dueReminders(
  c: { endDate: string; noticeDays: number | null },
  today: string,
  policy: ReminderPolicy,
  sent: ReadonlySet<string>,
): DueReminder[] {
  const out: DueReminder[] = [];
  const targets: Array<[ReminderKind, string | null]> = [
    ['notice', noticeDeadline(c.endDate, c.noticeDays)],
    ['end', c.endDate],
  ];
  for (const [kind, target] of targets) {
    if (!target) continue;
    const daysLeft = daysBetween(today, target);
    if (daysLeft < 0) continue;
    const reached = policy.offsets.filter((o) => daysLeft <= o).sort((a, b) => a - b);
    const offset = reached[0];
    if (offset === undefined || sent.has(reminderKey(kind, target, offset))) continue;
    out.push({ kind, target, offset, daysLeft, level: levelOf(policy.offsets, offset) });
  }
  return out;
}

export const reminderKey = (kind: ReminderKind, target: string, offset: number): string =>
  `${kind}:${target}:${offset}`;
