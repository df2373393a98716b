import { z } from 'zod';
import { CHINA_2026_CALENDAR_ROWS } from './china-holidays-2026.js';
import { dayNumberOfIsoDate, isTimeZone } from '../../core/zoned-time.js';

const HH_MM = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;

/** Minutes since local midnight of `HH:MM` (`24:00` allowed as an end). */
export function minuteOfHhMm(value: string): number {
  const m = HH_MM.exec(value);
  if (!m) throw new RangeError(`not a HH:MM time: ${value}`);
  return Number(m[1] ?? m[3]) * 60 + Number(m[2] ?? m[4]);
}

export const WorkPeriodConfig = z
  .object({
    start: z.string().regex(HH_MM, 'must be HH:MM such as 09:00'),
    end: z.string().regex(HH_MM, 'must be HH:MM such as 18:30'),
  })
  .refine((p) => minuteOfHhMm(p.start) < minuteOfHhMm(p.end), 'start must be before end');
export type WorkPeriodConfig = z.infer<typeof WorkPeriodConfig>;

/** A day's periods, in order and not overlapping. */
export const DayHoursConfig = z.array(WorkPeriodConfig).superRefine((periods, ctx) => {
  for (let i = 1; i < periods.length; i++) {
    if (minuteOfHhMm(periods[i]!.start) < minuteOfHhMm(periods[i - 1]!.end)) {
      ctx.addIssue({ code: 'custom', message: 'periods must be in order and must not overlap', path: [i] });
    }
  }
});

const OFFICE_DAY = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:30' },
];

export const WeeklyHoursConfig = z.object({
  mon: DayHoursConfig.default(OFFICE_DAY),
  tue: DayHoursConfig.default(OFFICE_DAY),
  wed: DayHoursConfig.default(OFFICE_DAY),
  thu: DayHoursConfig.default(OFFICE_DAY),
  fri: DayHoursConfig.default(OFFICE_DAY),
  sat: DayHoursConfig.default([]),
  sun: DayHoursConfig.default([]),
});

export const CalendarDateRow = z.object({
  date: z.string().refine((d) => dayNumberOfIsoDate(d) !== null, 'must be a real date YYYY-MM-DD'),
  /** holiday: no work that day; workday: a make-up workday (调休上班) on the make-up hours. */
  type: z.enum(['holiday', 'workday']),
  name: z.string().default(''),
});
export type CalendarDateRow = z.infer<typeof CalendarDateRow>;
export type CalendarDateRowInput = z.input<typeof CalendarDateRow>;

export const CalendarDateRows = z.array(CalendarDateRow).superRefine((rows, ctx) => {
  const seen = new Map<string, string>();
  rows.forEach((row, i) => {
    const before = seen.get(row.date);
    if (before !== undefined && before !== row.type) {
      ctx.addIssue({ code: 'custom', message: `${row.date} is both a holiday and a workday`, path: [i, 'date'] });
    }
    seen.set(row.date, row.type);
  });
});

export const BusinessCalendarConfig = z.object({
  timeZone: z.string().refine(isTimeZone, 'is not an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
  weeklyHours: WeeklyHoursConfig.default(WeeklyHoursConfig.parse({})),
  /** Hours worked on a make-up workday; defaults to the usual office day. */
  makeUpWorkdayHours: DayHoursConfig.default(OFFICE_DAY),
  /** Public holidays and make-up workdays; defaults to China's 2026 schedule. */
  dates: CalendarDateRows.default(() => CalendarDateRows.parse(CHINA_2026_CALENDAR_ROWS)),
});
export type BusinessCalendarConfig = z.infer<typeof BusinessCalendarConfig>;
export type BusinessCalendarConfigInput = z.input<typeof BusinessCalendarConfig>;

/** The setting holding the business calendar every workflow counts in (from 工作日历). */
export const CALENDAR_SETTING = 'shared.business_calendar';

/** As stored: kept raw, checked when compiled (the business time zone fills the gap). */
export const CalendarSetting = z.record(z.string(), z.unknown()).default({});
