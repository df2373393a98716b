import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { NotFoundError } from '../../core/errors.js';
import { requireApiToken } from '../../core/api.js';
import type { Clock } from '../../core/contexts.js';
import type { ContractService } from './service/index.js';
import { calendarDay } from '../../core/zoned-time.js';
import {
  ContractParams,
  CreateContractBody,
  newContractFromApi,
  NoParams,
  PaidBody,
  PaymentBody,
  PaymentParams,
} from './values.js';

/**
 * /api/contracts: intake for other systems (idempotent on source + externalId: 201 new, 200 the
 * same again), a contract by number, and payment requests. Bearer tokens from API_TOKENS.
 */
export function contractRoutes(
  svc: ContractService,
  options: { tokens: string[]; clock: Clock; timeZone: string },
): FastifyPluginAsyncZod {
  const auth = requireApiToken(options.tokens);
  const now = () => options.clock.now();
  return async (app) => {
    app.post(
      '/',
      {
        schema: {
          body: CreateContractBody,
          tags: ['contracts'],
          summary: '新建合同 · Create a contract (idempotent on source + externalId)',
        },
        onRequest: auth,
      },
      async (req, reply) => {
        const r = await svc.create(newContractFromApi(req.body), now());
        return reply
          .status(r.created ? 201 : 200)
          .send({ created: r.created, contract: r.contract, risk: r.risk ?? r.contract.risk });
      },
    );

    app.get(
      '/:no',
      {
        schema: { params: NoParams, tags: ['contracts'], summary: '按编号查询合同 · A contract by number' },
        onRequest: auth,
      },
      async (req) => {
        const c = await svc.byNo(req.params.no);
        if (!c) throw new NotFoundError('合同 contract', req.params.no);
        const v = await svc.view(c.id);
        return { contract: c, counterparty: v.counterparty, steps: v.steps, budget: v.budget ?? null };
      },
    );

    app.post(
      '/:id/payments',
      {
        schema: {
          params: ContractParams,
          body: PaymentBody,
          tags: ['contracts'],
          summary: '付款申请 · Request a payment',
        },
        onRequest: auth,
      },
      async (req, reply) => {
        const r = await svc.requestPayment(
          req.params.id,
          {
            amountFen: req.body.amountFen,
            plannedDate: req.body.plannedDate ?? null,
            externalId: req.body.externalId ?? null,
          },
          req.body.by,
          now(),
        );
        return reply.status(r.created ? 201 : 200).send(r);
      },
    );

    app.post(
      '/payments/:paymentId/paid',
      {
        schema: {
          params: PaymentParams,
          body: PaidBody,
          tags: ['contracts'],
          summary: '付款已支付 · An approved payment was made (counts as spent on its budget; idempotent)',
        },
        onRequest: auth,
      },
      async (req) => {
        const at = now();
        const paidDate = req.body.paidDate ?? calendarDay(at, options.timeZone);
        return svc.markPaid(req.params.paymentId, paidDate, at);
      },
    );
  };
}
