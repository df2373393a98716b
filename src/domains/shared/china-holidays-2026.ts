/** One dated exception to the weekly hours; business-calendar-config.ts validates it as a CalendarDateRow. */
export interface HolidayRow {
  date: string;
  type: 'holiday' | 'workday';
  name: string;
}

/**
 * China's 2026 public holidays and make-up workdays (调休上班).
 * Source: 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04), as reprinted by Xinhua.
 * Transcribed from a reprint — verify against the official notice (gov.cn) before relying on it.
 * This is editable data: the calendar table in Bitable overrides and extends it.
 */
const holiday = (name: string, ...dates: string[]): HolidayRow[] =>
  dates.map((date) => ({ date, type: 'holiday', name }));
const workday = (name: string, ...dates: string[]): HolidayRow[] =>
  dates.map((date) => ({ date, type: 'workday', name }));

export const CHINA_2026_CALENDAR_ROWS: readonly HolidayRow[] = [
  ...holiday('元旦 New Year', '2026-01-01', '2026-01-02', '2026-01-03'),
  ...workday('元旦调休 New Year make-up', '2026-01-04'),
  ...holiday(
    '春节 Spring Festival',
    '2026-02-15',
    '2026-02-16',
    '2026-02-17',
    '2026-02-18',
    '2026-02-19',
    '2026-02-20',
    '2026-02-21',
    '2026-02-22',
    '2026-02-23',
  ),
  ...workday('春节调休 Spring Festival make-up', '2026-02-14', '2026-02-28'),
  ...holiday('清明节 Qingming', '2026-04-04', '2026-04-05', '2026-04-06'),
  ...holiday('劳动节 Labour Day', '2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05'),
  ...workday('劳动节调休 Labour Day make-up', '2026-05-09'),
  ...holiday('端午节 Dragon Boat Festival', '2026-06-19', '2026-06-20', '2026-06-21'),
  ...holiday('中秋节 Mid-Autumn Festival', '2026-09-25', '2026-09-26', '2026-09-27'),
  ...holiday(
    '国庆节 National Day',
    '2026-10-01',
    '2026-10-02',
    '2026-10-03',
    '2026-10-04',
    '2026-10-05',
    '2026-10-06',
    '2026-10-07',
  ),
  ...workday('国庆节调休 National Day make-up', '2026-09-20', '2026-10-10'),
];
