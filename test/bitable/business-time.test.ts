import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calendarDay,
  DateTextError,
  formatInZone,
  parseInZone,
  startOfDayInZone,
  zonedParts,
} from '../../src/bitable/business-time.js';

const SHANGHAI = 'Asia/Shanghai';

describe('business time zone helpers', () => {
  it('show a Bitable ms epoch as Shanghai wall-clock time', () => {
    // 1690992000000 is the date in the official search example: midnight 3 Aug 2023 in Shanghai.
    expect(formatInZone(new Date(1690992000000), SHANGHAI)).toBe('2023-08-03 00:00');
    expect(formatInZone(new Date(1690992000000), 'UTC', 'yyyy/MM/dd HH:mm:ss')).toBe('2023/08/02 16:00:00');
    expect(calendarDay(new Date('2024-05-01T23:30:00+08:00'), SHANGHAI)).toBe('2024-05-01');
  });

  it('parse what people type as Shanghai time', () => {
    expect(parseInZone('2024-05-01 09:30', SHANGHAI).toISOString()).toBe('2024-05-01T01:30:00.000Z');
    expect(parseInZone('2024/5/1', SHANGHAI).toISOString()).toBe('2024-04-30T16:00:00.000Z');
    expect(parseInZone('2024-05-01T09:30:15', SHANGHAI).toISOString()).toBe('2024-05-01T01:30:15.000Z');
  });

  it('refuse dates that do not exist', () => {
    for (const text of ['2024-02-30', '2024-13-01', '2024-05-01 24:00', 'tomorrow']) {
      expect(() => parseInZone(text, SHANGHAI), text).toThrow(DateTextError);
    }
  });

  it('know the weekday and the start of the business day', () => {
    const saturday = new Date('2024-05-04T01:00:00+08:00');
    expect(zonedParts(saturday, SHANGHAI).weekday).toBe(6);
    expect(startOfDayInZone(saturday, SHANGHAI).toISOString()).toBe('2024-05-03T16:00:00.000Z');
  });

  it('format then parse is the identity to the second, in zones with and without odd offsets', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1971-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        fc.constantFrom(SHANGHAI, 'UTC', 'Asia/Kolkata', 'Asia/Kathmandu'),
        (date, zone) => {
          const seconds = new Date(Math.floor(date.getTime() / 1000) * 1000);
          expect(parseInZone(formatInZone(date, zone, 'yyyy-MM-dd HH:mm:ss'), zone)).toEqual(seconds);
        },
      ),
      { numRuns: 500 },
    );
  });
});
