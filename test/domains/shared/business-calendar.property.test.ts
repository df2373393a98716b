import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  buildBusinessCalendar,
  businessMinutesBetween,
  isWorkingTime,
  nextWorkingInstant,
  type BusinessCalendar,
} from '../../../src/domains/shared/business-calendar.js';
import {
  refAddBusinessMinutes,
  refBusinessMinutesBetween,
  refIsWorkingMinute,
  refNextWorkingInstant,
  type ReferenceCalendar,
} from './business-calendar.reference.js';

const MIN = 60_000;
const DAY = 86_400_000;
const WINDOW_START = Date.UTC(2026, 0, 1);
const ZONES = [
  { timeZone: 'Asia/Shanghai', offsetMinutes: 480 },
  { timeZone: 'UTC', offsetMinutes: 0 },
  { timeZone: 'Asia/Kolkata', offsetMinutes: 330 },
] as const;
const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** 0–3 ordered, non-overlapping periods; minute boundaries anywhere in the day, lunch breaks included. */
const dayPeriods = fc.uniqueArray(fc.integer({ min: 0, max: 1440 }), { maxLength: 6 }).map((points) => {
  const sorted = [...points].sort((a, b) => a - b);
  const periods: [number, number][] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) periods.push([sorted[i]!, sorted[i + 1]!]);
  return periods;
});

const overrideRows = fc.uniqueArray(
  fc.record({
    dayOffset: fc.integer({ min: 0, max: 45 }),
    type: fc.constantFrom('holiday' as const, 'workday' as const),
  }),
  { selector: (r) => r.dayOffset, maxLength: 12 },
);

interface Pair {
  cal: BusinessCalendar;
  ref: ReferenceCalendar;
  weeklyMinutes: number;
}

const calendars: fc.Arbitrary<Pair> = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    weekly: fc.array(dayPeriods, { minLength: 7, maxLength: 7 }),
    makeUp: dayPeriods,
    rows: overrideRows,
  })
  .map(({ zone, weekly, makeUp, rows }) => {
    const toConfig = (ps: [number, number][]) => ps.map(([s, e]) => ({ start: hhmm(s), end: hhmm(e) }));
    const dates = rows.map((r) => ({
      date: new Date(WINDOW_START + r.dayOffset * DAY).toISOString().slice(0, 10),
      type: r.type,
      name: '',
    }));
    const cal = buildBusinessCalendar({
      timeZone: zone.timeZone,
      weeklyHours: Object.fromEntries(WEEKDAY_KEYS.map((k, i) => [k, toConfig(weekly[i]!)])),
      makeUpWorkdayHours: toConfig(makeUp),
      dates,
    });
    const ref: ReferenceCalendar = {
      offsetMinutes: zone.offsetMinutes,
      weekly,
      makeUp,
      overrides: new Map(dates.map((d) => [d.date, d.type])),
    };
    const weeklyMinutes = weekly.flat().reduce((sum, [s, e]) => sum + e - s, 0);
    return { cal, ref, weeklyMinutes };
  });

/** Minute-aligned instants over six weeks, so spans cross holidays, weekends and make-up days. */
const instants = fc.integer({ min: 0, max: 42 * 24 * 60 }).map((m) => WINDOW_START - 8 * 3600_000 + m * MIN);

describe('business calendar against a minute-by-minute reference', () => {
  it('agrees on whether each minute is working time', () => {
    fc.assert(
      fc.property(calendars, instants, ({ cal, ref }, t) => {
        expect(isWorkingTime(cal, new Date(t))).toBe(refIsWorkingMinute(ref, t));
      }),
      { numRuns: 500 },
    );
  });

  it('adds business minutes to the same deadline as counting minute by minute', () => {
    fc.assert(
      fc.property(
        calendars,
        instants,
        fc.integer({ min: 0, max: 2500 }),
        ({ cal, ref, weeklyMinutes }, t, permille) => {
          fc.pre(weeklyMinutes > 0);
          // Up to ~2.5 weeks of this calendar's working time, however sparse it is.
          const minutes = Math.floor((weeklyMinutes * permille) / 1000);
          const due = addBusinessMinutes(cal, new Date(t), minutes);
          expect(due.getTime()).toBe(refAddBusinessMinutes(ref, t, minutes));
          expect(businessMinutesBetween(cal, new Date(t), due)).toBe(minutes);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('counts the business minutes between two instants like the reference, signed by order', () => {
    fc.assert(
      fc.property(calendars, instants, instants, ({ cal, ref }, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const expected = refBusinessMinutesBetween(ref, lo, hi);
        expect(businessMinutesBetween(cal, new Date(lo), new Date(hi))).toBe(expected);
        expect(businessMinutesBetween(cal, new Date(hi), new Date(lo))).toBe(hi === lo ? 0 : -expected);
      }),
      { numRuns: 150 },
    );
  });

  it('finds the same next working instant as the reference', () => {
    fc.assert(
      fc.property(calendars, instants, ({ cal, ref, weeklyMinutes }, t) => {
        fc.pre(weeklyMinutes > 0);
        expect(nextWorkingInstant(cal, new Date(t)).getTime()).toBe(refNextWorkingInstant(ref, t));
      }),
      { numRuns: 300 },
    );
  });
});
