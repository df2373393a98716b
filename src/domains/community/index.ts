import { z } from 'zod';
import { defineModule } from '../../core/module.js';
import type { AppModule } from '../../deps.js';
import type { BitableMirror, TableSeam } from '../../mirror/index.js';
import { COMMUNITY_TABLE, communityTableSpec } from './bitable.js';
import type { CommunityRow } from './repository.js';
import { communityRoutes } from './routes.js';
import { communityDashboardRoutes } from './dashboard.js';
import { dashboardAccess } from '../../dashboard/access.js';
import { dashboardPrefix } from '../../dashboard/tabs.js';
import { createCommunityService } from './service/index.js';
import { declareCommunitySettings } from './settings/index.js';
import { handleChatEvent, handleCommunityCommand, handleDecision, USAGE } from './handlers.js';
import { MEMBER_EVENTS } from './logic/chat-events.js';
import { communitySeed } from './seed.js';
import { changedDays, METRICS_TABLE, metricTableSpec } from './metrics-bitable.js';
import { calendarDay } from '../../core/zoned-time.js';
import { SUMMARY_TABLE, summaryTableSpec, writeSummary } from './summary-bitable.js';
import { AckValue, MuteValue } from './values.js';

export { communityTableSpec, COMMUNITY_TABLE } from './bitable.js';
export { declareCommunitySettings } from './settings/index.js';
export type { CommunityService } from './service/index.js';

export interface CommunityOptions {
  /** The Bitable mirror: communities live in 社群 (people add and edit them there). */
  bitable?: BitableMirror;
}

/** Community operations: daily metrics from every platform, rollups, alerts and digests. */
export function communityModule(options: CommunityOptions = {}): AppModule {
  return defineModule({
    name: 'community',
    title: '社群运营 Community operations',
    setup(bot, deps) {
      let table: TableSeam<CommunityRow> | undefined;
      const community = createCommunityService({
        database: deps.database,
        timeZone: deps.config.timeZone,
        settings: declareCommunitySettings(bot),
        feishu: deps.feishu,
        cards: deps.cards,
        log: deps.log,
        onCommunityChanged: async (c) => {
          await table?.write(c);
        },
      });
      if (options.bitable)
        table = options.bitable.table(COMMUNITY_TABLE, communityTableSpec(deps.database.db, { withEdits: true }));

      const saveReporting = (value: { digestChatId: string }, by: string) =>
        bot.settingsStore.save('community.reporting', value, by);
      bot.command(['社群', 'community'], handleCommunityCommand(community, saveReporting), {
        description: '社群日报、周报或单个社群的数据 · Community digest, weekly report or one community',
        usage: USAGE,
        shortcuts: [
          { label: '社群日报 Digest', action: 'community.digest' },
          { label: '社群周报 Weekly', action: 'community.weekly' },
        ],
      });
      // The help card's buttons: the report replaces the help card in place.
      bot.cardAction('community.digest', z.object({ action: z.literal('community.digest') }), async (ctx) => ({
        card: await community.dailyDigest(ctx.now, ctx.operator.openId),
      }));
      bot.cardAction('community.weekly', z.object({ action: z.literal('community.weekly') }), async (ctx) => ({
        card: await community.weeklyReport(ctx.now, ctx.operator.openId),
      }));
      bot.cardAction('community.ack', AckValue, handleDecision(community));
      bot.cardAction('community.mute', MuteValue, handleDecision(community));

      // A Feishu group bound as a community (社群 绑定): its own events make its daily counts.
      const onChat = handleChatEvent(community);
      for (const type of [...Object.values(MEMBER_EVENTS), 'im.message.receive_v1']) bot.event(type, onChat);
      // Yesterday's row for every such group, so a day without events reads 0, not "data late".
      bot.schedule('community.chat-days', '5 0 * * *', async (now) => {
        const yesterday = calendarDay(new Date(now.getTime() - 12 * 3_600_000), deps.config.timeZone);
        await community.closeChatDay(yesterday, now);
      });

      // Platforms export yesterday's statistics overnight: the check runs once they are usually in.
      bot.schedule('community.alerts', '30 9 * * *', async (now) => {
        await community.checkAlerts(now);
      });
      bot.schedule('community.digest', '0 10 * * *', async (now, ctx) => {
        if (!(await community.sendDigest(now)))
          ctx.log.info('community digest not sent: no group set (community.reporting.digestChatId)');
      });

      // 每日指标 in Bitable: the recent days (MIRROR_DAYS) whose figures changed since the last run.
      if (options.bitable) {
        const metrics = options.bitable.table(
          METRICS_TABLE,
          metricTableSpec(deps.database, deps.config.timeZone, {
            database: deps.database,
            ingest: (rows, source, now) => community.ingest(rows, source, now),
            tell: async (openId, key, text) => void (await deps.feishu.messages.send({ to: { openId }, key, text })),
          }),
        );
        let since = new Date(0);
        bot.schedule('community.metrics-bitable', '*/10 * * * *', async (now) => {
          // The watermark is the clock the services stamp updated_at with, read before the query.
          const started = deps.clock.now();
          let complete = true;
          for (const day of await changedDays(deps.database, since, calendarDay(now, deps.config.timeZone)))
            if (!(await metrics.write(day))) complete = false; // not provisioned yet: the next run tries again
          if (complete) since = started;
        });

        // 社群汇总 in Bitable: the weeks and months whose days changed since the last run (and the current and previous
        // ones), summed from the stored rollups. A failure fails the job (retried; the watermark stays, so the next
        // run writes those periods again).
        const bitable = options.bitable;
        const summary = bitable.table(
          SUMMARY_TABLE,
          summaryTableSpec(deps.database, deps.config.timeZone, () => deps.clock.now()),
        );
        let summarySince = new Date(0);
        bot.schedule('community.summary-bitable', '*/10 * * * *', async (now, ctx) => {
          const started = deps.clock.now();
          const today = calendarDay(now, deps.config.timeZone);
          const done = await writeSummary(deps.database, summary, summarySince, today, (ids) =>
            bitable.deleteRecords(SUMMARY_TABLE, ids),
          );
          if (!done) return ctx.log.info('community summary not written: Bitable not provisioned yet');
          summarySince = started;
          ctx.log.info(done, 'community summary written');
        });
      }
      bot.seed(communitySeed(community, deps.config.timeZone));
      bot.routes('/api/community', communityRoutes(community, { tokens: deps.config.apiTokens, clock: deps.clock }));
      bot.routes(
        dashboardPrefix('community'),
        communityDashboardRoutes(deps.database, {
          access: dashboardAccess(deps.database.db),
          clock: deps.clock,
          timeZone: deps.config.timeZone,
        }),
      );
    },
  });
}

export default communityModule();
