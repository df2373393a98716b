import { ValidationError } from '../../../core/errors.js';
import type { Criterion } from './scorecard.js';

/** What the inspector decided for one criterion: points deducted (or, for a bonus item, awarded), or N/A. */
export interface Mark {
  code: string;
  /** Points off the criterion's maxPoints (bonus items: points awarded). */
  points: number;
  na?: boolean;
}

export interface ScorePolicy {
  /** A review at or above this score passes (unless a red line is hit). */
  passScore: number;
}

export interface ScoreResult {
  /** 0 … 100, one decimal. */
  score: number;
  /** Before the bonus. */
  base: number;
  bonus: number;
  result: 'pass' | 'fail' | 'red_line';
  redLineHit: boolean;
  /** Per criterion: the mark used (missing marks count as no deduction). */
  marks: Required<Mark>[];
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * The review's score from the criteria it was scored with (its scorecard version, filtered to the
 * conversation's channel) and the inspector's marks:
 * - a criterion earns weight × (maxPoints − deducted) / maxPoints;
 * - N/A criteria leave the total and the rest is rescaled to 100 (all N/A → 100);
 * - bonus items add weight × awarded / maxPoints on top, capped at 100;
 * - any red-line criterion with a deduction fails the review whatever the score.
 * Bad marks (unknown code, out of range, N/A where not allowed) are refused, naming the criterion.
 */
export function computeScore(criteria: readonly Criterion[], marks: readonly Mark[], policy: ScorePolicy): ScoreResult {
  const byCode = new Map(criteria.map((c) => [c.code, c]));
  const given = new Map<string, Mark>();
  for (const m of marks) {
    const c = byCode.get(m.code);
    if (!c)
      throw new ValidationError(
        `评分项 ${m.code} 不在本次评分标准中 · criterion ${m.code} is not on this review's scorecard`,
        { field: m.code },
      );
    if (given.has(m.code))
      throw new ValidationError(`评分项 ${m.code} 重复 · criterion ${m.code} given twice`, { field: m.code });
    if (m.na && !c.naAllowed)
      throw new ValidationError(`${c.name} 不允许选「不适用」 · ${c.code} cannot be N/A`, { field: m.code });
    if (m.na && c.bonus)
      throw new ValidationError(`${c.name} 是加分项，不能选「不适用」 · bonus items cannot be N/A`, { field: m.code });
    if (!m.na && (!Number.isFinite(m.points) || m.points < 0 || m.points > c.maxPoints)) {
      throw new ValidationError(`${c.name}：分数须在 0 到 ${c.maxPoints} 之间 · points must be 0 … ${c.maxPoints}`, {
        field: m.code,
      });
    }
    given.set(m.code, m);
  }
  let weight = 0;
  let earned = 0;
  let bonus = 0;
  let redLineHit = false;
  const used: Required<Mark>[] = [];
  for (const c of criteria) {
    const m = given.get(c.code);
    const na = m?.na === true;
    const points = na ? 0 : (m?.points ?? 0);
    used.push({ code: c.code, points, na });
    if (na) continue;
    if (c.bonus) {
      bonus += (c.weight * points) / c.maxPoints;
      continue;
    }
    if (c.redLine && points > 0) redLineHit = true;
    weight += c.weight;
    earned += (c.weight * (c.maxPoints - points)) / c.maxPoints;
  }
  const base = weight === 0 ? 100 : (earned / weight) * 100;
  const score = round1(Math.min(100, base + bonus));
  const result = redLineHit ? 'red_line' : score >= policy.passScore ? 'pass' : 'fail';
  return { score, base: round1(base), bonus: round1(bonus), result, redLineHit, marks: used };
}
