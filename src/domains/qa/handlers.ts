import type { CardActionContext, CardActionResult, CommandContext } from '../../core/contexts.js';
import type { z } from 'zod';
import type { QaCards } from './cards.js';
import type { QaService } from './service/index.js';
import { isStale, type ReviewView } from './service/review.js';
import {
  marksFromForm,
  picks,
  textOf,
  type AckValue,
  type AppealOpenValue,
  type AppealValue,
  type DecideValue,
  type NextValue,
  type ScoreValue,
} from './values.js';
import { DECISION_NAME } from './cards.js';
import { appealView, checkCanAppeal, decideAppeal, submitAppeal } from './service/appeals.js';
import { acknowledge, cardContext } from './service/feedback.js';

export function qaHandlers(qa: QaService, cards: QaCards) {
  const context = (v: ReviewView) => cardContext(qa.deps, v);
  const scoringCard = async (v: ReviewView) => cards.score(v, await context(v));
  const nothingLeft = () =>
    cards.notice(
      '没有待质检的会话 · Nothing to review',
      '当前没有分配给你或未被质检的会话。 · No conversation is waiting for you.',
      'green',
    );

  return {
    /** `质检` / `next review`: the inspector's next conversation as a scoring card. */
    async next(ctx: CommandContext): Promise<void> {
      const v = await qa.next(ctx.sender.openId, ctx.now);
      const sent = await ctx.reply({ card: v ? await scoringCard(v) : nothingLeft() }, 'next');
      // The reply is the card the AI pre-score updates in place, as for the help card's button (qa.next).
      if (v && sent.messageId) await qa.shownIn(v.review, sent.messageId);
    },

    async publish(ctx: CommandContext): Promise<void> {
      const p = await qa.publish(ctx.sender.openId, ctx.now, ctx.args || undefined);
      const text = p.created
        ? `已发布第 ${p.version} 版评分标准（${p.criteria.length} 项）。已有的质检记录保留原版本。 · Version ${p.version} published; ` +
          `existing reviews keep theirs.`
        : `评分标准没有变化，当前仍为第 ${p.version} 版。 · No change: version ${p.version} stays current.`;
      await ctx.reply({ card: cards.notice('评分标准 Scorecard', text, p.created ? 'green' : 'blue') }, 'publish');
    },

    async score(ctx: CardActionContext<z.infer<typeof ScoreValue>>): Promise<CardActionResult> {
      const form = marksFromForm(ctx.formValue);
      try {
        const r = await qa.score(
          {
            reviewId: ctx.value.reviewId,
            version: ctx.value.version,
            ...form,
            accept: ctx.value.accept === true,
            by: ctx.operator.openId,
          },
          ctx.now,
        );
        return {
          toast: { type: 'success', content: `已评分 ${r.score.score} 分 · Scored` },
          card: cards.scored(r.view, await context(r.view)),
        };
      } catch (err) {
        if (!isStale(err)) throw err;
        // A double click, Feishu's retry or an old card: nothing changes twice; show where it stands.
        const v = await qa.view(ctx.value.reviewId);
        // Still to score: the card changed under the click (the AI's suggestions arrived), so show it again.
        if (v.review.state === 'to_score')
          return {
            toast: {
              type: 'info',
              content: '卡片已更新，请核对后再提交 · The card was updated; check and submit again',
            },
            card: await scoringCard(v),
          };
        return {
          toast: { type: 'info', content: '已评分，无需重复提交 · Already scored' },
          card: cards.scored(v, await context(v)),
        };
      }
    },

    async nextFromCard(ctx: CardActionContext<z.infer<typeof NextValue>>): Promise<CardActionResult> {
      // The card goes into the clicked message: a pre-score arriving later updates it there.
      const v = await qa.next(ctx.operator.openId, ctx.now, ctx.messageId);
      return { card: v ? await scoringCard(v) : nothingLeft() };
    },
  };
}

/** The agent's buttons (确认 / 申诉) and the deciders' (维持 / 改判 / 调整). */
export function feedbackHandlers(qa: QaService, cards: QaCards) {
  const x = qa.deps;
  const feedbackCard = async (v: ReviewView) => cards.feedback(v, await cardContext(x, v));
  const stale = async (reviewId: number, content: string): Promise<CardActionResult> => ({
    toast: { type: 'info', content },
    card: await feedbackCard(await qa.view(reviewId)),
  });
  return {
    async ack(ctx: CardActionContext<z.infer<typeof AckValue>>): Promise<CardActionResult> {
      try {
        const v = await acknowledge(x, ctx.value.reviewId, ctx.value.version, ctx.operator.openId, ctx.now);
        return { toast: { type: 'success', content: '已确认 · Acknowledged' }, card: await feedbackCard(v) };
      } catch (err) {
        if (isStale(err)) return stale(ctx.value.reviewId, '已处理 · Already handled');
        throw err;
      }
    },
    async appealForm(ctx: CardActionContext<z.infer<typeof AppealOpenValue>>): Promise<CardActionResult> {
      try {
        const { view, deadline } = await checkCanAppeal(
          x,
          ctx.value.reviewId,
          ctx.value.version,
          ctx.operator.openId,
          ctx.now,
        );
        return { card: cards.appealForm(view, await cardContext(x, view), deadline) };
      } catch (err) {
        if (isStale(err)) return stale(ctx.value.reviewId, '已确认或已申诉 · Already acknowledged or appealed');
        throw err;
      }
    },
    async appeal(ctx: CardActionContext<z.infer<typeof AppealValue>>): Promise<CardActionResult> {
      try {
        const a = await submitAppeal(
          x,
          {
            reviewId: ctx.value.reviewId,
            version: ctx.value.version,
            by: ctx.operator.openId,
            reason: textOf(ctx.formValue, 'reason'),
            proposals: picks(ctx.formValue, 'p_'),
          },
          ctx.now,
        );
        return {
          toast: { type: 'success', content: `已提交申诉 ${a.no} · Appeal submitted` },
          card: await feedbackCard(await qa.view(ctx.value.reviewId)),
        };
      } catch (err) {
        if (isStale(err)) return stale(ctx.value.reviewId, '已确认或已申诉 · Already acknowledged or appealed');
        throw err;
      }
    },
    async decide(ctx: CardActionContext<z.infer<typeof DecideValue>>): Promise<CardActionResult> {
      const input = {
        ...ctx.value,
        by: ctx.operator.openId,
        reason: textOf(ctx.formValue, 'reason'),
        marks: picks(ctx.formValue, 'a_'),
      };
      try {
        const a = await decideAppeal(x, input, ctx.now);
        const v = await qa.view(a.reviewId);
        return {
          toast: { type: 'success', content: `已裁定 · Decided: ${DECISION_NAME[ctx.value.decision]}` },
          card: cards.appealDecide(v, await cardContext(x, v), a),
        };
      } catch (err) {
        if (!isStale(err)) throw err;
        // The other decider was first, or the step moved on: say what stands.
        const a = await appealView(x, ctx.value.appealId);
        const v = await qa.view(a.reviewId);
        return {
          toast: { type: 'info', content: '这一步已裁定 · Already decided' },
          card: cards.appealDecide(v, await cardContext(x, v), a),
        };
      }
    },
  };
}
