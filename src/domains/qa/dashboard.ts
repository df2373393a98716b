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
 */
export function qaDashboardRoutes(
  qa: QaService,
  o: { access: DashboardAccess; clock: Clock; timeZone: string },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/summary',
      { schema: { querystring: QaSummaryQuery, tags: ['dashboard'] }, onRequest: o.access.guard('qa') },
      async (req) => {
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
        const [s, rootCauses] = await Promise.all([summary(qa.deps, filter), rootCauseReport(qa.deps, filter)]);
        return { period, level: scope.level, ...s, rootCauses, generatedAt: o.clock.now().toISOString() };
      },
    );
  };
}
