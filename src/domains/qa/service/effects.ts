import type { QaCards } from '../cards.js';
import { appealStatusLine } from './appeal-status.js';
import { appealView, deciderOf } from './appeals.js';
import type { EffectsJob, QaDeps } from './context.js';
import { cardContext, refreshFeedback, sendFeedback } from './feedback.js';
import { viewReview } from './review.js';
import { refreshDirtyRollup } from '../rollup-store.js';

/** Runs a committed change's follow-ups; each send has a deterministic key, so a retry sends nothing twice. */
export async function runEffects(x: QaDeps, cards: QaCards, job: EffectsJob, now: Date): Promise<void> {
  for (const effect of job.effects) {
    if (effect.type === 'feedback') await sendFeedback(x, cards, job.reviewId, now);
    if (effect.type === 'feedback_card') await refreshFeedback(x, cards, job.reviewId, effect.key, now);
    if (effect.type === 'appeal_step') {
      const a = await appealView(x, effect.appealId);
      if (a.state !== 'open' || a.step !== effect.step) continue;
      const v = await viewReview(x, a.reviewId);
      const card = cards.appealDecide(v, await cardContext(x, v), a);
      for (const openId of await deciderOf(x, v, a.step))
        await x.feishu.messages.send({ to: { openId }, card, key: `qa:appeal:${a.id}:${a.step}:${openId}` });
    }
    if (effect.type === 'appeal_decided') {
      const a = await appealView(x, effect.appealId);
      const v = await viewReview(x, a.reviewId);
      const card = cards.feedback(v, await cardContext(x, v), await appealStatusLine(x, a.id));
      if (v.review.feedbackMessageId)
        await x.feishu.messages.updateCard({ messageId: v.review.feedbackMessageId, card });
      await x.feishu.messages.send({ to: { openId: a.agentOpenId }, card, key: `qa:appeal:${a.id}:decided` });
    }
    if (effect.type === 'appeal_reminder') await sendAppealReminder(x, cards, effect.appealId, effect.day);
    if (effect.type === 'scoring_card') {
      const v = await viewReview(x, job.reviewId);
      // Only the card of this version: once scored or changed again, the card shown is someone else's to draw.
      if (v.review.state !== 'to_score' || v.review.version !== job.version || !v.review.cardMessageId) continue;
      await x.feishu.messages.updateCard({
        messageId: v.review.cardMessageId,
        card: cards.score(v, await cardContext(x, v)),
      });
    }
    if (effect.type === 'mirror') await x.mirror.onReviewChanged(job.reviewId, { comment: effect.comment === true });
    if (effect.type === 'rollup') await refreshDirtyRollup(x.database);
  }
}

/** A QA-lead step past its deadline: the decision card again, once a day, to whoever decides it. */
async function sendAppealReminder(x: QaDeps, cards: QaCards, appealId: number, day: string): Promise<void> {
  const a = await appealView(x, appealId);
  if (a.state !== 'open') return;
  const v = await viewReview(x, a.reviewId);
  const card = cards.appealDecide(v, await cardContext(x, v), a);
  for (const openId of await deciderOf(x, v, a.step))
    await x.feishu.messages.send({ to: { openId }, card, key: `qa:appeal:${a.id}:reminder:${day}:${openId}` });
}
