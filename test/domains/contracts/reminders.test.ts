import { describe, expect, it } from 'vitest';
import { addMonths } from '../../../src/domains/contracts/logic/dates.js';
import { dueReminders, levelOf, reminderKey, ReminderPolicy } from '../../../src/domains/contracts/logic/reminders.js';

const policy = ReminderPolicy.parse({});
const due = (endDate: string, noticeDays: number | null, today: string, sent: string[] = []) =>
  dueReminders({ endDate, noticeDays }, today, policy, new Set(sent));

describe('expiry reminder offsets (calendar days in the business time zone)', () => {
  it('fires at 90/30/7/1 days before the end date, across a month end', () => {
    expect(due('2026-03-31', null, '2025-12-30')).toEqual([]); // 91 days
    expect(due('2026-03-31', null, '2025-12-31')).toMatchObject([{ kind: 'end', offset: 90, daysLeft: 90, level: 1 }]);
    expect(due('2026-03-31', null, '2026-03-01')).toMatchObject([{ offset: 30, daysLeft: 30, level: 2 }]);
    expect(due('2026-03-01', null, '2026-02-22')).toMatchObject([{ offset: 7, daysLeft: 7, level: 3 }]);
  });
  it('counts a leap February correctly', () => {
    // 2028 is a leap year: Feb 29 exists; 2028-03-01 is 1 day after Feb 29.
    expect(due('2028-03-01', null, '2028-02-29')).toMatchObject([{ kind: 'end', offset: 1, daysLeft: 1, level: 3 }]);
    expect(due('2027-03-01', null, '2027-02-28')).toMatchObject([{ kind: 'end', offset: 1, daysLeft: 1 }]);
    expect(due('2028-03-07', null, '2028-02-29')).toMatchObject([{ offset: 7, daysLeft: 7 }]);
  });
  it('reminds before the notice deadline too, and each reminder once', () => {
    // notice deadline 12-01 in 7 days; end in 37 days (the 90-day step)
    const first = due('2026-12-31', 30, '2026-11-24');
    expect(first).toMatchObject([
      { kind: 'notice', target: '2026-12-01', offset: 7, daysLeft: 7 },
      { kind: 'end', target: '2026-12-31', offset: 90, daysLeft: 37 },
    ]);
    const sent = first.map((r) => reminderKey(r.kind, r.target, r.offset));
    expect(due('2026-12-31', 30, '2026-11-25', sent)).toEqual([]);
    expect(due('2026-12-31', 30, '2026-12-01', sent)).toMatchObject([
      { kind: 'notice', offset: 1, daysLeft: 0 },
      { kind: 'end', offset: 30, daysLeft: 30 },
    ]);
  });
  it('after missed days sends one reminder, the most urgent, not a backlog', () => {
    expect(due('2026-06-30', null, '2026-06-25')).toMatchObject([{ offset: 7, daysLeft: 5 }]);
  });
  it('widens the recipients as the day comes closer', () => {
    expect([90, 30, 7, 1].map((o) => levelOf([90, 30, 7, 1], o))).toEqual([1, 2, 3, 3]);
  });
  it('adds months clamped to the month end (renewal terms)', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
  });
});
