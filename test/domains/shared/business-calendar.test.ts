import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  buildBusinessCalendar,
  businessMinutesBetween,
  calendarFromRows,
  dateOverrideAt,
  isWorkingTime,
  nextWorkingInstant,
  NoWorkingTimeError,
} from '../../../src/domains/shared/business-calendar.js';

/** Shanghai wall time → instant (UTC+8, no DST). */
const sh = (iso: string): Date => new Date(`${iso}+08:00`);
const cal = buildBusinessCalendar();

describe('default business calendar (Asia/Shanghai, 09:00–12:00 and 13:30–18:30, China 2026)', () => {
  it('makes a case opened Friday 17:00 with a 4-business-hour SLA due Monday 11:30', () => {
    // Friday 17:00–18:30 is 90 minutes; Monday 09:00–11:30 the remaining 150.
    expect(addBusinessMinutes(cal, sh('2026-11-20T17:00'), 240)).toEqual(sh('2026-11-23T11:30'));
  });

  it('skips the lunch break', () => {
    expect(addBusinessMinutes(cal, sh('2026-11-25T11:00'), 120)).toEqual(sh('2026-11-25T14:30'));
    expect(businessMinutesBetween(cal, sh('2026-11-25T11:00'), sh('2026-11-25T14:30'))).toBe(120);
  });

  it('ends at 12:00, not 13:30, when the budget runs out exactly at the lunch break', () => {
    expect(addBusinessMinutes(cal, sh('2026-11-25T09:00'), 180)).toEqual(sh('2026-11-25T12:00'));
  });

  it('starts counting at 09:00 for a case opened at night', () => {
    expect(addBusinessMinutes(cal, sh('2026-11-24T22:40'), 30)).toEqual(sh('2026-11-25T09:30'));
  });

  it('skips the whole National Day holiday', () => {
    // 30 Sep 17:00–18:30 = 90 min; 1–7 Oct are holidays; 8 Oct 09:00 + 150 min.
    expect(addBusinessMinutes(cal, sh('2026-09-30T17:00'), 240)).toEqual(sh('2026-10-08T11:30'));
  });

  it('works on the make-up Saturday after National Day (10 Oct 2026)', () => {
    expect(addBusinessMinutes(cal, sh('2026-10-09T18:00'), 60)).toEqual(sh('2026-10-10T09:30'));
    expect(isWorkingTime(cal, sh('2026-10-10T10:00'))).toBe(true);
  });

  it('works on the make-up Saturday before Spring Festival, then skips the nine-day break', () => {
    expect(addBusinessMinutes(cal, sh('2026-02-13T18:00'), 60)).toEqual(sh('2026-02-14T09:30'));
    expect(addBusinessMinutes(cal, sh('2026-02-14T18:00'), 60)).toEqual(sh('2026-02-24T09:30'));
  });

  it('knows working time at the period edges', () => {
    expect(isWorkingTime(cal, sh('2026-11-25T08:59'))).toBe(false);
    expect(isWorkingTime(cal, sh('2026-11-25T09:00'))).toBe(true);
    expect(isWorkingTime(cal, sh('2026-11-25T11:59'))).toBe(true);
    expect(isWorkingTime(cal, sh('2026-11-25T12:00'))).toBe(false);
    expect(isWorkingTime(cal, sh('2026-11-25T13:30'))).toBe(true);
    expect(isWorkingTime(cal, sh('2026-11-25T18:30'))).toBe(false);
    expect(isWorkingTime(cal, sh('2026-10-01T10:00'))).toBe(false);
    expect(isWorkingTime(cal, sh('2026-11-28T10:00'))).toBe(false);
  });

  it('finds the next working instant after lunch, a weekend and a holiday', () => {
    expect(nextWorkingInstant(cal, sh('2026-11-25T12:15'))).toEqual(sh('2026-11-25T13:30'));
    expect(nextWorkingInstant(cal, sh('2026-11-20T19:00'))).toEqual(sh('2026-11-23T09:00'));
    expect(nextWorkingInstant(cal, sh('2026-04-03T18:45'))).toEqual(sh('2026-04-07T09:00'));
    expect(nextWorkingInstant(cal, sh('2026-11-25T10:07'))).toEqual(sh('2026-11-25T10:07'));
  });

  it('counts 248 working days of 480 minutes in 2026', () => {
    // 261 weekdays − 19 weekday holidays + 6 make-up workdays.
    expect(businessMinutesBetween(cal, sh('2026-01-01T00:00'), sh('2027-01-01T00:00'))).toBe(248 * 480);
  });

  it('handles a ten-year span day by day, not minute by minute', () => {
    const due = addBusinessMinutes(cal, sh('2026-01-05T09:00'), 480 * 2500);
    expect(businessMinutesBetween(cal, sh('2026-01-05T09:00'), due)).toBe(480 * 2500);
  });

  it('counts seconds as fractions of a minute', () => {
    expect(businessMinutesBetween(cal, sh('2026-11-25T09:00:00'), sh('2026-11-25T09:00:30'))).toBe(0.5);
  });

  it('names the holiday of a date for display', () => {
    expect(dateOverrideAt(cal, sh('2026-10-03T12:00'))).toEqual({ type: 'holiday', name: '国庆节 National Day' });
    expect(dateOverrideAt(cal, sh('2026-11-25T12:00'))).toBeNull();
  });
});

