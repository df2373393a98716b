import { cohenKappa } from '../logic/agreement.js';
import { qaRepo } from '../repository.js';
import type { QaDeps } from '../service/context.js';
import type { AiScore } from './answer.js';

/** How the AI's score of one criterion compares with the inspectors' over the period. */
export interface AiCriterionAgreement {
  code: string;
  name: string;
  /** Reviews where both the AI and the inspector scored the criterion. */
  pairs: number;
  /** Cohen's κ, AI against inspector, on the points given (N/A its own category); null when undefined. */
  kappa: number | null;
  /** Share of pairs with exactly the same points (or both N/A). */
  exact: number | null;
  /** The AI's deductions offered on the card: taken as suggested, changed, or dismissed (no deduction). */
  confirmed: number;
  edited: number;
  dismissed: number;
}

export interface AiAgreement {
  from: string;
  to: string;
  /** Scored reviews the AI had scored before them. */
  reviews: number;
  /** Asked but no usable answer (endpoint down, garbage …), in the period's reviews. */
  failed: number;
  criteria: AiCriterionAgreement[];
}

const label = (points: number, na: boolean) => (na ? 'na' : String(points));

/**
 * AI against inspectors per criterion, over reviews scored in [from, to): what the QA lead reads
 * beside calibration to see which criteria the AI gets right. The inspector's side is the review's
 * marks as they stand (an appeal's decision included).
 */
export async function aiAgreement(x: QaDeps, from: Date, to: Date): Promise<AiAgreement> {
  const { rows } = await x.database.query<{ id: string | number; status: string; scores: AiScore[] | null }>(
    `select r.id, p.status, p.scores from qa_ai_prescores p join qa_reviews r on r.id = p.review_id
      where r.score is not null and r.scored_at >= $1::timestamptz and r.scored_at < $2::timestamptz
        and p.status <> 'pending'`,
    [from.toISOString(), to.toISOString()],
  );
  const scored = rows.filter((r) => r.status === 'ok' && r.scores);
  const ids = scored.map((r) => Number(r.id));
  const items = [];
  // In slices: a bound parameter per id, and PostgreSQL takes at most 65,535 of them.
  for (let i = 0; i < ids.length; i += 5000)
    items.push(...(await qaRepo.itemsOf(x.database.db, ids.slice(i, i + 5000))));
  const marks = new Map(items.map((i) => [`${i.reviewId}/${i.code}`, i]));
  const per = new Map<
    string,
    { pairs: Array<[string, string]>; confirmed: number; edited: number; dismissed: number }
  >();
  for (const r of scored)
    for (const s of r.scores!) {
      const mark = marks.get(`${Number(r.id)}/${s.code}`);
      if (!mark) continue;
      const c = per.get(s.code) ?? { pairs: [], confirmed: 0, edited: 0, dismissed: 0 };
      per.set(s.code, c);
      c.pairs.push([label(s.points, s.na), label(mark.points, mark.na)]);
      if (!s.suggested) continue;
      if (mark.na || mark.points === 0) c.dismissed++;
      else if (mark.points === s.points) c.confirmed++;
      else c.edited++;
    }
  const names = new Map(((await qaRepo.latestScorecard(x.database.db))?.criteria ?? []).map((c) => [c.code, c.name]));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    reviews: scored.length,
    failed: rows.length - scored.length,
    criteria: [...per.entries()]
      .map(([code, c]) => ({
        code,
        name: names.get(code) ?? code,
        pairs: c.pairs.length,
        kappa: cohenKappa(c.pairs),
        exact: c.pairs.length ? c.pairs.filter(([a, b]) => a === b).length / c.pairs.length : null,
        confirmed: c.confirmed,
        edited: c.edited,
        dismissed: c.dismissed,
      }))
      .sort((a, b) => a.code.localeCompare(b.code)),
  };
}
