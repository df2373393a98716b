import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calendarDay,
  DateTextError,
  formatInZone,
  fromZonedParts,
  instantAtLocal,
  localDayNumber,
  parseInZone,
  startOfDayInZone,
  wallClock,
  zonedParts,
} from '../../src/core/zoned-time.js';

const SHANGHAI = 'Asia/Shanghai';
const iso = (d: Date | number) => new Date(d).toISOString();

describe('wall-clock time in the business time zone', () => {
  it('shows a Bitable ms epoch as Shanghai wall-clock time', () => {
    // 1690992000000 is the date in the official search example: midnight 3 Aug 2023 in Shanghai.
    expect(formatInZone(new Date(1690992000000), SHANGHAI)).toBe('2023-08-03 00:00');
    expect(formatInZone(new Date(1690992000000), 'UTC', 'yyyy/MM/dd HH:mm:ss')).toBe('2023/08/02 16:00:00');
    expect(formatInZone(new Date('2026-11-26T07:30:00Z'), SHANGHAI, 'MM-dd HH:mm')).toBe('11-26 15:30');
    expect(calendarDay(new Date('2024-05-01T23:30:00+08:00'), SHANGHAI)).toBe('2024-05-01');
  });

  it('parses what people type as Shanghai time', () => {
    expect(parseInZone('2024-05-01 09:30', SHANGHAI).toISOString()).toBe('2024-05-01T01:30:00.000Z');
    expect(parseInZone('2024/5/1', SHANGHAI).toISOString()).toBe('2024-04-30T16:00:00.000Z');
    expect(parseInZone('2024-05-01T09:30:15', SHANGHAI).toISOString()).toBe('2024-05-01T01:30:15.000Z');
  });

  it('refuses dates that do not exist', () => {
    for (const text of ['2024-02-30', '2024-13-01', '2024-05-01 24:00', 'tomorrow']) {
      expect(() => parseInZone(text, SHANGHAI), text).toThrow(DateTextError);
    }
  });

  it('knows the weekday and the start of the business day', () => {
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

describe('one rule for DST changes', () => {
  it('moves a time skipped by the spring jump forward by the gap, east and west of UTC', () => {
    // Berlin 2026-03-29 02:00 CET → 03:00 CEST; New York 2026-03-08 02:00 EST → 03:00 EDT.
    expect(iso(fromZonedParts('Europe/Berlin', 2026, 3, 29, 2, 30))).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    expect(iso(fromZonedParts('America/New_York', 2026, 3, 8, 2, 30))).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(formatInZone(parseInZone('2026-03-29 02:30', 'Europe/Berlin'), 'Europe/Berlin')).toBe('2026-03-29 03:30');
  });

  it('takes the earlier of a time the autumn change shows twice, east and west of UTC', () => {
    // Berlin 2026-10-25 03:00 CEST → 02:00 CET; New York 2026-11-01 02:00 EDT → 01:00 EST.
    expect(iso(fromZonedParts('Europe/Berlin', 2026, 10, 25, 2, 30))).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
    expect(iso(fromZonedParts('America/New_York', 2026, 11, 1, 1, 30))).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
  });

  it('settles business-day boundaries and typed dates the same way', () => {
    for (const [zone, y, m, d, h, min] of [
      ['Europe/Berlin', 2026, 3, 29, 2, 30],
      ['Europe/Berlin', 2026, 10, 25, 2, 30],
      ['America/New_York', 2026, 3, 8, 2, 0],
      ['America/New_York', 2026, 11, 1, 1, 0],
    ] as const) {
      const day = Date.UTC(y, m - 1, d) / 86_400_000;
      expect(instantAtLocal(zone, day, h * 60 + min), `${zone} ${m}-${d} ${h}:${min}`).toBe(
        fromZonedParts(zone, y, m, d, h, min).getTime(),
      );
    }
  });

  it('maps every reading an instant shows back to the earliest instant showing it', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) })
          .map((ms) => Math.floor(ms / 60_000) * 60_000),
        fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago', SHANGHAI),
        (t, zone) => {
          const w = wallClock(zone, t);
          const back = fromZonedParts(zone, w.year, w.month, w.day, w.hour, w.minute).getTime();
          expect(back).toBeLessThanOrEqual(t);
          expect(wallClock(zone, back)).toEqual(w);
          expect(localDayNumber(zone, back)).toBe(localDayNumber(zone, t));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
