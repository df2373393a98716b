import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireApiToken } from '../../core/api.js';
import type { Clock } from '../../core/contexts.js';
import type { CaseRow } from './repository.js';
import { caseNo } from './service/context.js';
import type { ExceptionService } from './service/index.js';
import { ClaimsQuery, ReportQuery } from './service/report.js';
import {
  CaseParams,
  ClaimBody,
  ClaimParams,
  CreateCaseBody,
  FieldsBody,
  ListQuery,
  MoneyBody,
  newCaseFromApi,
  RecoveryBody,
} from './values.js';

const dto = (c: CaseRow) => ({ caseNo: caseNo(c.id), ...c });

/**
 * /api/exceptions: ingest for order systems and tracking pushes (idempotent on source +
 * externalId: 201 new, 200 existing) and the dashboard's reads. Bearer tokens from API_TOKENS.
 */
export function exceptionRoutes(
  svc: ExceptionService,
  options: { tokens: string[]; clock: Clock },
): FastifyPluginAsyncZod {
  const auth = requireApiToken(options.tokens);
  const now = () => options.clock.now();
  return async (app) => {
    app.post('/', { schema: { body: CreateCaseBody, tags: ['exceptions'] }, onRequest: auth }, async (req, reply) => {
      const r = await svc.create(newCaseFromApi(req.body), now());
      return reply.status(r.created ? 201 : 200).send({ created: r.created, case: dto(r.case) });
    });

    app.get('/', { schema: { querystring: ListQuery, tags: ['exceptions'] }, onRequest: auth }, async (req) => {
      const rows = await svc.list(req.query);
      return { cases: rows.map(dto) };
    });

    app.get('/report', { schema: { querystring: ReportQuery, tags: ['exceptions'] }, onRequest: auth }, async (req) =>
      svc.report(req.query, now()),
    );

    app.get('/claims', { schema: { querystring: ClaimsQuery, tags: ['exceptions'] }, onRequest: auth }, async (req) =>
      svc.claims(req.query, now()),
    );

    app.get('/:id', { schema: { params: CaseParams, tags: ['exceptions'] }, onRequest: auth }, async (req) => {
      const d = await svc.detail(req.params.id, now());
      return { ...d, case: dto(d.case) };
    });

    app.post(
      '/:id/fields',
      { schema: { params: CaseParams, body: FieldsBody, tags: ['exceptions'] }, onRequest: auth },
      async (req) => {
        const values = {
          tracking_number: req.body.trackingNumber,
          return_tracking_number: req.body.returnTrackingNumber,
        };
        const r = await svc.fillFromApi(req.params.id, values, now());
        return { changed: r.changed, missing: r.missing, case: dto(r.case) };
      },
    );

    app.post(
      '/:id/money',
      { schema: { params: CaseParams, body: MoneyBody, tags: ['exceptions'] }, onRequest: auth },
      async (req) => ({
        case: dto(await svc.recordMoney(req.params.id, req.body, req.body.by, now())),
      }),
    );

    app.post(
      '/:id/claims',
      { schema: { params: CaseParams, body: ClaimBody, tags: ['exceptions'] }, onRequest: auth },
      async (req, reply) =>
        reply.status(201).send({ claim: await svc.openClaim(req.params.id, req.body, req.body.by, now()) }),
    );

    app.post(
      '/claims/:claimId/recoveries',
      { schema: { params: ClaimParams, body: RecoveryBody, tags: ['exceptions'] }, onRequest: auth },
      async (req) => ({
        claim: await svc.recordRecovery(req.params.claimId, req.body, req.body.by, now()),
      }),
    );
  };
}
