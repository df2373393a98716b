import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scopeOf, type DashboardAccess } from '../../dashboard/access.js';
import { dashboardQuery, periodOf } from '../../dashboard/query.js';
import type { Clock } from '../../core/contexts.js';
import type { Database } from '../../db/client.js';
import { alertRepo } from './alert-repository.js';
import { DEFINITIONS } from './logic/definitions.js';
import { platformName } from './logic/platforms.js';
import { rollup, type ReachQuery, type RollupRow } from './rollup-repository.js';
import { rollupsFromStore } from './rollup-stored.js';
import { inReach, reachFilters, tabReach } from './service/reach.js';

export const CommunitySummaryQuery = dashboardQuery({
  operator: z.string().trim().max(64).optional(),
  community: z.string().trim().max(64).optional(),
  team: z.string().trim().max(64).optional(),
});

/**
 * /api/dashboard/community/summary: the tab's figures for the period — totals, by platform, by
 * operator, the daily trend and open alerts — all from the rollup SQL, with the definitions. At
 * level `own` an operator sees only the communities they operate; at `team` a lead those of their teams.
 */
export function communityDashboardRoutes(
  database: Database,
  o: { access: DashboardAccess; clock: Clock; timeZone: string },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/summary',
      { schema: { querystring: CommunitySummaryQuery, tags: ['dashboard'] }, onRequest: o.access.guard('community') },
      async (req) => {
        const period = periodOf(req.query, o.clock.now(), o.timeZone);
        // The same reach as chat (service/reach.ts): a lead's teams and the communities they run themselves.
        const reach = tabReach(scopeOf(req), req.query);
        const base = {
          from: period.from,
          to: period.to,
          platform: req.query.platform,
          community: req.query.community,
          ...reachFilters(reach),
        };
        const { totals, byPlatform, byOperator, trend } = await summaryRollups(database, base);
        const alerts = (await alertRepo.open(database.db, 200))
          .filter(
            (a) =>
              inReach(reach, { team: a.team, operator: a.operatorOpenId }) &&
              (!req.query.platform || a.platform === req.query.platform),
          )
          .slice(0, 50);
        return {
          period,
          definitions: DEFINITIONS,
          totals,
          byPlatform: byPlatform.map((r) => ({ ...r, name: platformName(r.key) })),
          byOperator,
          trend,
          openAlerts: alerts,
          generatedAt: o.clock.now().toISOString(),
        };
      },
    );
  };
}

/**
 * The period's totals, by platform, by operator, and the daily trend: two statements on the stored rollups
 * (the span's three groupings read the period's rows once); one community reads its own daily rows.
 */
async function summaryRollups(database: Database, base: Omit<ReachQuery, 'grain' | 'by'>) {
  let span: Record<'all' | 'platform' | 'operator', RollupRow[]>;
  let trend: RollupRow[];
  if (base.community) {
    const of = (grain: 'span' | 'day', by: 'all' | 'platform' | 'operator') => rollup(database, { ...base, grain, by });
    span = {
      all: await of('span', 'all'),
      platform: await of('span', 'platform'),
      operator: await of('span', 'operator'),
    };
    trend = await of('day', 'all');
  } else {
    span = await rollupsFromStore(database, { ...base, grain: 'span' }, ['all', 'platform', 'operator']);
    trend = (await rollupsFromStore(database, { ...base, grain: 'day' }, ['all'])).all;
  }
  return { totals: span.all[0] ?? null, byPlatform: span.platform, byOperator: span.operator, trend };
}
