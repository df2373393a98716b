import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../core/contexts.js';
import { ForbiddenError } from '../../core/errors.js';
import { scopeOf, type DashboardAccess } from '../../dashboard/access.js';
import { dashboardQuery, periodOf } from '../../dashboard/query.js';
import { summary } from './service/reports.js';
import { rootCauseReport } from './service/root-causes.js';
import type { QaService } from './service/index.js';

export const QaSummaryQuery = dashboardQuery({ agent: z.string().trim().max(64).optional() });

/**
 * /api/dashboard/qa/summary: the period's averages (plain and sampling-weighted), pass rate,
 * appeals and overturns, per agent / team / channel / inspector / criterion. Level `own`: an agent
 * sees their own results, an inspector the reviews they scored; level `team`: the lead's teams.
 * /api/dashboard/qa/root-causes: the same period and reach, the deductions by root cause.
 */
export function qaDashboardRoutes(
  qa: QaService,
  o: { access: DashboardAccess; clock: Clock; timeZone: string },
): FastifyPluginAsyncZod {
  /** The filter both routes read: the period, and what the viewer's level lets them see. */
  async function filterOf(req: FastifyRequest & { query: z.infer<typeof QaSummaryQuery> }) {
    const scope = scopeOf(req);
    const period = periodOf(req.query, o.clock.now(), o.timeZone);
    const team = scope.team(req.query.team);
    const own = scope.level === 'own';
    const inspector = own && scope.roles.includes('qa_inspector') ? scope.openId : undefined;
    const agent = own && !inspector ? scope.person(req.query.agent) : own ? undefined : req.query.agent;
    if (scope.level === 'team' && agent) {
      const person = await qa.deps.directory.person(agent);
      if (!person?.teams.some((t) => scope.teams.includes(t)))
        throw new ForbiddenError('你只能查看自己团队的客服 · You may see only your teams’ agents');
    }
    const filter = {
      from: period.since,
      to: period.until,
      team,
      teams: scope.level === 'team' && !team ? scope.teams : undefined,
      channel: req.query.channel,
      agent,
      inspector,
    };
    return { period, level: scope.level, filter };
  }

  return async (app) => {
    const route = { schema: { querystring: QaSummaryQuery, tags: ['dashboard'] }, onRequest: o.access.guard('qa') };
    app.get('/summary', route, async (req) => {
      const { period, level, filter } = await filterOf(req);
      // Not on database.heavyRead: its seven reads run side by side on the pool, and on one connection the call was
      // up to 2x slower (bench/RESULTS.md "Every dashboard tab at issue 13's sizes; ... heavy-read connection").
      return { period, level, ...(await summary(qa.deps, filter)), generatedAt: o.clock.now().toISOString() };
    });
    // Its own call, so the tab's numbers do not wait for it: the deductions by root cause, read from their own
    // stored rollup (qa_rollup_causes, rollup-causes.ts).
    app.get('/root-causes', route, async (req) => {
      const { period, level, filter } = await filterOf(req);
      // One read: on the heavy-read connection (one snapshot, no parallel workers, none of the clicks' connections),
      // which was no slower in two A/B runs (bench/RESULTS.md, same section).
      const rootCauses = await qa.deps.database.heavyRead((_, tx) => rootCauseReport(qa.deps, filter, tx));
      return { period, level, ...rootCauses, generatedAt: o.clock.now().toISOString() };
    });
  };
}
