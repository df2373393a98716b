import { defineModule } from '../../core/module.js';
import { instantAtLocal, localDayNumber } from '../../core/zoned-time.js';
import type { AppModule } from '../../deps.js';
import { directoryOf } from '../directory/service.js';
import type { BitableMirror } from '../../mirror/index.js';
import { declareQaTables, tableMirror } from './bitable.js';
import { draftRecordOf } from './grid.js';
import { qaCards } from './cards.js';
import { feedbackHandlers, qaHandlers } from './handlers.js';
import { sweepAppeals } from './service/appeals.js';
import { qaRoutes } from './routes.js';
import { reportHandlers } from './report-handlers.js';
import { digestText } from './report-text.js';
import { sendWeeklyDigest } from './service/digest.js';
import { remindCalibration, startWeeklyRound } from './service/calibration-schedule.js';
import type { QaSummary } from './service/reports.js';
import { qaDashboardRoutes } from './dashboard.js';
import { dashboardAccess } from '../../dashboard/access.js';
import { dashboardPrefix } from '../../dashboard/tabs.js';
import {
  EFFECTS_JOB,
  noMirror,
  PRESCORE_OPENED_JOB,
  type EffectsJob,
  type PrescoreOpenedJob,
  type ReviewMirror,
} from './service/context.js';
import { runEffects } from './service/effects.js';
import { HELPDESK_MESSAGE_EVENT, helpdeskMessageOf, receiveHelpdeskMessage } from './service/helpdesk.js';
import { createQaService } from './service/index.js';
import { backfillPrechecks, latestBasis } from './service/precheck-store.js';
import { qaSeed } from './seed.js';
import { refreshDirtyRollup } from './rollup-store.js';
import { declareQaSettings } from './settings/index.js';
import {
  agreementFor,
  aiAgreementText,
  aiRoutes,
  createLlmClient,
  prescoreOpened,
  prescorePending,
  type LlmClient,
} from './llm/index.js';
import { AckValue, AppealOpenValue, AppealValue, DecideValue, NextValue, ScoreValue } from './values.js';

export type { QaService } from './service/index.js';
export { declareQaTables } from './bitable.js';

export interface QaOptions {
  /** The Bitable mirror: reviews, deductions and appeals are written to 质检记录, 评分明细, 申诉. */
  bitable?: BitableMirror;
  /** Replaces the Bitable writer (tests). */
  mirror?: ReviewMirror;
  /** Replaces the AI pre-score's client built from LLM_* (tests). */
  llm?: LlmClient;
}

