import { cohenKappa, countsOf, fleissKappa } from './agreement.js';

/** One inspector's scoring of one conversation of a calibration round. */
export interface Rating {
  conversationId: number;
  inspector: string;
  score: number;
  pass: boolean;
  /** Points deducted per criterion; N/A left out. */
  points: ReadonlyMap<string, number>;
}

export interface InspectorAlignment {
  inspector: string;
  scored: number;
  /** Mean of (their score − reference): above 0 they score more leniently than the reference. */
  bias: number | null;
  /** Mean |their score − reference|. */
  deviation: number | null;
  /** Share of conversations where their pass/fail matches the reference's. */
  passAgreement: number | null;
  /** Cohen's κ of their pass/fail against the lead's (null without a lead, or undefined). */
  kappa: number | null;
}

export interface CriterionAgreement {
  code: string;
  /** Fleiss' κ on deducted / not deducted. */
  kappa: number | null;
  /** Mean over conversations of the spread (population standard deviation) of points, over max points. */
  spread: number;
  flagged: boolean;
}

export interface CalibrationFigures {
  /** The reference per conversation: the lead's score when they scored it, else the group's mean. */
  reference: Map<number, { score: number; pass: boolean | null; by: 'lead' | 'group' }>;
  inspectors: InspectorAlignment[];
  /** Fleiss' κ on pass/fail over everyone who scored. */
  passKappa: number | null;
  criteria: CriterionAgreement[];
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const sd = (xs: readonly number[]) => {
  const m = mean(xs)!;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
};

/**
 * How far each inspector is from the reference and how much the group agrees beyond chance. A
 * criterion is flagged when its spread is over `threshold` of its max points (default 10 %).
 */
export function calibrate(
  ratings: readonly Rating[],
  criteria: ReadonlyArray<{ code: string; maxPoints: number }>,
  o: { lead?: string | null; threshold: number },
): CalibrationFigures {
  const byConversation = new Map<number, Rating[]>();
  for (const r of ratings) byConversation.set(r.conversationId, [...(byConversation.get(r.conversationId) ?? []), r]);
  const reference = new Map<number, { score: number; pass: boolean | null; by: 'lead' | 'group' }>();
  for (const [id, rs] of byConversation) {
    const lead = rs.find((r) => r.inspector === o.lead);
    reference.set(
      id,
      lead
        ? { score: lead.score, pass: lead.pass, by: 'lead' }
        : { score: mean(rs.map((r) => r.score))!, pass: null, by: 'group' },
    );
  }
  const names = [...new Set(ratings.map((r) => r.inspector))].sort();
  const inspectors = names.map((inspector): InspectorAlignment => {
    const mine = ratings.filter((r) => r.inspector === inspector);
    const diffs = mine.map((r) => r.score - reference.get(r.conversationId)!.score);
    const led = mine.filter((r) => reference.get(r.conversationId)!.pass !== null);
    return {
      inspector,
      scored: mine.length,
      bias: mean(diffs),
      deviation: mean(diffs.map(Math.abs)),
      passAgreement: mean(led.map((r) => (r.pass === reference.get(r.conversationId)!.pass ? 1 : 0))),
      kappa:
        inspector === o.lead || led.length === 0
          ? null
          : cohenKappa(led.map((r) => [r.pass, reference.get(r.conversationId)!.pass!] as const)),
    };
  });
  const groups = [...byConversation.values()].filter((rs) => rs.length >= 2);
  return {
    reference,
    inspectors,
    passKappa: fleissKappa(countsOf(groups.map((rs) => rs.map((r) => r.pass)))),
    criteria: criteria.map((c) => {
      const rated = groups
        .map((rs) => rs.filter((r) => r.points.has(c.code)).map((r) => r.points.get(c.code)!))
        .filter((ps) => ps.length >= 2);
      const spread = mean(rated.map((ps) => sd(ps) / c.maxPoints)) ?? 0;
      return {
        code: c.code,
        kappa: fleissKappa(countsOf(rated.map((ps) => ps.map((p) => p > 0)))),
        spread,
        flagged: spread > o.threshold,
      };
    }),
  };
}
