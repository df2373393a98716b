import type { CommandContext } from '../../core/contexts.js';
import { ValidationError } from '../../core/errors.js';
import type { Card } from '../../core/cards/render.js';
import type { QaCards } from './cards.js';
import { calibrationText } from './calibration-text.js';
import { joinMarkdown } from '../../core/cards/markdown.js';
import { agreementFor, aiAgreementText } from './llm/index.js';
import { myResultsText, reportText } from './report-text.js';
import { reportScope, summary } from './service/reports.js';
import { rootCauseReport } from './service/root-causes.js';
import { rootCauseText } from './root-cause-text.js';
import type { QaService } from './service/index.js';

const DAY = 86_400_000;

/** `我的质检` and `质检报告`: personal figures, so in a group chat they go to the asker by DM. */
export function reportHandlers(qa: QaService, cards: QaCards) {
  const x = qa.deps;
  const answer = async (ctx: CommandContext, card: Card, step: string) => {
    if (ctx.chat.type === 'p2p') return ctx.reply({ card }, step);
    await x.feishu.messages.send({ to: { openId: ctx.sender.openId }, card, key: `qa:${step}:${ctx.messageId}` });
    await ctx.reply({ card: cards.notice('质检 QA', '结果已私信发给你 · Sent to you in a direct message') }, step);
  };
  // Up to and including this moment.
  const period = (now: Date) => ({ from: new Date(now.getTime() - 30 * DAY), to: new Date(now.getTime() + 1000) });

  return {
    async mine(ctx: CommandContext): Promise<void> {
      const me = ctx.sender.openId;
      const s = await summary(x, { ...period(ctx.now), agent: me });
      const recent = await qa.repo.reviewsOfAgent(x.database.db, me, 5);
      await answer(ctx, cards.notice('我的质检 My QA', myResultsText(s, recent, x.config.timeZone)), 'mine');
    },
    async report(ctx: CommandContext): Promise<void> {
      const scope = await reportScope(x, ctx.sender.openId, ctx.args);
      const filter = { ...period(ctx.now), ...scope.filter };
      const [s, causes] = await Promise.all([summary(x, filter), rootCauseReport(x, filter)]);
      const text = joinMarkdown([reportText(scope.title, s), rootCauseText(causes)]);
      await answer(ctx, cards.notice(`质检报告 QA report · ${scope.title}`, text), 'report');
    },
    async calibration(ctx: CommandContext): Promise<void> {
      const n = /^\s*#?(\d{1,12})\s*$/.exec(ctx.args);
      if (ctx.args.trim() && !n) throw new ValidationError('用法 usage：校准报告 [轮次编号 round number]', {});
      const r = await qa.calibrationReport(n ? Number(n[1]) : null, ctx.sender.openId);
      // Beside the inspectors' agreement: the AI pre-score's, per criterion (qa/llm).
      const ai = await agreementFor(x, ctx.sender.openId, ctx.now);
      const text = joinMarkdown([calibrationText(r), aiAgreementText(ai, x.config.llm !== null)]);
      await answer(ctx, cards.notice(`校准报告 Calibration · #${r.round}`, text), 'calibration');
    },
  };
}
