import {
  BusinessCalendarConfig,
  CalendarDateRows,
  minuteOfHhMm,
  type BusinessCalendarConfigInput,
  type WorkPeriodConfig,
} from './business-calendar-config.js';
import { dayNumberOfIsoDate, instantAtLocal, localDayNumber, weekdayOf } from '../../core/zoned-time.js';

const MS_PER_MINUTE = 60_000;
/** A calendar with no working time for this long is misconfigured, not merely festive. */
const MAX_IDLE_DAYS = 400;
/** Day intervals kept per calendar; enough for a year of lookups across many cases. */
const CACHE_LIMIT = 4096;

/** [start, end) in minutes since local midnight. */
type Period = readonly [number, number];
/** [start, end) as epoch milliseconds. */
type Interval = readonly [number, number];

export interface BusinessCalendar {
  readonly timeZone: string;
  /** Indexed 0 = Sunday … 6 = Saturday. */
  readonly weekly: readonly (readonly Period[])[];
  readonly makeUpWorkday: readonly Period[];
  /** Day number → override from the calendar table. */
  readonly overrides: ReadonlyMap<number, { readonly type: 'holiday' | 'workday'; readonly name: string }>;
  /** Memo of day number → working intervals; derived data only, so functions stay pure. */
  readonly dayCache: Map<number, readonly Interval[]>;
}

export class NoWorkingTimeError extends Error {
  override name = 'NoWorkingTimeError';
  constructor(from: Date) {
    super(`no working time within ${MAX_IDLE_DAYS} days after ${from.toISOString()}: check the business calendar`);
  }
}

const toPeriods = (day: readonly WorkPeriodConfig[]): Period[] =>
  day.map((p) => [minuteOfHhMm(p.start), minuteOfHhMm(p.end)] as const);

/** Validates the configuration (zod) and compiles it for fast arithmetic. */
export function buildBusinessCalendar(input: BusinessCalendarConfigInput = {}): BusinessCalendar {
  const config = BusinessCalendarConfig.parse(input);
  const w = config.weeklyHours;
  const overrides = new Map<number, { type: 'holiday' | 'workday'; name: string }>();
  for (const row of config.dates) overrides.set(dayNumberOfIsoDate(row.date)!, { type: row.type, name: row.name });
  return {
    timeZone: config.timeZone,
    weekly: [w.sun, w.mon, w.tue, w.wed, w.thu, w.fri, w.sat].map(toPeriods),
    makeUpWorkday: toPeriods(config.makeUpWorkdayHours),
    overrides,
    dayCache: new Map(),
  };
}

/**
 * Builds a calendar from the calendar table's rows (`{ date, type, name }`), which replace
 * the built-in holiday list; other settings come from `options`.
 */
export function calendarFromRows(
  rows: readonly unknown[],
  options: Omit<BusinessCalendarConfigInput, 'dates'> = {},
): BusinessCalendar {
  return buildBusinessCalendar({ ...options, dates: CalendarDateRows.parse(rows) });
}

function periodsOfDay(cal: BusinessCalendar, day: number): readonly Period[] {
  const override = cal.overrides.get(day);
  if (override?.type === 'holiday') return [];
  if (override?.type === 'workday') return cal.makeUpWorkday;
  return cal.weekly[weekdayOf(day)] ?? [];
}

/** Working intervals of one local day, as instants. */
export function workingIntervalsOfDay(cal: BusinessCalendar, day: number): readonly Interval[] {
  const cached = cal.dayCache.get(day);
  if (cached) return cached;
  const periods = periodsOfDay(cal, day);
  let intervals: readonly Interval[] = [];
  if (periods.length > 0) {
    const midnight = instantAtLocal(cal.timeZone, day, 0);
    // A day of exactly 24 h has one offset throughout, so its boundaries are plain sums;
    // only on a DST change is each boundary resolved through Intl.
    const steady = instantAtLocal(cal.timeZone, day + 1, 0) - midnight === 1440 * MS_PER_MINUTE;
    const at = (minute: number): number =>
      steady ? midnight + minute * MS_PER_MINUTE : instantAtLocal(cal.timeZone, day, minute);
    intervals = periods.map(([s, e]) => [at(s), at(e)] as const);
  }
  if (cal.dayCache.size >= CACHE_LIMIT) cal.dayCache.clear();
  cal.dayCache.set(day, intervals);
  return intervals;
}

function assertValidDate(d: Date, what: string): number {
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new RangeError(`${what} is not a valid date`);
  return t;
}

/** True when the instant lies inside a working period ([start, end): 12:00 is lunch). */
export function isWorkingTime(cal: BusinessCalendar, instant: Date): boolean {
  const t = assertValidDate(instant, 'instant');
  return workingIntervalsOfDay(cal, localDayNumber(cal.timeZone, t)).some(([s, e]) => s <= t && t < e);
}

/** The instant itself when working, otherwise the start of the next working period. */
export function nextWorkingInstant(cal: BusinessCalendar, instant: Date): Date {
  const t = assertValidDate(instant, 'instant');
  const first = localDayNumber(cal.timeZone, t);
  for (let day = first; day <= first + MAX_IDLE_DAYS; day++) {
    for (const [s, e] of workingIntervalsOfDay(cal, day)) {
      if (e > t) return new Date(Math.max(s, t));
    }
  }
  throw new NoWorkingTimeError(instant);
}

/**
 * The instant at which `minutes` business minutes have elapsed after `start`.
 * Landing exactly on a period's end returns that end (e.g. 12:00), not the next start.
 * Walks day by day, so a long span costs O(days).
 */
export function addBusinessMinutes(cal: BusinessCalendar, start: Date, minutes: number): Date {
  const t0 = assertValidDate(start, 'start');
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`minutes must be ≥ 0, got ${minutes}`);
  if (minutes === 0) return new Date(t0);
  let remaining = minutes * MS_PER_MINUTE;
  let lastWorkingDay = localDayNumber(cal.timeZone, t0);
  for (let day = lastWorkingDay; day - lastWorkingDay <= MAX_IDLE_DAYS; day++) {
    for (const [s, e] of workingIntervalsOfDay(cal, day)) {
      const from = Math.max(s, t0);
      if (from >= e) continue;
      lastWorkingDay = day;
      if (e - from >= remaining) return new Date(from + remaining);
      remaining -= e - from;
    }
  }
  throw new NoWorkingTimeError(start);
}

/**
 * Business minutes in [a, b) — fractional when the instants carry seconds;
 * negative when b is before a, so "remaining" can run below zero.
 */
export function businessMinutesBetween(cal: BusinessCalendar, a: Date, b: Date): number {
  const ta = assertValidDate(a, 'a');
  const tb = assertValidDate(b, 'b');
  if (tb < ta) return -businessMinutesBetween(cal, b, a);
  let total = 0;
  const last = localDayNumber(cal.timeZone, tb);
  for (let day = localDayNumber(cal.timeZone, ta); day <= last; day++) {
    for (const [s, e] of workingIntervalsOfDay(cal, day)) {
      const overlap = Math.min(e, tb) - Math.max(s, ta);
      if (overlap > 0) total += overlap;
    }
  }
  return total / MS_PER_MINUTE;
}

/** The calendar-table entry for the local day of an instant, if any (for display: 国庆节…). */
export function dateOverrideAt(
  cal: BusinessCalendar,
  instant: Date,
): { readonly type: 'holiday' | 'workday'; readonly name: string } | null {
  return cal.overrides.get(localDayNumber(cal.timeZone, assertValidDate(instant, 'instant'))) ?? null;
}