/** Customer-service QA: one versioned scorecard for every channel, pre-checks, scoring, feedback, appeals. */
export function qaModule(options: QaOptions = {}): AppModule {
  return defineModule({
    name: 'qa',
    title: '质检 Customer-service QA',
    setup(bot, deps) {
      // With Bitable, inspectors also score in 质检记录 / 评分明细 (grid.ts); the tables take the service late.
      const tables = options.bitable
        ? declareQaTables(options.bitable, deps.database.db, { deps: () => qa.deps })
        : undefined;
      const qa = createQaService({
        database: deps.database,
        directory: directoryOf(deps.database),
        settings: declareQaSettings(bot),
        feishu: deps.feishu,
        cards: deps.cards,
        jobs: deps.jobs,
        config: deps.config,
        log: deps.log,
        mirror:
          options.mirror ??
          (tables
            ? tableMirror(deps.database.db, tables, (record, code) => draftRecordOf(deps, tables.mirror, record, code))
            : noMirror),
      });
      const cards = qaCards(deps.cards);
      const h = qaHandlers(qa, cards);
      // The data of migration qa_conversation_prechecks: the last week's unreviewed conversations get their stored
      // pre-check hits in the background (the plan computes any still missing for its period, so a failure only
      // slows a plan).
      void (async () => {
        const basis = await latestBasis(deps.database, (await qa.deps.settings.policy.get()).prechecks);
        if (basis) await backfillPrechecks(deps.database, basis, deps.clock.now());
      })().catch((err: unknown) => deps.log.warn({ err }, 'qa pre-check backfill failed'));

      bot.command(['质检', '下一条质检', 'qa', 'next-review'], h.next, {
        description: '质检员：打开下一条待质检会话 · Inspectors: open the next conversation to score',
        usage: '质检',
        // The help card's button answers like the command (qa.next: the next conversation, or none left).
        shortcuts: [{ label: '下一条质检 Next review', action: 'qa.next' }],
      });
      bot.command(['发布评分标准', 'publish-scorecard'], h.publish, {
        description: '质检主管：把评分标准表发布为新版本 · QA lead: publish 评分标准 as a new version',
        usage: '发布评分标准 [说明]',
      });
      bot.cardAction('qa.score', ScoreValue, h.score);
      bot.cardAction('qa.next', NextValue, h.nextFromCard);
      const f = feedbackHandlers(qa, cards);
      bot.cardAction('qa.ack', AckValue, f.ack);
      bot.cardAction('qa.appeal-form', AppealOpenValue, f.appealForm);
      bot.cardAction('qa.appeal', AppealValue, f.appeal);
      bot.cardAction('qa.decide', DecideValue, f.decide);
      // Feishu 服务台: each ticket message joins the ticket's conversation (channel feishu_helpdesk).
      bot.event(HELPDESK_MESSAGE_EVENT, async (ctx) => {
        const m = helpdeskMessageOf(ctx.event, ctx.header, ctx.now);
        if ('error' in m) {
          ctx.log.warn({ eventId: ctx.eventId, reason: m.error }, 'helpdesk ticket message skipped: unreadable');
          return;
        }
        const r = await receiveHelpdeskMessage(qa.deps, m);
        if (r.status === 'waiting') ctx.log.info({ ticketId: m.ticketId, reason: r.reason }, 'helpdesk ticket waits');
      });
      bot.seed(qaSeed(qa));
      bot.job<EffectsJob>(EFFECTS_JOB, (job, ctx) => runEffects(qa.deps, cards, job, ctx.now), { concurrency: 2 });
      bot.schedule('qa.appeal-deadlines', '15 * * * *', async (now, ctx) => {
        const r = await sweepAppeals(qa.deps, now);
        if (r.moved > 0 || r.reminded.length > 0) ctx.log.info(r, 'qa appeals swept');
      });
      // A stale mark is folded in by the follow-up of the change that made it; one left without a follow-up (a
      // migration marking reviews stale, as 0044 did for calibration scores) is folded in here within minutes.
      bot.schedule('qa.rollup-stale', '*/5 * * * *', async (_now, ctx) => {
        const reviews = await refreshDirtyRollup(qa.deps.database);
        if (reviews > 0) ctx.log.info({ reviews }, 'qa rollups: stale reviews folded in');
      });
      // Yesterday's conversations (business day) sampled each morning; the day is the seed.
      bot.schedule('qa.sampling', '30 7 * * *', async (now, ctx) => {
        const today = localDayNumber(deps.config.timeZone, now.getTime());
        const from = new Date(instantAtLocal(deps.config.timeZone, today - 1, 0));
        const to = new Date(instantAtLocal(deps.config.timeZone, today, 0));
        const r = await qa.sample({ from, to, seed: from.toISOString().slice(0, 10) }, now);
        ctx.log.info({ picked: r.picked, created: r.created, candidates: r.candidates }, 'qa sampling plan drawn');
      });
      // Monday 09:00: last week's figures to each team lead (their team) and the QA lead (all teams).
      bot.schedule('qa.weekly-digest', '0 9 * * 1', async (now, ctx) => {
        const render = {
          card: (title: string, week: QaSummary, previous: QaSummary | null, version: number | null) =>
            cards.notice(title, digestText(title, week, previous, version)),
        };
        ctx.log.info(await sendWeeklyDigest(qa.deps, render, now), 'qa weekly digest sent');
      });
      // The optional AI pre-score (LLM_*): new reviews scored by the model before the inspector opens them.
      const llm = options.llm ?? (deps.config.llm ? createLlmClient(deps.config.llm) : null);
      if (llm) {
        bot.schedule('qa.ai-prescore', '* * * * *', async (now, ctx) => {
          const run = await prescorePending(qa.deps, llm, now, ctx.log);
          if (run.claimed > 0) ctx.log.info(run, 'qa ai pre-score run');
        });
        // A review shown from a card button before the AI answered (the help card's next review from an empty
        // queue): asked at once, its card updated in place when the answer comes.
        bot.job<PrescoreOpenedJob>(PRESCORE_OPENED_JOB, async (job, ctx) => {
          const outcome = await prescoreOpened(qa.deps, llm, job.reviewId, ctx.now, ctx.log);
          ctx.log.info({ reviewId: job.reviewId, outcome }, 'qa ai pre-score of an opened review');
        });
      }
      bot.command(
        ['AI一致性', 'ai-agreement'],
        async (ctx) => {
          const a = await agreementFor(qa.deps, ctx.sender.openId, ctx.now);
          await ctx.reply({ card: cards.notice('AI 预评分一致性 AI agreement', aiAgreementText(a, !!llm)) }, 'ai');
        },
        {
          description:
            '质检主管：AI 预评分与质检员的一致性（按评分项） · QA lead: AI pre-score vs inspectors per criterion',
          usage: 'AI一致性',
        },
      );
      bot.routes('/api/qa/ai', aiRoutes(qa.deps, { tokens: deps.config.apiTokens, clock: deps.clock }));
      // Monday 08:00: a blind calibration round from last week's reviews; weekdays 10:00: who still has one to score.
      bot.schedule('qa.calibration-round', '0 8 * * 1', async (now, ctx) => {
        ctx.log.info(await startWeeklyRound(qa.deps, now), 'qa weekly calibration round');
      });
      bot.schedule('qa.calibration-reminders', '0 10 * * 1-5', async (now, ctx) => {
        const render = {
          card: (waiting: number) =>
            cards.notice(
              '校准待评分 · Calibration waiting',
              `你有 ${waiting} 条校准会话待评分：发送「质检」逐条打开（盲评，不会发给客服）。\n` +
                `${waiting} calibration conversation(s) wait for your score: send 质检 to open them (blind; ` +
                'nothing goes to the agent).',
              'orange',
            ),
        };
        const r = await remindCalibration(qa.deps, render, now);
        if (Object.keys(r.reminded).length > 0) ctx.log.info(r, 'qa calibration reminders sent');
      });
      const r = reportHandlers(qa, cards);
      bot.command(['我的质检', 'my-qa', 'my qa'], r.mine, {
        description: '客服：我最近的质检结果（私信） · Agents: your recent QA results (by DM)',
        usage: '我的质检',
      });
      bot.command(['质检报告', 'qa-report'], r.report, {
        description: '组长/质检主管：团队或客服近 30 天的质检汇总 · Leads: a team’s or agent’s QA summary',
        usage: '质检报告 [团队|客服]',
      });
      bot.command(['校准报告', 'calibration-report'], r.calibration, {
        description: '质检主管：校准轮次的质检员偏差与一致性 · QA lead: a calibration round’s deviations and agreement',
        usage: '校准报告 [轮次编号]',
      });
      bot.routes(
        dashboardPrefix('qa'),
        qaDashboardRoutes(qa, {
          access: dashboardAccess(deps.database.db),
          clock: deps.clock,
          timeZone: deps.config.timeZone,
        }),
      );
      bot.routes('/api/qa', qaRoutes(qa, { tokens: deps.config.apiTokens, clock: deps.clock }));
    },
  });
}
