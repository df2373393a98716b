import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../core/errors.js';
import { calibrate, type CriterionAgreement, type InspectorAlignment } from '../logic/calibration.js';
import { qaRepo } from '../repository.js';
import { qaCalibrationRounds, qaReviewItems, qaReviews } from '../schema.js';
import { isInspector, isQaLead, type QaDeps } from './context.js';
import { createReview } from './review.js';

export interface RoundInput {
  name: string;
  /** Conversations by channel + external id. */
  conversations: Array<{ channel: string; externalId: string }>;
  inspectors: string[];
  /** Whose scores are the reference (scores too); default: the group's mean. */
  lead?: string;
  by: string;
}

/**
 * A calibration round: every listed inspector (and the lead) gets a review of every listed
 * conversation, waiting in their 质检 queue like any other. Only the QA lead starts one; a round
 * started twice with the same name changes nothing (the unique index keeps one review each).
 */
export async function startRound(x: QaDeps, input: RoundInput, now: Date) {
  if (!isQaLead(await x.directory.person(input.by)))
    throw new ForbiddenError('只有质检主管可以发起校准 · Only the QA lead starts a calibration round');
  const raters = [...new Set([...input.inspectors, ...(input.lead ? [input.lead] : [])])];
  for (const openId of raters)
    if (!isInspector(await x.directory.person(openId)))
      throw new ValidationError(`不是质检员 · not a QA inspector: ${openId}`, { field: 'inspectors', openId });
  if (raters.length < 2) throw new ValidationError('校准至少需要两位质检员 · at least two inspectors', {});
  const conversations = [];
  for (const c of input.conversations) {
    const row = await qaRepo.conversationByExternal(x.database.db, c.channel, c.externalId);
    if (!row) throw new NotFoundError('会话 conversation', `${c.channel}/${c.externalId}`);
    conversations.push(row);
  }
  const existing = (
    await x.database.db.select().from(qaCalibrationRounds).where(eq(qaCalibrationRounds.name, input.name))
  )[0];
  const round =
    existing ??
    (
      await x.database.db
        .insert(qaCalibrationRounds)
        .values({
          name: input.name,
          leadOpenId: input.lead ?? null,
          createdBy: input.by,
          conversationIds: conversations.map((c) => c.id),
          inspectors: raters,
          createdAt: now,
        })
        .returning()
    )[0]!;
  let created = 0;
  for (const c of conversations)
    for (const openId of raters) if (await createReview(x, c, openId, 'calibration', now, null, round.id)) created++;
  return { round: round.id, name: round.name, created, reviews: conversations.length * raters.length };
}

export interface CalibrationReport {
  round: number;
  name: string;
  lead: string | null;
  conversations: number;
  /** Reviews scored of those the round asked for. */
  scored: number;
  expected: number;
  threshold: number;
  passKappa: number | null;
  inspectors: Array<InspectorAlignment & { name: string }>;
  criteria: Array<CriterionAgreement & { name: string }>;
}

/** The round's figures for the QA lead (managers and admins too): who is off the reference and where. */
export async function calibrationReport(
  x: QaDeps,
  roundId: number | null,
  /** The person asking in chat; null: the token-authorised API. */
  who: string | null,
): Promise<CalibrationReport> {
  const me = who === null ? null : await x.directory.person(who);
  if (who !== null && !isQaLead(me) && !me?.roles.some((r) => r === 'manager' || r === 'admin'))
    throw new ForbiddenError('校准报告仅限质检主管 · Only the QA lead reads calibration reports');
  const db = x.database.db;
  const [round] = await db
    .select()
    .from(qaCalibrationRounds)
    .where(roundId ? eq(qaCalibrationRounds.id, roundId) : undefined)
    .orderBy(desc(qaCalibrationRounds.id))
    .limit(1);
  if (!round) throw new NotFoundError('校准轮次 calibration round', roundId ? String(roundId) : '—');
  const reviews = await db
    .select()
    .from(qaReviews)
    .where(and(eq(qaReviews.calibrationRoundId, round.id), isNotNull(qaReviews.score)));
  const items = reviews.length
    ? await db
        .select()
        .from(qaReviewItems)
        .where(
          inArray(
            qaReviewItems.reviewId,
            reviews.map((r) => r.id),
          ),
        )
    : [];
  const version = Math.max(0, ...reviews.map((r) => r.scorecardVersion));
  const criteria = (await qaRepo.scorecard(db, version))?.criteria ?? [];
  const threshold = (await x.settings.policy.get()).calibrationThreshold;
  const figures = calibrate(
    reviews.map((r) => ({
      conversationId: r.conversationId,
      inspector: r.inspectorOpenId ?? '',
      score: r.score!,
      pass: r.result === 'pass',
      points: new Map(items.filter((i) => i.reviewId === r.id && !i.na).map((i) => [i.code, i.points])),
    })),
    criteria.filter((c) => !c.bonus),
    { lead: round.leadOpenId, threshold },
  );
  const people = new Map((await x.directory.people()).map((p) => [p.openId, p.name]));
  const names = new Map(criteria.map((c) => [c.code, c.name]));
  return {
    round: round.id,
    name: round.name,
    lead: round.leadOpenId,
    conversations: round.conversationIds.length,
    scored: reviews.length,
    expected: round.conversationIds.length * round.inspectors.length,
    threshold,
    passKappa: figures.passKappa,
    inspectors: figures.inspectors.map((i) => ({ ...i, name: people.get(i.inspector) ?? i.inspector })),
    criteria: figures.criteria.map((c) => ({ ...c, name: names.get(c.code) ?? c.code })),
  };
}
