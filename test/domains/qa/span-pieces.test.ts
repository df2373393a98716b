import { describe, expect, it } from 'vitest';
import { spanPieces, type RollupSpan } from '../../../src/domains/qa/rollup-repository.js';

// Which stored rows a period's whole days are read from (rollup-repository.ts spanPieces); rollup.test.ts checks
// that the sums read this way equal the from-scratch query for every kind of period below.
const span = (day1: string, day2: string, month1: string, month2: string): RollupSpan => ({
  day1,
  day2,
  month1,
  month2,
  since1: new Date(0),
  since2: new Date(0),
});
const show = (s: RollupSpan) =>
  spanPieces(s).map((p) => `${p.sign < 0 ? '-' : '+'}${p.month ? 'month' : 'days'} ${p.from}..${p.to}`);

describe('the stored rows a period is read from', () => {
  it('a year from 2 December: December 2025 as its month row less its 1st, eleven months, then 1 December', () => {
    expect(show(span('2025-12-02', '2026-12-02', '2026-01-01', '2026-12-01'))).toEqual([
      '+month 2025-12-01..2026-01-01',
      '-days 2025-12-01..2025-12-02',
      '+month 2026-01-01..2026-12-01',
      '+days 2026-12-01..2026-12-02',
    ]);
  });

  it('the last 30 days from 2 November: November less its 1st, and 1 December from its day row', () => {
    expect(show(span('2026-11-02', '2026-12-02', '2026-12-02', '2026-12-02'))).toEqual([
      '+month 2026-11-01..2026-12-01',
      '-days 2026-11-01..2026-11-02',
      '+days 2026-12-01..2026-12-02',
    ]);
  });

  it('days inside one month: the month less both ends when that is fewer rows, else the days', () => {
    expect(show(span('2026-03-04', '2026-03-28', '2026-03-28', '2026-03-28'))).toEqual([
      '+month 2026-03-01..2026-04-01',
      '-days 2026-03-01..2026-03-04',
      '-days 2026-03-28..2026-04-01',
    ]);
    expect(show(span('2026-03-10', '2026-03-20', '2026-03-20', '2026-03-20'))).toEqual([
      '+days 2026-03-10..2026-03-20',
    ]);
  });

  it('a short head and a whole tail month: the head from its days; whole months from their rows', () => {
    expect(show(span('2026-06-17', '2026-08-03', '2026-07-01', '2026-08-01'))).toEqual([
      '+days 2026-06-17..2026-07-01',
      '+month 2026-07-01..2026-08-01',
      '+days 2026-08-01..2026-08-03',
    ]);
    expect(show(span('2026-02-01', '2026-04-19', '2026-02-01', '2026-04-01'))).toEqual([
      '+month 2026-02-01..2026-04-01',
      '+month 2026-04-01..2026-05-01',
      '-days 2026-04-19..2026-05-01',
    ]);
  });

  it('no whole day: nothing stored is read', () => {
    expect(show(span('1970-01-01', '1970-01-01', '1970-01-01', '1970-01-01'))).toEqual([]);
  });
});
