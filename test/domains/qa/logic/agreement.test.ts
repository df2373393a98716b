import { describe, expect, it } from 'vitest';
import { cohenKappa, countsOf, fleissKappa } from '../../../../src/domains/qa/logic/agreement.js';

const repeat = <T>(n: number, v: T): T[] => Array.from({ length: n }, () => v);

describe("inter-rater agreement: Cohen's and Fleiss' kappa (numbers computed by hand)", () => {
  it("gives Cohen's kappa 0.4 for 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no", () => {
    const pairs = [
      ...repeat(20, ['pass', 'pass'] as const),
      ...repeat(5, ['pass', 'fail'] as const),
      ...repeat(10, ['fail', 'pass'] as const),
      ...repeat(15, ['fail', 'fail'] as const),
    ];
    // po = 35/50 = 0.7; pe = 0.5·0.6 + 0.5·0.4 = 0.5; κ = 0.2/0.5 = 0.4.
    expect(cohenKappa(pairs)).toBeCloseTo(0.4, 12);
  });

  it("gives Cohen's kappa 1 for full agreement, below 0 for systematic disagreement, null when undefined", () => {
    expect(
      cohenKappa([
        ['a', 'a'],
        ['b', 'b'],
        ['a', 'a'],
      ] as const),
    ).toBeCloseTo(1, 12);
    // po = 0; pe = ½·½ + ½·½ = ½; κ = −1.
    expect(
      cohenKappa([
        ['a', 'b'],
        ['b', 'a'],
      ] as const),
    ).toBeCloseTo(-1, 12);
    // Both always say pass: pe = 1, kappa undefined.
    expect(
      cohenKappa([
        ['a', 'a'],
        ['a', 'a'],
      ] as const),
    ).toBeNull();
    expect(cohenKappa([])).toBeNull();
  });

  it("gives Fleiss' kappa 0.210 for the textbook table of 10 items, 14 raters, 5 categories", () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    // P̄ = 0.378, P̄e = 0.2128 (p_j = 0.143, 0.200, 0.279, 0.150, 0.229), κ = 0.2099.
    expect(fleissKappa(table)).toBeCloseTo(0.2099, 4);
  });

  it("gives Fleiss' kappa for three inspectors' pass/fail on four conversations", () => {
    // Labels per conversation: PPP, PPF, FFF, PFF. Counts [P, F]: [3,0], [2,1], [0,3], [1,2].
    const counts = countsOf([
      ['P', 'P', 'P'],
      ['P', 'P', 'F'],
      ['F', 'F', 'F'],
      ['P', 'F', 'F'],
    ]);
    expect(counts).toEqual([
      [3, 0],
      [2, 1],
      [0, 3],
      [1, 2],
    ]);
    // P_i = 1, 1/3, 1, 1/3 → P̄ = 2/3; p = 6/12, 6/12 → P̄e = 1/2; κ = (2/3 − 1/2)/(1/2) = 1/3.
    expect(fleissKappa(counts)).toBeCloseTo(1 / 3, 12);
    // An item rated once is left out; all in one category is undefined.
    expect(
      fleissKappa([
        [3, 0],
        [1, 0],
      ]),
    ).toBeNull();
    expect(fleissKappa([])).toBeNull();
  });
});
