import { weekdayOf } from '../../../core/zoned-time.js';

/** A day's value of one metric, or null when the community has no row that day (data late / missing). */
export type Series = ReadonlyMap<number, number | null>;

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Median absolute deviation (unscaled). */
export const mad = (values: readonly number[]): number => {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
};

/** What a day was expected to be: the robust baseline with weekday seasonality. */
export interface Baseline {
  /** Expected value on the day (median of the window × the day's weekday factor). */
  expected: number;
  /** Robust spread on that day's scale: 1.4826 × MAD, floored (see `spreadFloor`). */
  spread: number;
  /** Days of history the baseline stands on. */
  points: number;
}

export interface BaselineOptions {
  /** Days looked back (the window ends the day before). */
  windowDays: number;
  /** Fewer days with data than this: no baseline, no anomaly alerts (a new community). */
  minPoints: number;
  /** The spread is never below this share of the expected value (a flat series is not infinitely sure). */
  spreadFloorShare: number;
  /** …nor below this absolute amount (small groups: one message more is not an anomaly). */
  spreadFloorAbs: number;
}

export const DEFAULT_BASELINE: BaselineOptions = {
  windowDays: 28,
  minPoints: 14,
  spreadFloorShare: 0.1,
  spreadFloorAbs: 1,
};

/**
 * Median/MAD of the last `windowDays` days before `day`, with weekday seasonality: each weekday's
 * factor is the median of that weekday's values ÷ the median of all, and values are divided by
 * their weekday's factor before the median and MAD are taken, so a quiet Sunday is compared with
 * Sundays. Missing days are left out (never read as zero).
 */
export function baselineFor(series: Series, day: number, options: BaselineOptions = DEFAULT_BASELINE): Baseline | null {
  const points: Array<{ weekday: number; value: number }> = [];
  for (let d = day - options.windowDays; d < day; d++) {
    const v = series.get(d);
    if (v !== null && v !== undefined && Number.isFinite(v)) points.push({ weekday: weekdayOf(d), value: v });
  }
  if (points.length < options.minPoints) return null;
  const overall = median(points.map((p) => p.value));
  const factor = (weekday: number): number => {
    const same = points.filter((p) => p.weekday === weekday).map((p) => p.value);
    // Two same-weekday points at least, and a non-zero level, or the weekday is taken as average.
    if (same.length < 2 || overall <= 0) return 1;
    return median(same) / overall;
  };
  const factors = new Map<number, number>();
  for (let w = 0; w < 7; w++) factors.set(w, factor(w));
  const adjusted = points.map((p) => (factors.get(p.weekday)! > 0 ? p.value / factors.get(p.weekday)! : p.value));
  const level = median(adjusted);
  const f = factors.get(weekdayOf(day))!;
  const expected = level * f;
  const spread = Math.max(
    1.4826 * mad(adjusted) * f,
    options.spreadFloorShare * Math.abs(expected),
    options.spreadFloorAbs,
  );
  return { expected, spread, points: points.length };
}

/** How far a value lies from its baseline in robust standard deviations (signed). */
export const robustScore = (value: number, b: Baseline): number => (value - b.expected) / b.spread;
