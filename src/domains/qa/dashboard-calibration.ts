import { calibrate, type Rating } from './logic/calibration.js';
import type { QaDeps } from './service/context.js';

/** Rounds one answer lists: a weekly round makes 53 in a year; more is a lead's ad-hoc rounds, newest first. */
export const MAX_ROUNDS = 200;

export interface CalibrationFilter {
  since: Date;
  until: Date;
  /** The inspector whose rounds and alignment (undefined: every round, everyone's alignment). */
  inspector?: string;
}

/** One inspector against the reference (the lead's score, else the group's mean) over the conversations they scored. */
export interface Alignment {
  scored: number;
  /** Mean of their scores and of the reference's on the same conversations. */
  score: number | null;
  reference: number | null;
  /** Mean (their score − reference): above 0 they score more leniently. */
  bias: number | null;
  /** Mean |their score − reference|. */
  deviation: number | null;
  /** Share of the lead-scored conversations where their pass/fail matches the lead's. */
  passAgreement: number | null;
}

export type RoundStatus = 'open' | 'scored' | 'closed';

export interface CalibrationRound {
  id: number;
  name: string;
  createdAt: string;
  lead: string | null;
  leadName: string | null;
  conversations: number;
  inspectors: number;
  scored: number;
  expected: number;
  /** closed: every review scored; scored: the inspector asked about is done, others not; open: reviews wait. */
  status: RoundStatus;
  /** The inspector's own figures; alignment only once they scored all of theirs (blind until then). */
  mine: (Alignment & { expected: number; kappa: number | null }) | null;
}

export interface QaCalibration {
  rounds: CalibrationRound[];
  /** The inspector's alignment over the period's rounds they finished (null without an inspector). */
  alignment: (Alignment & { rounds: number }) | null;
  /** Everyone's alignment over the period (without an inspector). */
  byInspector: Array<Alignment & { key: string; name: string; rounds: number }>;
}

interface RoundRow {
  id: number;
  name: string;
  lead_open_id: string | null;
  created_at: Date | string;
  conversation_ids: number[];
  inspectors: string[];
}
interface ReviewRow {
  round: number;
  conversation_id: number;
  inspector: string;
  score: number | null;
  result: string | null;
}

/** Sums one inspector's differences from the reference; `figures()` turns them into an Alignment. */
class Tally {
  scored = 0;
  rounds = 0;
  private sum = { score: 0, reference: 0, diff: 0, abs: 0, led: 0, agree: 0 };
  add(score: number, reference: { score: number; pass: boolean | null }, pass: boolean): void {
    this.scored++;
    this.sum.score += score;
    this.sum.reference += reference.score;
    this.sum.diff += score - reference.score;
    this.sum.abs += Math.abs(score - reference.score);
    if (reference.pass === null) return;
    this.sum.led++;
    if (reference.pass === pass) this.sum.agree++;
  }
  figures(): Alignment {
    const n = this.scored;
    const m = (x: number) => (n ? x / n : null);
    return {
      scored: n,
      score: m(this.sum.score),
      reference: m(this.sum.reference),
      bias: m(this.sum.diff),
      deviation: m(this.sum.abs),
      passAgreement: this.sum.led ? this.sum.agree / this.sum.led : null,
    };
  }
}

/**
 * The calibration rounds started in the period (those the inspector is in, if one is named), each with its status
 * and the inspector's score against the reference, and the alignment over the period (calibrate(), as the QA lead's
 * 校准报告 computes it). Two reads: the rounds (a small table) and their reviews (qa_reviews_calibration_idx).
 */
