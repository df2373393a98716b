// The summary's periods: ISO weeks (Monday to Sunday) and calendar months of business days. Days here are ISO
// dates already in the business time zone (community_daily_metrics.day is the business day), so the arithmetic is
// plain UTC calendar arithmetic on those dates and the week of 2027-01-01 is the one Postgres' date_trunc('week')
// gives for that date: 2026-W53, Monday 2026-12-28.

export const PERIOD_TYPES = ['week', 'month'] as const;
export type PeriodType = (typeof PERIOD_TYPES)[number];

export interface Period {
  type: PeriodType;
  /** The Monday or the 1st (ISO date). */
  start: string;
  /** The Sunday or the month's last day (ISO date). */
  end: string;
  /** 2026-W49 or 2026-11. */
  label: string;
}

const DAY_MS = 86_400_000;
const utc = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const addDays = (day: string, n: number): string => iso(utc(day) + n * DAY_MS);
/** 1 (Monday) … 7 (Sunday). */
const isoWeekday = (day: string): number => ((new Date(utc(day)).getUTCDay() + 6) % 7) + 1;

/** The ISO week's Monday. */
export const weekStart = (day: string): string => addDays(day, 1 - isoWeekday(day));
export const monthStart = (day: string): string => `${day.slice(0, 7)}-01`;

/** ISO week label of a Monday: the year is the year of its Thursday (ISO 8601). */
export function isoWeekLabel(monday: string): string {
  const thursday = addDays(monday, 3);
  const year = Number(thursday.slice(0, 4));
  const week = Math.floor((utc(thursday) - utc(`${year}-01-01`)) / DAY_MS / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The period of `type` holding `day`. */
export function periodOf(type: PeriodType, day: string): Period {
  if (type === 'week') {
    const start = weekStart(day);
    return { type, start, end: addDays(start, 6), label: isoWeekLabel(start) };
  }
  const start = monthStart(day);
  const [y, m] = start.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { type, start, end: addDays(next, -1), label: start.slice(0, 7) };
}

/** A label back to its period (2026-W53 → the week of Monday 2026-12-28), or undefined when it is not one. */
export function periodOfLabel(label: string): Period | undefined {
  const week = /^(\d{4})-W(\d{2})$/.exec(label);
  if (week) {
    // Week 1 holds 4 January.
    const monday = addDays(weekStart(`${week[1]}-01-04`), (Number(week[2]) - 1) * 7);
    const p = periodOf('week', monday);
    return p.label === label ? p : undefined;
  }
  const month = /^(\d{4})-(\d{2})$/.exec(label);
  if (month && Number(month[2]) >= 1 && Number(month[2]) <= 12) return periodOf('month', `${label}-01`);
  return undefined;
}

/** The period before `p` (the previous week or month). */
export const previousPeriod = (p: Period): Period => periodOf(p.type, addDays(p.start, -1));
