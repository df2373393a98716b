/**
 * Wall-clock arithmetic in an IANA time zone with nothing but Intl.
 * A "day number" is a civil date counted in days since 1970-01-01, so weekday and
 * ISO date follow from plain integer arithmetic.
 */
const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 1 = Monday … 7 = Sunday */
  weekday: number;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The wall-clock reading of an instant in the zone. */
export function wallClock(timeZone: string, epochMs: number): WallClock {
  const p: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(epochMs))) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: WEEKDAYS.indexOf(p.weekday ?? '') + 1,
  };
}

/** UTC offset of the zone at an instant, in minutes (Asia/Shanghai → 480). */
export function offsetMinutes(timeZone: string, epochMs: number): number {
  const wholeSeconds = Math.floor(epochMs / 1000) * 1000;
  const p = wallClock(timeZone, wholeSeconds);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((wall - wholeSeconds) / MS_PER_MINUTE);
}

/** The local civil day (day number) an instant falls on. */
export function localDayNumber(timeZone: string, epochMs: number): number {
  return Math.floor((epochMs + offsetMinutes(timeZone, epochMs) * MS_PER_MINUTE) / MS_PER_DAY);
}

/**
 * The instant showing `minuteOfDay` on local day `day`. Two passes settle the offset;
 * a wall time skipped by a DST jump maps to a nearby instant, which is all a working
 * period boundary needs.
 */
export function instantAtLocal(timeZone: string, day: number, minuteOfDay: number): number {
  const wall = day * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE;
  const first = wall - offsetMinutes(timeZone, wall) * MS_PER_MINUTE;
  const second = wall - offsetMinutes(timeZone, first) * MS_PER_MINUTE;
  return second;
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function isoDateOf(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Day number of an ISO date `YYYY-MM-DD`, or null when it is not a real date. */
export function dayNumberOfIsoDate(iso: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / MS_PER_DAY;
}