export async function calibrationSummary(x: QaDeps, f: CalibrationFilter): Promise<QaCalibration> {
  const params: unknown[] = [f.since.toISOString(), f.until.toISOString()];
  if (f.inspector) params.push(JSON.stringify([f.inspector]));
  const { rows: rounds } = await x.database.query<RoundRow>(
    `select id::int as id, name, lead_open_id, created_at, conversation_ids, inspectors from qa_calibration_rounds
      where created_at >= $1 and created_at < $2 ${f.inspector ? 'and inspectors @> $3::jsonb' : ''}
      order by id desc limit ${MAX_ROUNDS}`,
    params,
  );
  const { rows: reviews } = rounds.length
    ? await x.database.query<ReviewRow>(
        `select calibration_round_id::int as round, conversation_id::int as conversation_id,
                inspector_open_id as inspector, score, result
           from qa_reviews where calibration_round_id = any($1::bigint[]) and inspector_open_id is not null`,
        [rounds.map((r) => r.id)],
      )
    : { rows: [] };
  const people = new Map((await x.directory.people()).map((p) => [p.openId, p.name]));
  const tallies = new Map<string, Tally>();
  const tally = (who: string) => tallies.get(who) ?? tallies.set(who, new Tally()).get(who)!;
  const threshold = (await x.settings.policy.get()).calibrationThreshold;
  const out: CalibrationRound[] = rounds.map((round) => {
    const own = reviews.filter((r) => r.round === round.id);
    const ratings: Rating[] = own
      .filter((r) => r.score !== null)
      .map((r) => ({
        conversationId: r.conversation_id,
        inspector: r.inspector,
        score: Number(r.score),
        pass: r.result === 'pass',
        points: new Map(),
      }));
    const figures = calibrate(ratings, [], { lead: round.lead_open_id, threshold });
    const done = (who: string) => own.filter((r) => r.inspector === who).every((r) => r.score !== null);
    // An inspector's figures count once they finished the round: until then the reference stays out of sight.
    for (const who of new Set(own.map((r) => r.inspector))) {
      if (!done(who) || who === round.lead_open_id) continue;
      const t = tally(who);
      t.rounds++;
      for (const r of ratings.filter((r) => r.inspector === who))
        t.add(r.score, figures.reference.get(r.conversationId)!, r.pass);
    }
    const closed = own.length > 0 && ratings.length === own.length;
    const mine = f.inspector ? own.filter((r) => r.inspector === f.inspector) : [];
    const mineDone = mine.length > 0 && done(f.inspector!);
    let mineFigures: CalibrationRound['mine'] = null;
    if (f.inspector) {
      const t = new Tally();
      if (mineDone)
        for (const r of ratings.filter((r) => r.inspector === f.inspector))
          t.add(r.score, figures.reference.get(r.conversationId)!, r.pass);
      const kappa = figures.inspectors.find((i) => i.inspector === f.inspector)?.kappa ?? null;
      mineFigures = {
        ...t.figures(),
        scored: mine.filter((r) => r.score !== null).length,
        expected: mine.length,
        kappa: mineDone ? kappa : null,
      };
    }
    return {
      id: round.id,
      name: round.name,
      createdAt: new Date(round.created_at).toISOString(),
      lead: round.lead_open_id,
      leadName: round.lead_open_id ? (people.get(round.lead_open_id) ?? round.lead_open_id) : null,
      conversations: round.conversation_ids.length,
      inspectors: round.inspectors.length,
      scored: ratings.length,
      expected: own.length,
      status: closed ? 'closed' : f.inspector && mineDone ? 'scored' : 'open',
      mine: mineFigures,
    };
  });
  const mine = f.inspector ? tallies.get(f.inspector) : undefined;
  return {
    rounds: out,
    alignment: f.inspector ? { ...(mine ?? new Tally()).figures(), rounds: mine?.rounds ?? 0 } : null,
    byInspector: f.inspector
      ? []
      : [...tallies]
          .map(([key, t]) => ({ key, name: people.get(key) ?? key, rounds: t.rounds, ...t.figures() }))
          .sort((a, b) => (b.deviation ?? 0) - (a.deviation ?? 0) || a.key.localeCompare(b.key)),
  };
}
