/**
 * Bitable stores dates as ms epochs; people read and type them in the business time zone
 * (TZ_BUSINESS, Asia/Shanghai by default). These helpers use Intl only, so any IANA zone works.
 */

import { offsetMinutes, wallClock, type WallClock } from '../core/zoned-time.js';

export type ZonedParts = WallClock;

export function zonedParts(date: Date, timeZone: string): ZonedParts {
  return wallClock(timeZone, date.getTime());
}

/** Offset of the zone from UTC at `date`, in ms (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(date: Date, timeZone: string): number {
  return offsetMinutes(timeZone, date.getTime()) * 60_000;
}

/** The instant of a wall-clock time in the zone (the earlier one if the time occurs twice). */
export function fromZonedParts(timeZone: string, year: number, month: number, day: number, hour = 0, minute = 0, second = 0): Date {
  const guess = Date.UTC(year, month - 1, day, hour, minute, second);
  const first = guess - zoneOffsetMs(new Date(guess), timeZone);
  const second_ = guess - zoneOffsetMs(new Date(first), timeZone);
  return new Date(Math.min(first, second_));
}

/** Format in the zone with tokens yyyy MM dd HH mm ss (e.g. "yyyy-MM-dd HH:mm", the default). */
export function formatInZone(date: Date, timeZone: string, pattern = 'yyyy-MM-dd HH:mm'): string {
  const p = zonedParts(date, timeZone);
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
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [number, number, number, number, number, number];
  const valid = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59;
  if (!valid) throw new DateTextError(text);
  return fromZonedParts(timeZone, year, month, day, hour, minute, second);
}

/** Midnight of the zone's calendar day containing `date` — what a date-only Bitable cell stores. */
export function startOfDayInZone(date: Date, timeZone: string): Date {
  const p = zonedParts(date, timeZone);
  return fromZonedParts(timeZone, p.year, p.month, p.day);
}

/** "yyyy-MM-dd" of `date` in the zone: the key of a business-calendar row. */
export function calendarDay(date: Date, timeZone: string): string {
  return formatInZone(date, timeZone, 'yyyy-MM-dd');
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
