import { z } from 'zod';

/**
 * How precise QA figures are: the sample size a margin of error needs, and the confidence interval
 * of a sampling-weighted rate or average. Reviews are weighted by 1/inclusion probability (the
 * sampling plan tilts towards risky conversations), so intervals use the weighted (Hájek) estimate
 * and Kish's effective sample size instead of the raw count.
 */
export const PrecisionPolicy = z.object({
  /** Target half-width of a rate's interval (0.1 = ±10 points). */
  margin: z.number().gt(0).max(0.5).default(0.1),
  /** Confidence level of intervals and of the sample sizes. */
  confidence: z.number().min(0.5).max(0.999).default(0.95),
  /** The rate assumed when sizing a sample; 0.5 is the worst case (the largest sample). */
  expectedRate: z.number().gt(0).lt(1).default(0.5),
  /** Below this effective sample size a figure is shown as "not enough data" instead of an interval. */
  minEffective: z.number().min(2).max(1000).default(5),
});
export type PrecisionPolicy = z.infer<typeof PrecisionPolicy>;

/**
 * The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9):
 * z such that P(Z ≤ z) = p.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1): ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const poly = (k: readonly number[], x: number, last: number) => k.reduce((acc, v) => acc * x + v, 0) * x + last;
  const tail = (q: number) => poly(c, q, 2.938163982698783) / poly(d, q, 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r, 2.506628277459239) * q) / poly(b, r, 1);
}

/** The two-sided z of a confidence level (0.95 → 1.959964). */
export const zOf = (confidence: number) => normalQuantile(1 - (1 - confidence) / 2);

/**
 * Reviews needed so a rate's interval is ±margin: n0 = z²·p(1−p)/margin², shrunk by the finite
 * population correction n0 / (1 + (n0 − 1)/N) when the population (the period's conversations) is
 * known, rounded up and never more than N.
 */
export function sampleSize(
  p: Pick<PrecisionPolicy, 'margin' | 'confidence' | 'expectedRate'>,
  population?: number,
): number {
  const z = zOf(p.confidence);
  const n0 = (z * z * p.expectedRate * (1 - p.expectedRate)) / (p.margin * p.margin);
  if (population === undefined) return Math.ceil(n0 - 1e-9);
  if (population <= 0) return 0;
  return Math.min(population, Math.ceil(n0 / (1 + (n0 - 1) / population) - 1e-9));
}

/** Sums over a group's reviews, w = 1/inclusion probability (1 for hand-picked ones), y the value. */
export interface WeightedSums {
  n: number;
  /** Σw, Σw², Σw·y, Σw²·y, Σw²·y² */
  w: number;
  w2: number;
  wy: number;
  w2y: number;
  w2y2: number;
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
  /** Kish's effective sample size (Σw)²/Σw²: what the weighted sample is worth. */
  effective: number;
}

/** Kish's effective sample size. */
export const effectiveSize = (s: Pick<WeightedSums, 'w' | 'w2'>) => (s.w2 > 0 ? (s.w * s.w) / s.w2 : 0);

/**
 * A weighted share (y ∈ {0, 1}): the Hájek estimate Σwy/Σw with a Wilson score interval on the
 * effective sample size (Wilson keeps the bounds inside [0, 1] and behaves near 0 % and 100 %).
 * Null: not enough data.
 */
export function rateInterval(
  s: WeightedSums,
  p: Pick<PrecisionPolicy, 'confidence' | 'minEffective'>,
): Interval | null {
  const n = effectiveSize(s);
  if (s.n < 2 || n < p.minEffective) return null;
  const rate = s.wy / s.w;
  const z = zOf(p.confidence);
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (rate + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((rate * (1 - rate)) / n + z2 / (4 * n * n))) / denominator;
  return { estimate: rate, low: Math.max(0, centre - half), high: Math.min(1, centre + half), effective: n };
}

/**
 * A weighted average (Hájek ȳ = Σwy/Σw) ± z·√v with the linearised variance
 * v = n/(n−1) · Σw²(y−ȳ)² / (Σw)², expanded as Σw²y² − 2ȳΣw²y + ȳ²Σw² so SQL sums suffice.
 * Null: not enough data.
 */
export function meanInterval(
  s: WeightedSums,
  p: Pick<PrecisionPolicy, 'confidence' | 'minEffective'>,
): Interval | null {
  const n = effectiveSize(s);
  if (s.n < 2 || n < p.minEffective) return null;
  const mean = s.wy / s.w;
  const squares = Math.max(0, s.w2y2 - 2 * mean * s.w2y + mean * mean * s.w2);
  const half = zOf(p.confidence) * Math.sqrt(((s.n / (s.n - 1)) * squares) / (s.w * s.w));
  return { estimate: mean, low: mean - half, high: mean + half, effective: n };
}
