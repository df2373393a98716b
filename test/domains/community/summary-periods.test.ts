import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodOf, periodOfLabel } from '../../../src/domains/community/logic/periods.js';
import { parseSummaryNo, summaryNo, touchedPeriods } from '../../../src/domains/community/summary-rows.js';
import { addCommunities, apiPost, communityApp, day, type CommunityTestApp } from './helpers.js';

// The periods of 社群汇总: ISO weeks (Monday to Sunday) and months of business days (Asia/Shanghai), and which of
// them a run sums again.
describe('summary periods', () => {
  it('puts the days around a year end in the ISO week of their Thursday', () => {
    // 2026-12-31 is a Thursday, 2027-01-01 a Friday: both in the week of Monday 2026-12-28, week 53 of 2026.
    for (const d of ['2026-12-28', '2026-12-31', '2027-01-01', '2027-01-03'])
      expect(periodOf('week', d), d).toEqual({
        type: 'week',
        start: '2026-12-28',
        end: '2027-01-03',
        label: '2026-W53',
      });
    expect(periodOf('week', '2027-01-04').label).toBe('2027-W01');
    // 2026-01-01 is a Thursday: Monday 2025-12-29 opens 2026's week 1.
    expect(periodOf('week', '2025-12-31')).toMatchObject({ start: '2025-12-29', label: '2026-W01' });
    expect(periodOf('week', '2025-12-28')).toMatchObject({ start: '2025-12-22', label: '2025-W52' });
  });

  it('splits a week that crosses a month end between the two months', () => {
    expect(periodOf('week', '2026-12-01')).toMatchObject({ start: '2026-11-30', end: '2026-12-06', label: '2026-W49' });
    expect(periodOf('month', '2026-11-30')).toEqual({
      type: 'month',
      start: '2026-11-01',
      end: '2026-11-30',
      label: '2026-11',
    });
    expect(periodOf('month', '2026-12-01')).toMatchObject({ start: '2026-12-01', end: '2026-12-31' });
    expect(periodOf('month', '2028-02-10')).toMatchObject({ end: '2028-02-29' });
  });

  it('reads a label and a record number back', () => {
    expect(periodOfLabel('2026-W53')).toEqual(periodOf('week', '2026-12-28'));
    expect(periodOfLabel('2027-W53')).toBeUndefined(); // 2027 has 52 weeks
    expect(periodOfLabel('2026-13')).toBeUndefined();
    const week = periodOf('week', '2026-12-01');
    for (const r of [
      { period: week, dimension: 'all' as const, key: 'all' },
      { period: week, dimension: 'platform' as const, key: 'wecom' },
      { period: week, dimension: 'operator' as const, key: 'ou_1' },
      { period: week, dimension: 'operator' as const, key: '' },
    ])
      expect(parseSummaryNo(summaryNo(r))).toEqual(r);
    expect(summaryNo({ period: week, dimension: 'operator', key: '' })).toBe('2026-W49/operator/-');
    expect(parseSummaryNo('2026-W49/team/x')).toBeUndefined();
  });
});

describe('the periods a summary run sums again', () => {
  let t: CommunityTestApp;
  beforeAll(async () => {
    t = await communityApp({ start: '2026-12-02T10:00', workers: false });
    await addCommunities(t, [{ code: 'P1' }, { code: 'P2', platform: 'douyin' }]);
  });
  afterAll(() => t?.close());
  const tick = () => (t.clock.current = new Date(t.clock.current.getTime() + 60_000));
  const labels = async (since: Date) => (await touchedPeriods(t.database, since, '2026-12-02')).map((p) => p.label);

  it('are the changed days’ weeks and months and the current and previous ones, nothing older unchanged', async () => {
    const ingest = (rows: unknown[]) => apiPost(t, '/api/community/metrics', { rows });
    expect((await ingest([day('P1', '2026-09-15'), day('P1', '2026-10-20'), day('P2', '2026-12-01')])).statusCode).toBe(
      200,
    );
    // The first run (no watermark): every period with a day, and this and the previous week and month.
    expect(await labels(new Date(0))).toEqual([
      '2026-09',
      '2026-W38',
      '2026-10',
      '2026-W43',
      '2026-11',
      '2026-W48',
      '2026-W49',
      '2026-12',
    ]);
    // Later: a correction of 10-20 brings back only its week and month (besides the current and previous ones).
    tick();
    const since = t.clock.now();
    tick();
    expect((await ingest([day('P1', '2026-10-20', { messages: 7 })])).statusCode).toBe(200);
    expect(await labels(since)).toEqual(['2026-10', '2026-W43', '2026-11', '2026-W48', '2026-W49', '2026-12']);
    // A community that moves to another operator moves its days: their periods are summed again.
    tick();
    const moved = t.clock.now();
    tick();
    await addCommunities(t, [{ code: 'P1', operator: 'ou_op_2' }]);
    expect(await labels(moved)).toEqual([
      '2026-09',
      '2026-W38',
      '2026-10',
      '2026-W43',
      '2026-11',
      '2026-W48',
      '2026-W49',
      '2026-12',
    ]);
  });
});
