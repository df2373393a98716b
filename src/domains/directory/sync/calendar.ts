import { isoDateOf, localDayNumber } from '../../../core/zoned-time.js';
import { CalendarDateRows, type CalendarDateRow } from '../../shared/business-calendar-config.js';
import { CHINA_2026_CALENDAR_ROWS } from '../../shared/china-holidays-2026.js';
import type { CalendarRow, OptionKeys, Parsed, SyncProblem } from './rows.js';

// 工作日历.类型 option keys → the calendar's day types (a make-up workday is worked like a workday).
const DAY_TYPES: Readonly<Record<string, CalendarDateRow['type']>> = {
  holiday: 'holiday',
  workday: 'workday',
  makeup_workday: 'workday',
};

/**
 * 工作日历 rows → the calendar's `dates`, or undefined when the table has none (the built-in list
 * stays). The table extends the built-in China 2026 list and wins on a day both name, so a lead
 * can add a company holiday without retyping the public ones.
 */
export function mapCalendar(
  rows: readonly Parsed<CalendarRow>[],
  options: OptionKeys,
  timeZone: string,
  problems: SyncProblem[],
): CalendarDateRow[] | undefined {
  const fromTable = new Map<string, CalendarDateRow & { recordId: string }>();
  for (const { recordId, row } of rows) {
    const type = DAY_TYPES[options.key('day_type', row.day_type) ?? ''];
    if (!row.date || !type) {
      problems.push({
        table: 'business_calendar',
        recordId,
        message: row.date ? '缺少类型（节假日/工作日/调休上班） no day type' : '缺少日期 no date',
      });
      continue;
    }
    const date = isoDateOf(localDayNumber(timeZone, row.date.getTime()));
    const earlier = fromTable.get(date);
    if (earlier)
      problems.push({
        table: 'business_calendar',
        recordId: earlier.recordId,
        message: `${date} 出现在多行，以最近修改的一行为准 the date is on several rows; the latest edit wins`,
      });
    fromTable.set(date, { recordId, date, type, name: row.holiday_name ?? '' });
  }
  if (fromTable.size === 0) return undefined;
  const merged = new Map<string, CalendarDateRow>(
    CalendarDateRows.parse(CHINA_2026_CALENDAR_ROWS).map((d) => [d.date, d]),
  );
  for (const { recordId: _recordId, ...day } of fromTable.values()) merged.set(day.date, day);
  return [...merged.values()].sort((a, b) => a.date.localeCompare(b.date));
}
