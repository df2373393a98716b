import { and, eq, isNull } from 'drizzle-orm';
import { ConflictError, ForbiddenError } from '../../../core/errors.js';
import type { QaCards } from '../cards.js';
import { decidedAppealLine } from './appeal-status.js';
import { qaRepo } from '../repository.js';
import { qaReviews } from '../schema.js';
import { queueEffects, STALE, viewReview, type ReviewView } from './review.js';
import type { QaDeps } from './context.js';

export const cardContext = async (x: QaDeps, v: ReviewView) => ({
  timeZone: x.config.timeZone,
  channelName: (await x.settings.channels.get()).names[v.conversation.channel] ?? v.conversation.channel,
  rootCauses: (await x.settings.rootCauses.get()).names,
});

/**
 * The feedback DM (from the queue, after scoring): the review moves to 已反馈 once, then the card
 * goes to the agent alone (personal results never go to a shared chat), keyed by the review so a
 * retried job sends one message.
 */
export async function sendFeedback(x: QaDeps, cards: QaCards, reviewId: number, now: Date): Promise<void> {
  let review = await qaRepo.review(x.database.db, reviewId);
  if (!review) return;
  if (review.state === 'scored') {
    await x.database.db
      .update(qaReviews)
      .set({ state: 'feedback_sent', version: review.version + 1, updatedAt: now })
      .where(and(eq(qaReviews.id, reviewId), eq(qaReviews.version, review.version)));
    review = (await qaRepo.review(x.database.db, reviewId))!;
  }
  if (review.feedbackMessageId || review.state !== 'feedback_sent') return;
  const v = await viewReview(x, reviewId);
  const sent = await x.feishu.messages.send({
    to: { openId: review.agentOpenId },
    card: cards.feedback(v, await cardContext(x, v)),
    key: `qa:feedback:${reviewId}`,
  });
  await x.database.db
    .update(qaReviews)
    .set({ feedbackMessageId: sent.messageId, feedbackSentAt: now })
    .where(and(eq(qaReviews.id, reviewId), isNull(qaReviews.feedbackMessageId)));
}

/** Feishu updates a sent card only within 14 days of sending (FEISHU.md b.3); an hour kept spare for the queue. */
const PATCH_WINDOW_MS = 14 * 86_400_000 - 3_600_000;

/**
 * The agent's feedback DM drawn again after a change to the review that the card shows (a root cause set later
 * in 评分明细): updated in place while Feishu allows it, else sent again as a new DM (keyed by `key`, so a
 * retried job sends one), which is then the review's feedback message. Before the DM went out nothing is
 * needed: it will show the change when sent.
 */
export async function refreshFeedback(
  x: QaDeps,
  cards: QaCards,
  reviewId: number,
  key: string,
  now: Date,
): Promise<'patched' | 'resent' | 'none'> {
  const v = await viewReview(x, reviewId);
  const r = v.review;
  if (!r.feedbackMessageId) return 'none';
  // A decided appeal's line stays on the card (it was put there when the appeal was decided).
  const card = cards.feedback(v, await cardContext(x, v), await decidedAppealLine(x, reviewId));
  // Sent before the send time was kept: it went out minutes after scoring (sendFeedback).
  const sentAt = r.feedbackSentAt ?? r.scoredAt;
  if (sentAt && now.getTime() - sentAt.getTime() < PATCH_WINDOW_MS) {
    await x.feishu.messages.updateCard({ messageId: r.feedbackMessageId, card });
    return 'patched';
  }
  const sent = await x.feishu.messages.send({
    to: { openId: r.agentOpenId },
    card,
    key: `qa:feedback:${reviewId}:${key}`,
  });
  await x.database.db
    .update(qaReviews)
    .set({ feedbackMessageId: sent.messageId, feedbackSentAt: now })
    .where(and(eq(qaReviews.id, reviewId), eq(qaReviews.feedbackMessageId, r.feedbackMessageId)));
  return 'resent';
}

/** 确认: the agent (only they) acknowledges the feedback on the version the card shows. */
export async function acknowledge(
  x: QaDeps,
  reviewId: number,
  version: number,
  by: string,
  now: Date,
): Promise<ReviewView> {
  const v = await viewReview(x, reviewId);
  if (v.review.agentOpenId !== by)
    throw new ForbiddenError('只有被质检的客服本人可以确认 · Only the agent can acknowledge their review');
  if (v.review.version !== version || v.review.state !== 'feedback_sent')
    throw new ConflictError(`${v.no} 已处理 · already handled`, { code: STALE, reviewId });
  await x.database.transaction(async (tx) => {
    const updated = await tx.db
      .update(qaReviews)
      .set({ state: 'acknowledged', acknowledgedAt: now, version: version + 1, updatedAt: now })
      .where(and(eq(qaReviews.id, reviewId), eq(qaReviews.version, version)))
      .returning();
    if (!updated[0]) throw new ConflictError(`${v.no} 已处理 · already handled`, { code: STALE, reviewId });
    await queueEffects(x, tx, reviewId, version + 1, []);
  });
  return viewReview(x, reviewId);
}
