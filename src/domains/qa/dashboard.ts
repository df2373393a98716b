import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../core/contexts.js';
import { ForbiddenError } from '../../core/errors.js';
import type { DashboardScope } from '../../dashboard/access.js';
import { scopeOf, type DashboardAccess } from '../../dashboard/access.js';
import { dashboardQuery, periodOf } from '../../dashboard/query.js';
import { calibrationSummary } from './dashboard-calibration.js';
import { reviewQueue } from './dashboard-queue.js';
import { summary } from './service/reports.js';
import { rootCauseReport } from './service/root-causes.js';
import type { QaService } from './service/index.js';

export const QaSummaryQuery = dashboardQuery({ agent: z.string().trim().max(64).optional() });
/** The queue and calibration calls: whose (an inspector sees only their own; a manager or the QA lead may pick one). */
export const QaInspectorQuery = dashboardQuery({
  inspector: z
    .string()
    .trim()
    .max(64, { message: '最长 64 个字符 · at most 64 characters' })
    .regex(/^[A-Za-z0-9_-]*$/, { message: '应为 open_id · must be an open_id' })
    .optional(),
});

/**
 * Whose queue or calibration a request reads: an inspector at level `own` their own (another → 403); a person at
 * `own` who is no inspector (an agent) has none (403); at `all` and `team` the one asked for, or everyone.
 */
function inspectorOf(scope: DashboardScope, requested: string | undefined): string | undefined {
  if (scope.level !== 'own') return requested || undefined;
  if (!scope.roles.includes('qa_inspector'))
    throw new ForbiddenError('质检队列与校准仅限质检员 · The queue and calibration are for QA inspectors');
  return scope.person(requested);
}

/**
 * /api/dashboard/qa/summary: the period's averages (plain and sampling-weighted), pass rate,
 * appeals and overturns, per agent / team / channel / inspector / criterion. Level `own`: an agent
 * sees their own results, an inspector the reviews they scored; level `team`: the lead's teams.
 * /api/dashboard/qa/root-causes: the same period and reach, the deductions by root cause.
 * /api/dashboard/qa/queue: the reviews waiting for their inspector now (an inspector's own; a team lead's teams'
 * conversations; all), overdue after qa.policy reviewDueDays days. /api/dashboard/qa/calibration: the period's
 * calibration rounds and each inspector's alignment with the reference (an inspector's own; managers and the QA lead
 * everyone's).
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
    const byInspector = { ...route, schema: { ...route.schema, querystring: QaInspectorQuery } };
    app.get('/queue', byInspector, async (req) => {
      const scope = scopeOf(req);
      const inspector = inspectorOf(scope, req.query.inspector);
      const team = scope.team(req.query.team);
      const teams = scope.level === 'team' && !team ? scope.teams : undefined;
      const now = o.clock.now();
      const queue = await reviewQueue(qa.deps, { inspector, channel: req.query.channel, team, teams }, now);
      return { level: scope.level, inspector: inspector ?? null, ...queue, generatedAt: now.toISOString() };
    });
    app.get('/calibration', byInspector, async (req) => {
      const scope = scopeOf(req);
      const inspector = inspectorOf(scope, req.query.inspector);
      // Calibration measures inspectors, not teams: a team lead who is no inspector reads no one's.
      if (scope.level === 'team')
        throw new ForbiddenError('校准结果仅限质检员与质检主管 · Calibration is for inspectors and the QA lead');
      scope.team(req.query.team); // at `own`: a team named is refused like on every call
      const period = periodOf(req.query, o.clock.now(), o.timeZone);
      const calibration = await calibrationSummary(qa.deps, { since: period.since, until: period.until, inspector });
      return {
        period,
        level: scope.level,
        inspector: inspector ?? null,
        ...calibration,
        generatedAt: o.clock.now().toISOString(),
      };
    });
  };
}
