import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeScore } from '../../../../src/domains/qa/logic/score.js';
import { Criterion, criteriaFor, DEFAULT_SCORECARD, Scorecard } from '../../../../src/domains/qa/logic/scorecard.js';

const crit = (code: string, weight: number, maxPoints: number, extra: Partial<Criterion> = {}) =>
  Criterion.parse({ code, name: code, category: 'process', weight, maxPoints, ...extra });
const policy = { passScore: 80 };

describe('computeScore: weights, N/A rescaling, bonus, red lines', () => {
  const card = [
    crit('A', 40, 4),
    crit('B', 40, 2, { naAllowed: true }),
    crit('C', 20, 5),
    crit('X', 10, 5, { bonus: true }),
    crit('R', 0, 1, { redLine: true }),
  ];

  it('no marks is 100 and a pass', () => {
    expect(computeScore(card, [], policy)).toMatchObject({ score: 100, result: 'pass', redLineHit: false });
  });

  it('a criterion earns weight × (max − deducted) / max', () => {
    // A: 40 × 3/4 = 30; B 40; C: 20 × 0/5 = 0 → 70 of 100
    expect(
      computeScore(
        card,
        [
          { code: 'A', points: 1 },
          { code: 'C', points: 5 },
        ],
        policy,
      ),
    ).toMatchObject({ score: 70, base: 70, result: 'fail' });
  });

  it('N/A leaves the total and the rest is rescaled to 100', () => {
    // B N/A: A 30 + C 20 of 60 → 83.3
    const r = computeScore(
      card,
      [
        { code: 'A', points: 1 },
        { code: 'B', points: 0, na: true },
      ],
      policy,
    );
    expect(r.score).toBe(83.3);
    expect(r.marks.find((m) => m.code === 'B')).toEqual({ code: 'B', points: 0, na: true });
  });

  it('a bonus adds on top, capped at 100', () => {
    expect(
      computeScore(
        card,
        [
          { code: 'A', points: 1 },
          { code: 'X', points: 5 },
        ],
        policy,
      ),
    ).toMatchObject({ base: 90, bonus: 10, score: 100 });
    expect(
      computeScore(
        card,
        [
          { code: 'A', points: 2 },
          { code: 'X', points: 2 },
        ],
        policy,
      ),
    ).toMatchObject({ base: 80, bonus: 4, score: 84 });
  });

  it('a red-line hit fails the review whatever the score', () => {
    expect(computeScore(card, [{ code: 'R', points: 1 }], policy)).toMatchObject({
      score: 100,
      result: 'red_line',
      redLineHit: true,
    });
  });

  it('refuses marks it cannot use, naming the criterion', () => {
    expect(() => computeScore(card, [{ code: 'NOPE', points: 1 }], policy)).toThrow(/NOPE/);
    expect(() => computeScore(card, [{ code: 'A', points: 5 }], policy)).toThrow(/0 到 4/);
    expect(() => computeScore(card, [{ code: 'A', points: -1 }], policy)).toThrow(/0 到 4/);
    expect(() => computeScore(card, [{ code: 'A', points: Number.NaN }], policy)).toThrow(/0 到 4/);
    expect(() => computeScore(card, [{ code: 'A', points: 0, na: true }], policy)).toThrow(/不适用/);
    expect(() =>
      computeScore(
        card,
        [
          { code: 'A', points: 1 },
          { code: 'A', points: 2 },
        ],
        policy,
      ),
    ).toThrow(/重复/);
  });

  it('property: the score stays in 0…100, deducting more never raises it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: 2 }),
        (points, extra) => {
          const marks = [
            { code: 'A', points: points[0]! },
            { code: 'B', points: Math.min(2, points[1]!) },
            { code: 'C', points: points[2]! },
          ];
          const r = computeScore(card, marks, policy);
          expect(r.score).toBeGreaterThanOrEqual(0);
          expect(r.score).toBeLessThanOrEqual(100);
          const more = computeScore(
            card,
            [{ ...marks[0]!, points: Math.min(4, marks[0]!.points + extra) }, marks[1]!, marks[2]!],
            policy,
          );
          expect(more.score).toBeLessThanOrEqual(r.score);
        },
      ),
    );
  });
});

describe('the scorecard', () => {
  it('the built-in one is valid and its scored weights add up to 100', () => {
    const card = Scorecard.parse(DEFAULT_SCORECARD);
    expect(card.criteria.filter((c) => !c.bonus).reduce((s, c) => s + c.weight, 0)).toBe(100);
  });

  it('per-channel criteria apply on top of the shared ones, only on their channel', () => {
    const card = { criteria: [crit('S', 50, 1), crit('T', 50, 1, { channels: ['tmall'] })] };
    expect(criteriaFor(card, 'tmall').map((c) => c.code)).toEqual(['S', 'T']);
    expect(criteriaFor(card, 'jd').map((c) => c.code)).toEqual(['S']);
  });

  it('refuses duplicate codes, a bonus red line, weight 0 outside red lines and a card of bonuses only', () => {
    expect(Scorecard.safeParse({ criteria: [crit('A', 50, 1), crit('a', 50, 1)] }).success).toBe(false);
    expect(
      Scorecard.safeParse({ criteria: [crit('A', 50, 1), { ...crit('B', 5, 1), bonus: true, redLine: true }] }).success,
    ).toBe(false);
    expect(Scorecard.safeParse({ criteria: [crit('A', 50, 1), { ...crit('B', 5, 1), weight: 0 }] }).success).toBe(
      false,
    );
    expect(Scorecard.safeParse({ criteria: [crit('B', 5, 1, { bonus: true })] }).success).toBe(false);
  });
});
