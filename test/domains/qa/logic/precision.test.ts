import { describe, expect, it } from 'vitest';
import {
  effectiveSize,
  meanInterval,
  normalQuantile,
  rateInterval,
  sampleSize,
  zOf,
  type WeightedSums,
} from '../../../../src/domains/qa/logic/precision.js';

/** The sums the rollup SQL returns, built from (weight, value) pairs. */
const sums = (rows: Array<[number, number]>): WeightedSums => ({
  n: rows.length,
  w: rows.reduce((s, [w]) => s + w, 0),
  w2: rows.reduce((s, [w]) => s + w * w, 0),
  wy: rows.reduce((s, [w, y]) => s + w * y, 0),
  w2y: rows.reduce((s, [w, y]) => s + w * w * y, 0),
  w2y2: rows.reduce((s, [w, y]) => s + w * w * y * y, 0),
});
const at95 = { confidence: 0.95, minEffective: 5 };

describe('QA precision: sample sizes and weighted intervals (numbers computed by hand)', () => {
  it('knows the normal quantiles of the usual confidence levels', () => {
    expect(zOf(0.95)).toBeCloseTo(1.959964, 6);
    expect(zOf(0.99)).toBeCloseTo(2.575829, 6);
    expect(zOf(0.9)).toBeCloseTo(1.644854, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });

  it('sizes a sample for a margin: z²·p(1−p)/e², with the finite population correction', () => {
    const worst = { margin: 0.1, confidence: 0.95, expectedRate: 0.5 };
    // 1.959964² · 0.25 / 0.01 = 96.036 → 97 reviews.
    expect(sampleSize(worst)).toBe(97);
    // Of 200 conversations: 96.036 / (1 + 95.036/200) = 65.10 → 66.
    expect(sampleSize(worst, 200)).toBe(66);
    // Of 50: 96.036 / (1 + 95.036/50) = 33.11 → 34.
    expect(sampleSize(worst, 50)).toBe(34);
    // Never more than there are, none of nothing.
    expect(sampleSize(worst, 3)).toBe(3);
    expect(sampleSize(worst, 0)).toBe(0);
    // ±5 points around an expected 85 %: 3.841459 · 0.1275 / 0.0025 = 195.91 → 196.
    expect(sampleSize({ margin: 0.05, confidence: 0.95, expectedRate: 0.85 })).toBe(196);
  });

  it('gives an unweighted pass rate the Wilson interval: 8 of 10 → 49.0 %–94.3 %', () => {
    const s = sums([...Array<[number, number]>(8).fill([1, 1]), [1, 0], [1, 0]]);
    // z² = 3.841459; denominator 1 + 0.3841459; centre (0.8 + 0.1920729)/1.3841459 = 0.716740;
    // half 1.959964·√(0.016 + 0.0096036)/1.3841459 = 0.226578.
    const i = rateInterval(s, at95)!;
    expect(i.estimate).toBe(0.8);
    expect(i.effective).toBe(10);
    expect(i.low).toBeCloseTo(0.490162, 5);
    expect(i.high).toBeCloseTo(0.943318, 5);
  });

  it('weights a pass rate by 1/inclusion probability and widens it by the effective sample size', () => {
    // Six plain picks (w = 1: five passes, one fail) and two risk picks with probability ½ (w = 2, both pass).
    const s = sums([
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 0],
      [2, 1],
      [2, 1],
    ]);
    // Σw = 10, Σw² = 14, Σwy = 9 → rate 0.9; n_eff = 100/14 = 7.142857.
    expect(effectiveSize(s)).toBeCloseTo(7.142857, 6);
    const i = rateInterval(s, at95)!;
    expect(i.estimate).toBeCloseTo(0.9, 12);
    // z²/n = 0.537804; centre (0.9 + 0.268902)/1.537804 = 0.760111;
    // half 1.959964·√(0.0126 + 0.018823)/1.537804 = 0.225929.
    expect(i.low).toBeCloseTo(0.534182, 5);
    expect(i.high).toBeCloseTo(0.98604, 5);
  });

  it('gives a weighted average score its linearised interval: 82.5 ± 9.10', () => {
    const ws = [1, 1, 1, 1, 1, 1, 2, 2];
    const scores = [90, 80, 100, 70, 85, 60, 95, 75];
    const s = sums(ws.map((w, k) => [w, scores[k]!]));
    // ȳ = (90+80+100+70+85+60 + 2·95 + 2·75)/10 = 825/10 = 82.5.
    // Σw²(y−ȳ)² = 56.25+6.25+306.25+156.25+6.25+506.25 + 4·156.25 + 4·56.25 = 1887.5;
    // v = 8/7 · 1887.5/100 = 21.571429; half = 1.959964 · √21.571429 = 9.103063.
    const i = meanInterval(s, at95)!;
    expect(i.estimate).toBeCloseTo(82.5, 12);
    expect(i.low).toBeCloseTo(73.396937, 5);
    expect(i.high).toBeCloseTo(91.603063, 5);
  });

  it('says "not enough data" (null) below the minimum effective sample size or with one review', () => {
    // Four reviews with weights 2, 2, 1, 1: n_eff = 36/10 = 3.6 < 5.
    const few = sums([
      [2, 1],
      [2, 1],
      [1, 0],
      [1, 1],
    ]);
    expect(rateInterval(few, at95)).toBeNull();
    expect(meanInterval(few, at95)).toBeNull();
    expect(rateInterval(sums([[1, 1]]), { confidence: 0.95, minEffective: 2 })).toBeNull();
    // All passes: the Wilson bounds stay inside [0, 1] (upper exactly 1).
    const all = rateInterval(sums(Array<[number, number]>(20).fill([1, 1])), at95)!;
    expect(all.high).toBe(1);
    expect(all.low).toBeCloseTo(20 / (20 + 3.841459), 5);
  });
});
