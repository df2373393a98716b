import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Clock } from '../../core/contexts.js';
import { ForbiddenError } from '../../core/errors.js';
import { scopeOf, type DashboardAccess } from '../../dashboard/access.js';
import { dashboardQuery, periodOf } from '../../dashboard/query.js';
import type { ExceptionService } from './service/index.js';

const DAY = 86_400_000;

export const ExceptionsDashboardQuery = dashboardQuery({});

/**
 * /api/dashboard/exceptions: the 异常件 tab. Managers see every team; a lead or a member of a
 * team that works exceptions sees their team's cases (one team at a time: `team` picks which,
 * the first of theirs by default); another team → 403 (src/dashboard/access.ts).
 */
export function exceptionDashboardRoutes(
  svc: ExceptionService,
  options: { access: DashboardAccess; clock: Clock; timeZone: string },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/report',
      {
        schema: { querystring: ExceptionsDashboardQuery, tags: ['dashboard'] },
        onRequest: options.access.guard('exceptions'),
      },
      async (req) => {
        const scope = scopeOf(req);
        const now = options.clock.now();
        const period = periodOf(req.query, now, options.timeZone);
        // A member of one team sees it; a lead of several sees them together unless they pick one.
        const picked = scope.team(req.query.team);
        const mine = scope.level !== 'all' && picked === undefined ? scope.teams : undefined;
        const team = picked ?? (mine?.length === 1 ? mine[0] : undefined);
        const teams = mine && mine.length !== 1 ? mine : undefined;
        if (teams?.length === 0)
          throw new ForbiddenError(
            '你不在任何团队中，无法查看团队数据 · You are in no team, so there is no team data to show',
          );
        // Finished cases opened in the period; open cases (and claims) as of now, whatever the period's end.
        const days = Math.min(366, Math.max(1, Math.ceil((now.getTime() - period.since.getTime()) / DAY)));
        const report = await svc.report({ days, team, channel: req.query.channel }, now, {
          since: period.since,
          until: period.until,
          ...(teams ? { teams } : {}),
        });
        return {
          ...report,
          // Recovery claims are not kept per team: only those who see every team see them.
          claims: scope.level === 'all' ? report.claims : null,
          claimCounts: scope.level === 'all' ? report.claimCounts : null,
          period: { from: period.from, to: period.to, endsToday: period.until.getTime() > now.getTime() },
          scope: { level: scope.level, team: team ?? null, teams: teams ?? null },
        };
      },
    );
  };
}
