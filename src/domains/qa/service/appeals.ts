import { and, eq, lt, sql } from 'drizzle-orm';
import type { Tx } from '../../../db/client.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../core/errors.js';
import type { AppealView } from '../cards.js';
import { SYSTEM_DECIDER, type AppealStep, type Decision } from '../logic/review.js';
import { computeScore, type Mark } from '../logic/score.js';
import { qaRepo, type AppealRow } from '../repository.js';
import { qaAppealDecisions, qaAppeals, qaReviewItems, qaReviews } from '../schema.js';
import { appealNo, isQaLead, reviewNo, type QaDeps } from './context.js';
import { queueEffects, STALE, viewReview, type ReviewView } from './review.js';
import { markRollupDirty } from '../rollup-store.js';

const DAY = 86_400_000;

export async function appealView(x: QaDeps, id: number): Promise<AppealView> {
  const a = await qaRepo.appeal(x.database.db, id);
  if (!a) throw new NotFoundError('申诉 appeal', appealNo(id));
  return { ...a, no: appealNo(a.id), decisions: await qaRepo.decisions(x.database.db, a.id) };
}

/** Until when the agent may appeal: the window (days) after the feedback was sent. */
export async function appealDeadline(x: QaDeps, v: ReviewView): Promise<Date> {
  const days = (await x.settings.policy.get()).appealWindowDays;
  return new Date((v.review.scoredAt ?? v.review.createdAt).getTime() + days * DAY);
}

/** The agent opens the appeal form: only on their own review, while the feedback is open and in time. */
export async function checkCanAppeal(
  x: QaDeps,
  reviewId: number,
  version: number,
  by: string,
  now: Date,
): Promise<{ view: ReviewView; deadline: Date }> {
  const view = await viewReview(x, reviewId);
  if (view.review.agentOpenId !== by)
    throw new ForbiddenError('只有被质检的客服本人可以申诉 · Only the agent can appeal their review');
  if (view.review.version !== version || view.review.state !== 'feedback_sent')
    throw new ConflictError(`${view.no} 已确认或已申诉 · already acknowledged or appealed`, { code: STALE, reviewId });
  const deadline = await appealDeadline(x, view);
  if (now > deadline)
    throw new ValidationError(
      `申诉期已过（截止 ${deadline.toISOString().slice(0, 16).replace('T', ' ')} UTC） · the appeal window has closed`,
      { field: 'deadline' },
    );
  return { view, deadline };
}

/** Who decides a step: the agent's team lead, then the QA lead. */
export async function deciderOf(x: QaDeps, v: ReviewView, step: AppealStep): Promise<string[]> {
  if (step === 'team_lead') {
    const agent = await x.directory.person(v.review.agentOpenId);
    const teamKey = v.conversation.teamKey ?? agent?.teams[0];
    const team = teamKey ? await x.directory.team(teamKey) : null;
    if (team?.leadOpenId) return [team.leadOpenId];
  }
  const people = await x.directory.people({ role: 'qa_inspector' });
  return people.filter((p) => isQaLead(p)).map((p) => p.openId);
}

/**
 * 申诉: per deducted criterion the proposed deduction, and a reason. The review moves to 申诉中
 * (conditional on the version the form was drawn for); the team lead's step starts with its deadline.
 */
export async function submitAppeal(
  x: QaDeps,
  input: { reviewId: number; version: number; by: string; reason: string; proposals: Mark[] },
  now: Date,
): Promise<AppealView> {
  const { view } = await checkCanAppeal(x, input.reviewId, input.version, input.by, now);
  const reason = input.reason.trim();
  if (!reason) throw new ValidationError('请填写申诉理由 · Please give a reason', { field: 'reason' });
  if (reason.length > 2000)
    throw new ValidationError('申诉理由最多 2000 字 · reason is limited to 2000 characters', { field: 'reason' });
  const items = new Map(view.items.map((i) => [i.code, i]));
  for (const p of input.proposals) {
    const item = items.get(p.code);
    if (!item || item.points <= 0)
      throw new ValidationError(`${p.code} 没有扣分，不能申诉 · nothing was deducted there`, { field: p.code });
    if (!Number.isInteger(p.points) || p.points < 0 || p.points >= item.points)
      throw new ValidationError(`${p.code}：建议扣分须小于原扣分 · the proposal must be below the deduction`, {
        field: p.code,
      });
  }
  const days = (await x.settings.policy.get()).appealStepDays;
  const id = await x.database.transaction(async (tx) => {
    const moved = await tx.db
      .update(qaReviews)
      .set({ state: 'appealed', version: view.review.version + 1, updatedAt: now })
      .where(and(eq(qaReviews.id, view.review.id), eq(qaReviews.version, view.review.version)))
      .returning();
    if (!moved[0])
      throw new ConflictError(`${view.no} 已确认或已申诉 · already acknowledged or appealed`, {
        code: STALE,
        reviewId: view.review.id,
      });
    const [appeal] = await tx.db
      .insert(qaAppeals)
      .values({
        reviewId: view.review.id,
        agentOpenId: input.by,
        reason,
        proposals: input.proposals.map((p) => ({ code: p.code, points: p.points, reason })),
        step: 'team_lead',
        stepDueAt: new Date(now.getTime() + days * DAY),
        originalScore: view.review.score ?? 0,
        submittedAt: now,
      })
      .returning();
    // Appealed counts on the review's day.
    await markRollupDirty(tx, [view.review.id]);
    await queueEffects(x, tx, view.review.id, view.review.version + 1, [
      { type: 'appeal_step', appealId: appeal!.id, step: 'team_lead' },
      { type: 'rollup' },
    ]);
    return appeal!.id;
  });
  return appealView(x, id);
}