describe('configured calendars', () => {
  it('builds from calendar-table rows, which replace the built-in holidays', () => {
    const custom = calendarFromRows([
      { date: '2026-11-25', type: 'holiday', name: '公司年会 Company day' },
      { date: '2026-11-28', type: 'workday', name: '补班 Make-up' },
    ]);
    expect(isWorkingTime(custom, sh('2026-11-25T10:00'))).toBe(false);
    expect(isWorkingTime(custom, sh('2026-11-28T10:00'))).toBe(true);
    expect(isWorkingTime(custom, sh('2026-10-01T10:00'))).toBe(true);
  });

  it('rejects a date that is both a holiday and a workday, an impossible date and a bad zone', () => {
    expect(() =>
      calendarFromRows([
        { date: '2026-11-25', type: 'holiday', name: '' },
        { date: '2026-11-25', type: 'workday', name: '' },
      ]),
    ).toThrow(/both a holiday and a workday/);
    expect(() => calendarFromRows([{ date: '2026-02-30', type: 'holiday' }])).toThrow(/real date/);
    expect(() => buildBusinessCalendar({ timeZone: 'Mars/Olympus' })).toThrow(/IANA time zone/);
  });

  it('rejects overlapping or reversed working periods', () => {
    expect(() =>
      buildBusinessCalendar({
        weeklyHours: {
          mon: [
            { start: '09:00', end: '12:00' },
            { start: '11:00', end: '13:00' },
          ],
        },
      }),
    ).toThrow(/must not overlap/);
    expect(() => buildBusinessCalendar({ weeklyHours: { mon: [{ start: '12:00', end: '09:00' }] } })).toThrow(
      /start must be before end/,
    );
  });

  it('counts a 23-hour day across the spring DST change in Europe/Berlin', () => {
    const allDay = [{ start: '00:00', end: '24:00' }];
    const berlin = buildBusinessCalendar({ timeZone: 'Europe/Berlin', weeklyHours: { sun: allDay }, dates: [] });
    const sundayStart = new Date('2026-03-29T00:00+01:00');
    const mondayStart = new Date('2026-03-30T00:00+02:00');
    expect(businessMinutesBetween(berlin, sundayStart, mondayStart)).toBe(23 * 60);
  });

  it('refuses negative durations and reports a calendar without working time', () => {
    expect(() => addBusinessMinutes(cal, sh('2026-11-25T09:00'), -1)).toThrow(RangeError);
    const never = buildBusinessCalendar({
      weeklyHours: { mon: [], tue: [], wed: [], thu: [], fri: [] },
      makeUpWorkdayHours: [],
    });
    expect(() => addBusinessMinutes(never, sh('2026-11-25T09:00'), 1)).toThrow(NoWorkingTimeError);
    expect(() => nextWorkingInstant(never, sh('2026-11-25T09:00'))).toThrow(NoWorkingTimeError);
  });
});
