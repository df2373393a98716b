import { and, asc, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  qaAppealDecisions,
  qaAppeals,
  qaConversations,
  qaMessages,
  qaReviewItems,
  qaReviews,
  qaScorecardVersions,
} from './schema.js';

export type ConversationRow = typeof qaConversations.$inferSelect;
export type MessageRow = typeof qaMessages.$inferSelect;
export type ReviewRow = typeof qaReviews.$inferSelect;
export type ReviewItemRow = typeof qaReviewItems.$inferSelect;
export type ScorecardVersionRow = typeof qaScorecardVersions.$inferSelect;
export type AppealRow = typeof qaAppeals.$inferSelect;
export type AppealDecisionRow = typeof qaAppealDecisions.$inferSelect;

/** Queries of the QA workflow; no Feishu, no rules. */
export const qaRepo = {
  async latestScorecard(db: Db): Promise<ScorecardVersionRow | undefined> {
    return (await db.select().from(qaScorecardVersions).orderBy(desc(qaScorecardVersions.version)).limit(1))[0];
  },
  async scorecard(db: Db, version: number): Promise<ScorecardVersionRow | undefined> {
    return (await db.select().from(qaScorecardVersions).where(eq(qaScorecardVersions.version, version)))[0];
  },
  async scorecards(db: Db, versions: readonly number[]): Promise<ScorecardVersionRow[]> {
    if (versions.length === 0) return [];
    return db
      .select()
      .from(qaScorecardVersions)
      .where(inArray(qaScorecardVersions.version, [...versions]));
  },
  async conversation(db: Db, id: number): Promise<ConversationRow | undefined> {
    return (await db.select().from(qaConversations).where(eq(qaConversations.id, id)))[0];
  },
  async conversationByExternal(db: Db, channel: string, externalId: string): Promise<ConversationRow | undefined> {
    return (
      await db
        .select()
        .from(qaConversations)
        .where(and(eq(qaConversations.channel, channel), eq(qaConversations.externalId, externalId)))
    )[0];
  },
  async messages(db: Db, conversationId: number): Promise<MessageRow[]> {
    return db
      .select()
      .from(qaMessages)
      .where(eq(qaMessages.conversationId, conversationId))
      .orderBy(asc(qaMessages.seq));
  },
  async review(db: Db, id: number): Promise<ReviewRow | undefined> {
    return (await db.select().from(qaReviews).where(eq(qaReviews.id, id)))[0];
  },
  async items(db: Db, reviewId: number): Promise<ReviewItemRow[]> {
    return db.select().from(qaReviewItems).where(eq(qaReviewItems.reviewId, reviewId)).orderBy(asc(qaReviewItems.id));
  },
  /** The inspector's oldest review still to score. */
  async nextToScore(db: Db, inspectorOpenId: string): Promise<ReviewRow | undefined> {
    return (
      await db
        .select()
        .from(qaReviews)
        .where(and(eq(qaReviews.inspectorOpenId, inspectorOpenId), eq(qaReviews.state, 'to_score')))
        .orderBy(asc(qaReviews.id))
        .limit(1)
    )[0];
  },
  /** The oldest conversation nobody has reviewed yet (outside calibration). */
  async oldestUnreviewed(db: Db): Promise<ConversationRow | undefined> {
    const reviewed = db
      .select({ id: qaReviews.conversationId })
      .from(qaReviews)
      .where(sql`${qaReviews.sampleReason} <> 'calibration' and ${qaReviews.conversationId} = ${qaConversations.id}`);
    return (
      await db
        .select()
        .from(qaConversations)
        .where(sql`not exists (${reviewed})`)
        .orderBy(asc(qaConversations.startedAt), asc(qaConversations.id))
        .limit(1)
    )[0];
  },
  /** An agent's own scored reviews, newest first; a calibration round's blind scores are not theirs (COUNTED). */
  async reviewsOfAgent(db: Db, agentOpenId: string, limit: number): Promise<ReviewRow[]> {
    return db
      .select()
      .from(qaReviews)
      .where(
        and(
          eq(qaReviews.agentOpenId, agentOpenId),
          sql`${qaReviews.scoredAt} is not null`,
          ne(qaReviews.sampleReason, 'calibration'),
        ),
      )
      .orderBy(desc(qaReviews.scoredAt))
      .limit(limit);
  },
  async reviewsWithoutRow(db: Db, limit: number): Promise<ReviewRow[]> {
    return db
      .select()
      .from(qaReviews)
      .where(and(isNull(qaReviews.bitableRecordId), sql`${qaReviews.scoredAt} is not null`))
      .orderBy(asc(qaReviews.id))
      .limit(limit);
  },
  async appeal(db: Db, id: number): Promise<AppealRow | undefined> {
    return (await db.select().from(qaAppeals).where(eq(qaAppeals.id, id)))[0];
  },
  async appealOfReview(db: Db, reviewId: number): Promise<AppealRow | undefined> {
    return (await db.select().from(qaAppeals).where(eq(qaAppeals.reviewId, reviewId)))[0];
  },
  async decisions(db: Db, appealId: number): Promise<AppealDecisionRow[]> {
    return db
      .select()
      .from(qaAppealDecisions)
      .where(eq(qaAppealDecisions.appealId, appealId))
      .orderBy(asc(qaAppealDecisions.id));
  },
  async itemsOf(db: Db, reviewIds: number[]): Promise<ReviewItemRow[]> {
    return reviewIds.length === 0
      ? []
      : db.select().from(qaReviewItems).where(inArray(qaReviewItems.reviewId, reviewIds));
  },
};