export interface DecideInput {
  appealId: number;
  version: number;
  decision: Decision;
  by: string;
  reason: string;
  /** For 调整: the decider's deductions by criterion. */
  marks: Mark[];
}

const OUTCOME = { uphold: 'upheld', overturn: 'overturned', adjust: 'adjusted' } as const;

/**
 * A decision on the appeal's current step, by that step's role only, with a reason; audited in
 * qa_appeal_decisions (one row per step: of two concurrent deciders one wins, the other is told).
 * Team lead: 维持 ends the appeal (upheld); 改判 / 调整 passes it to the QA lead with the proposal.
 * QA lead: final. 改判 takes the agent's proposals, 调整 the marks given; the score is recomputed
 * with the review's own scorecard version and written to the review.
 */
export async function decideAppeal(x: QaDeps, input: DecideInput, now: Date): Promise<AppealView> {
  const a = await appealView(x, input.appealId);
  if (a.state !== 'open' || a.version !== input.version)
    throw new ConflictError(`${a.no} 已裁定或已转下一步 · already decided or moved on`, {
      code: STALE,
      appealId: a.id,
    });
  const view = await viewReview(x, a.reviewId);
  const deciders = await deciderOf(x, view, a.step);
  if (!deciders.includes(input.by))
    throw new ForbiddenError(
      a.step === 'team_lead'
        ? "只有该客服的组长可以裁定这一步 · Only the agent's team lead decides this step"
        : '只有质检主管可以裁定这一步 · Only the QA lead decides this step',
    );
  const reason = input.reason.trim();
  if (!reason) throw new ValidationError('请填写裁定理由 · Please give a reason', { field: 'reason' });
  const current = new Map(view.items.map((i) => [i.code, { code: i.code, points: i.points, na: i.na }]));
  const proposed = new Map(a.proposals.map((p) => [p.code, p.points]));
  let revised: Map<string, { code: string; points: number; na: boolean }> | undefined;
  if (input.decision === 'overturn')
    revised = new Map(
      [...current].map(([code, m]) => [code, proposed.has(code) ? { ...m, points: proposed.get(code)! } : m]),
    );
  if (input.decision === 'adjust') {
    if (input.marks.length === 0)
      throw new ValidationError('调整时请选择调整后的扣分 · Pick the adjusted deductions', { field: 'marks' });
    revised = new Map(current);
    for (const m of input.marks) {
      if (!current.has(m.code))
        throw new ValidationError(`评分项 ${m.code} 不在该质检中 · not on this review`, { field: m.code });
      revised.set(m.code, { code: m.code, points: m.points, na: false });
    }
  }
  const policy = await x.settings.policy.get();
  const score = revised ? computeScore(view.criteria, [...revised.values()], policy) : undefined;
  const final = a.step === 'qa_lead' || input.decision === 'uphold';
  const days = policy.appealStepDays;
  await x.database.transaction(async (tx) => {
    const inserted = await tx.db
      .insert(qaAppealDecisions)
      .values({
        appealId: a.id,
        step: a.step,
        decision: input.decision,
        byOpenId: input.by,
        reason,
        marks: revised ? [...revised.values()] : null,
        revisedScore: score?.score ?? null,
        at: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!inserted[0])
      throw new ConflictError(`${a.no} 这一步已由他人裁定 · someone else already decided this step`, {
        code: STALE,
        appealId: a.id,
      });
    const patch: Partial<AppealRow> = final
      ? {
          state: OUTCOME[input.decision],
          deciderOpenId: input.by,
          decisionNote: reason,
          decidedAt: now,
          revisedScore: score?.score ?? a.originalScore,
        }
      : { step: 'qa_lead', stepDueAt: new Date(now.getTime() + days * 86_400_000), lastReminderAt: null };
    const moved = await tx.db
      .update(qaAppeals)
      .set({ ...patch, version: a.version + 1 })
      .where(and(eq(qaAppeals.id, a.id), eq(qaAppeals.version, a.version)))
      .returning();
    if (!moved[0]) throw new ConflictError(`${a.no} 已裁定 · already decided`, { code: STALE, appealId: a.id });
    let reviewVersion = view.review.version;
    if (final) {
      if (score) {
        for (const m of score.marks) {
          await tx.db
            .update(qaReviewItems)
            .set({ points: m.points, na: m.na })
            .where(and(eq(qaReviewItems.reviewId, view.review.id), eq(qaReviewItems.code, m.code)));
        }
      }
      const r = await tx.db
        .update(qaReviews)
        .set({
          state: 'closed',
          version: sql`${qaReviews.version} + 1`,
          updatedAt: now,
          ...(score ? { score: score.score, result: score.result, redLineHit: score.redLineHit } : {}),
        })
        .where(eq(qaReviews.id, view.review.id))
        .returning({ version: qaReviews.version });
      reviewVersion = r[0]!.version;
      // The outcome (overturned / adjusted) and any new score and marks, on the review's day.
      await markRollupDirty(tx, [view.review.id]);
    }
    await queueEffects(
      x,
      tx,
      view.review.id,
      reviewVersion,
      final
        ? [{ type: 'appeal_decided', appealId: a.id }, { type: 'rollup' }]
        : [{ type: 'appeal_step', appealId: a.id, step: 'qa_lead' }],
    );
  });
  return appealView(x, a.id);
}

/**
 * Overdue steps (scheduled hourly). A team-lead step past its deadline passes to the QA lead: the
 * lapse is audited as an `expired` decision by `system` on that step (so a team lead clicking at the
 * same moment and the sweep cannot both win) and the QA lead gets the decision card. A QA-lead step
 * past its deadline is reminded once a day until decided. Each change and its follow-up are committed
 * together and the follow-ups are keyed, so a retried or repeated run sends nothing twice and a
 * failed send is retried by the queue rather than lost.
 */
export async function sweepAppeals(x: QaDeps, now: Date): Promise<{ moved: number; reminded: number[] }> {
  const days = (await x.settings.policy.get()).appealStepDays;
  const overdue = await x.database.db
    .select()
    .from(qaAppeals)
    .where(and(eq(qaAppeals.state, 'open'), lt(qaAppeals.stepDueAt, now)));
  let moved = 0;
  const reminded: number[] = [];
  for (const a of overdue) {
    const reviewVersion = async (tx: Tx) => (await qaRepo.review(tx.db, a.reviewId))!.version;
    if (a.step === 'team_lead') {
      const done = await x.database
        .transaction(async (tx) => {
          const lapsed = await tx.db
            .insert(qaAppealDecisions)
            .values({
              appealId: a.id,
              step: 'team_lead',
              decision: 'expired',
              byOpenId: SYSTEM_DECIDER,
              reason: `组长未在截止时间前裁定，转质检主管 · no decision by the deadline`,
              at: now,
            })
            .onConflictDoNothing()
            .returning({ id: qaAppealDecisions.id });
          if (!lapsed[0]) return false;
          const r = await tx.db
            .update(qaAppeals)
            .set({ step: 'qa_lead', stepDueAt: new Date(now.getTime() + days * DAY), version: a.version + 1 })
            .where(and(eq(qaAppeals.id, a.id), eq(qaAppeals.version, a.version)))
            .returning();
          if (!r[0]) throw new Superseded();
          await queueEffects(x, tx, a.reviewId, await reviewVersion(tx), [
            { type: 'appeal_step', appealId: a.id, step: 'qa_lead' },
          ]);
          return true;
        })
        .catch((err: unknown) => (err instanceof Superseded ? false : Promise.reject(err)));
      if (done) moved++;
    } else if (!a.lastReminderAt || now.getTime() - a.lastReminderAt.getTime() >= DAY) {
      const done = await x.database.transaction(async (tx) => {
        const r = await tx.db
          .update(qaAppeals)
          .set({ lastReminderAt: now })
          .where(and(eq(qaAppeals.id, a.id), eq(qaAppeals.version, a.version)))
          .returning();
        if (!r[0]) return false;
        await queueEffects(x, tx, a.reviewId, await reviewVersion(tx), [
          { type: 'appeal_reminder', appealId: a.id, day: now.toISOString().slice(0, 10) },
        ]);
        return true;
      });
      if (done) reminded.push(a.id);
    }
  }
  return { moved, reminded };
}

/** Someone decided the step while the sweep was passing it on: the sweep's change is rolled back. */
class Superseded extends Error {}

export const appealTitle = (a: Pick<AppealRow, 'id' | 'reviewId'>) => `${appealNo(a.id)} · ${reviewNo(a.reviewId)}`;
