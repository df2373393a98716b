import { describe, expect, it } from 'vitest';
import { dayNumberOfIsoDate, weekdayOf } from '../../../src/core/zoned-time.js';
import { baselineFor, mad, median } from '../../../src/domains/community/logic/baseline.js';
import { DEFAULT_ALERT_POLICY } from '../../../src/domains/community/logic/alert-policy.js';
import { detect, platformWide, type History } from '../../../src/domains/community/logic/detect.js';
import type { DailyFigures } from '../../../src/domains/community/logic/metrics.js';

const D = dayNumberOfIsoDate('2026-11-29')!; // the day judged (a Sunday)

/** A community with a strong weekly pattern: weekends twice as busy, a little noise. */
function weekly(
  days = 42,
  over: (d: number, f: DailyFigures) => Partial<DailyFigures> = () => ({}),
): Map<number, DailyFigures> {
  const h = new Map<number, DailyFigures>();
  for (let d = D - days + 1; d <= D; d++) {
    const weekend = weekdayOf(d) === 0 || weekdayOf(d) === 6;
    const noise = ((d * 7919) % 11) - 5; // deterministic, −5…+5
    const f: DailyFigures = {
      membersTotal: 1000,
      membersJoined: 8,
      membersLeft: 6,
      activeMembers: (weekend ? 200 : 100) + noise,
      messages: (weekend ? 600 : 300) + noise * 3,
      orders: weekend ? 20 : 10,
      gmvFen: (weekend ? 400_000 : 200_000) + noise * 1000,
      refundsFen: 0,
    };
    h.set(d, { ...f, ...over(d, f) });
  }
  return h;
}

const findings = (h: History, day = D) => {
  const v = detect(h, day, DEFAULT_ALERT_POLICY);
  return v.status === 'checked' ? v.findings : v.status;
};

describe('robust baseline', () => {
  it('median and MAD', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
  });

  it('expects a busy Sunday on a Sunday and a quiet Monday on a Monday (weekday seasonality)', () => {
    const h = weekly();
    const series = new Map([...h].map(([d, f]) => [d, f.activeMembers]));
    expect(baselineFor(series, D)!.expected).toBeGreaterThan(180);
    expect(baselineFor(series, D - 6)!.expected).toBeLessThan(115);
  });

  it('has no baseline for a community with under 14 days of history', () => {
    const h = weekly(10);
    expect(baselineFor(new Map([...h].map(([d, f]) => [d, f.messages])), D)).toBeNull();
    expect(findings(h)).toEqual([]);
  });
});

describe('alerts on synthetic series', () => {
  it('raises nothing on normal weekly seasonality, any day of the week', () => {
    const h = weekly();
    for (let d = D - 6; d <= D; d++) expect(findings(h, d)).toEqual([]);
  });

  it('raises a drop when activity and messages really fall', () => {
    const h = weekly(42, (d) => (d === D ? { activeMembers: 60, messages: 150 } : {}));
    const f = findings(h) as Array<{ metric: string; kind: string; baseline: number }>;
    expect(f.map((x) => `${x.metric}:${x.kind}`).sort()).toEqual(['active_members:drop', 'messages:drop']);
    expect(f.find((x) => x.metric === 'active_members')!.baseline).toBeGreaterThan(180);
  });

  it('says "went silent" when a lively group has no messages', () => {
    const h = weekly(42, (d) => (d === D ? { messages: 0, activeMembers: 0 } : {}));
    const f = findings(h) as Array<{ metric: string }>;
    expect(f.map((x) => x.metric)).toContain('silent');
    expect(f.map((x) => x.metric)).not.toContain('messages');
  });

  it('sees a wave of leavers, and the 7-day leave rate over its threshold', () => {
    const h = weekly(42, (d) => (d >= D - 1 ? { membersLeft: 90, membersTotal: 900 } : {}));
    const f = findings(h) as Array<{ metric: string; kind: string; value: number }>;
    expect(f.map((x) => x.metric)).toContain('leave_wave');
    // and over 7 days: (5 × 6 + 2 × 90) left of 1000 − 8 + 6 = 998 opening members ≈ 21% > 15%
    expect(f.find((x) => x.metric === 'leave_rate')!.value).toBeCloseTo(210 / 998, 9);
  });

  it('applies the threshold rates: leave rate over 15% in 7 days, activity under 3%', () => {
    const leaving = weekly(42, (d) => (d > D - 7 ? { membersLeft: 30 } : {}));
    // 7 × 30 = 210 left of 1000 − 8 + 30 = 1022 opening members ≈ 20.5%.
    const f = findings(leaving) as Array<{ metric: string; value: number; baseline: number }>;
    expect(f.find((x) => x.metric === 'leave_rate')).toMatchObject({ baseline: 0.15 });
    expect(f.find((x) => x.metric === 'leave_rate')!.value).toBeCloseTo(210 / 1022, 9);
    const quiet = weekly(42, () => ({ activeMembers: 20, messages: 40 }));
    expect((findings(quiet) as Array<{ metric: string }>).map((x) => x.metric)).toEqual(['activity_rate']);
  });

  it('judges nothing on a missing day: the feed is late, not the community', () => {
    const h = weekly();
    h.delete(D);
    expect(findings(h)).toBe('late');
    // and the next day is judged on the days it has (the gap is not read as zero)
    expect(baselineFor(new Map([...h].map(([d, f]) => [d, f.messages])), D + 1)!.expected).toBeGreaterThan(250);
  });

  it('makes one platform note instead of a storm when a platform drops together or its feed is late', () => {
    const drop = (d: number) => (d === D ? { activeMembers: 40, messages: 100 } : {});
    const verdicts = [
      ...Array.from({ length: 8 }, (_, i) => ({
        communityId: i + 1,
        platform: 'douyin',
        verdict: detect(weekly(42, drop), D, DEFAULT_ALERT_POLICY),
      })),
      ...Array.from({ length: 2 }, (_, i) => ({
        communityId: 20 + i,
        platform: 'douyin',
        verdict: detect(weekly(), D, DEFAULT_ALERT_POLICY),
      })),
      { communityId: 30, platform: 'wecom', verdict: detect(weekly(42, drop), D, DEFAULT_ALERT_POLICY) },
      ...Array.from({ length: 6 }, (_, i) => ({
        communityId: 40 + i,
        platform: 'wechat',
        verdict: { status: 'late' as const },
      })),
      { communityId: 50, platform: 'wechat', verdict: detect(weekly(), D, DEFAULT_ALERT_POLICY) },
    ];
    const out = platformWide(verdicts, DEFAULT_ALERT_POLICY);
    expect(out.platformNotes.map((n) => `${n.platform}:${n.metric}:${n.communities}`).sort()).toEqual([
      'douyin:active_members:8',
      'douyin:messages:8',
    ]);
    expect(out.alerts.map((a) => a.communityId)).toEqual([30, 30]); // wecom's own drop still alerts
    expect(out.latePlatforms).toEqual(['wechat']);
  });
});
