/**
 * The one module for wall-clock time in an IANA time zone (TZ_BUSINESS), with nothing but Intl
 * and one cached formatter per zone: reading an instant as local time, the instant of a local
 * time, formatting and parsing what people read and type (cards, Bitable cells).
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
 * The instant a wall-clock reading stands for (`wallMs`: the reading as if it were UTC). One rule
 * for DST changes, the one java.time and Temporal ("compatible") use: a reading that occurs twice
 * (clocks fall back) is the earlier instant; a reading skipped by a jump forward moves forward by
 * the length of the gap (02:30 in a 02:00→03:00 gap is 03:30).
 */
export function instantOfWall(timeZone: string, wallMs: number): number {
  // The offsets in force a day either side cover any one transition near the reading.
  const before = offsetMinutes(timeZone, wallMs - MS_PER_DAY);
  const after = offsetMinutes(timeZone, wallMs + MS_PER_DAY);
  const readsAsWall = (t: number) => t + offsetMinutes(timeZone, t) * MS_PER_MINUTE === wallMs;
  const candidates = [wallMs - before * MS_PER_MINUTE, wallMs - after * MS_PER_MINUTE].filter(readsAsWall);
  if (candidates.length > 0) return Math.min(...candidates);
  return wallMs - before * MS_PER_MINUTE; // in a gap: the old offset carries the reading past it
}

/** The instant showing `minuteOfDay` on local day `day` (see instantOfWall for DST changes). */
export function instantAtLocal(timeZone: string, day: number, minuteOfDay: number): number {
  return instantOfWall(timeZone, day * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE);
}

/**
 * The instant of a wall-clock time in the zone; out-of-range parts roll over as in Date.UTC
 * (day 0 is the last day of the previous month).
 */
export function fromZonedParts(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): Date {
  return new Date(instantOfWall(timeZone, Date.UTC(year, month - 1, day, hour, minute, second)));
}

export function zonedParts(date: Date, timeZone: string): WallClock {
  return wallClock(timeZone, date.getTime());
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

/** Format in the zone with tokens yyyy MM dd HH mm ss (e.g. "yyyy-MM-dd HH:mm", the default). */
export function formatInZone(date: Date, timeZone: string, pattern = 'yyyy-MM-dd HH:mm'): string {
  const p = wallClock(timeZone, date.getTime());
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const tokens: Record<string, string> = {
    yyyy: pad(p.year, 4),
    MM: pad(p.month),
    dd: pad(p.day),
    HH: pad(p.hour),
    mm: pad(p.minute),
    ss: pad(p.second),
  };
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss/g, (t) => tokens[t] ?? t);
}

/** "yyyy-MM-dd" of `date` in the zone: the key of a business-calendar row, the date on a summary. */
export function calendarDay(date: Date, timeZone: string): string {
  return formatInZone(date, timeZone, 'yyyy-MM-dd');
}

/** Midnight of the zone's calendar day containing `date` — what a date-only Bitable cell stores. */
export function startOfDayInZone(date: Date, timeZone: string): Date {
  const p = wallClock(timeZone, date.getTime());
  return fromZonedParts(timeZone, p.year, p.month, p.day);
}

export class DateTextError extends Error {
  override name = 'DateTextError';
  constructor(readonly text: string) {
    super(`无法识别的日期 unrecognised date "${text}": use yyyy-MM-dd or yyyy-MM-dd HH:mm[:ss]`);
  }
}

const DATE_TEXT = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** Parse "2024-05-01", "2024/5/1 09:30" or "2024-05-01 09:30:15" as a wall-clock time in the zone. */
export function parseInZone(text: string, timeZone: string): Date {
  const m = DATE_TEXT.exec(text.trim());
  if (!m) throw new DateTextError(text);
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const valid =
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59;
  if (!valid) throw new DateTextError(text);
  return fromZonedParts(timeZone, year, month, day, hour, minute, second);
}
