import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { scopeOf, type DashboardAccess } from '../../dashboard/access.js';
import { dashboardQuery } from '../../dashboard/query.js';
import type { Clock } from '../../core/contexts.js';
import type { ContractService } from './service/index.js';

/** The shared filters; the tab uses `team` (the contract's 部门). The tab is a view of now, not of a period. */
export const ContractsSummaryQuery = dashboardQuery({});

/**
 * /api/dashboard/contracts/summary: expiring soon, in approval, budget usage and counterparty
 * concentration. Legal, finance and managers see every contract; a handler (`procurement`, level
 * `own`) sees the contracts they own, narrowed in SQL.
 */
export function contractDashboardRoutes(
  svc: ContractService,
  o: { access: DashboardAccess; clock: Clock },
): FastifyPluginAsyncZod {
  // Both calls: the department the viewer picked (within their reach), a handler narrowed to their own contracts.
  const scoped = async <T extends object>(
    req: FastifyRequest,
    team: string | undefined,
    read: (now: Date, f: { department: string | undefined; owner: string | undefined }) => Promise<T>,
  ) => {
    const scope = scopeOf(req);
    const owner = scope.level === 'own' ? scope.person(undefined) : undefined;
    const now = o.clock.now();
    return {
      ...(await read(now, { department: scope.team(team), owner })),
      level: scope.level,
      generatedAt: now.toISOString(),
    };
  };
  return async (app) => {
    app.get(
      '/summary',
      {
        schema: { querystring: ContractsSummaryQuery, tags: ['dashboard'], summary: '合同看板 · Contracts tab' },
        onRequest: o.access.guard('contracts'),
      },
      async (req) => scoped(req, req.query.team, (now, f) => svc.dashboard(now, f)),
    );

    app.get(
      '/payment-plan',
      {
        schema: {
          querystring: ContractsSummaryQuery,
          tags: ['dashboard'],
          summary: '付款计划 · Payment plan: what is due when, overdue first, by contract / counterparty / budget',
        },
        onRequest: o.access.guard('contracts'),
      },
      async (req) => scoped(req, req.query.team, (now, f) => svc.paymentPlan(now, f)),
    );

    app.get(
      '/payment-months',
      {
        schema: {
          querystring: ContractsSummaryQuery,
          tags: ['dashboard'],
          summary:
            '付款计划月报 · Planned versus paid per month, per budget line and department (`from`/`to` pick the ' +
            'months; default: five months back to six ahead)',
        },
        onRequest: o.access.guard('contracts'),
      },
      async (req) =>
        scoped(req, req.query.team, (now, f) => svc.paymentMonths(now, f, { from: req.query.from, to: req.query.to })),
    );
  };
}
