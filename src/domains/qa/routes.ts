import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireApiToken } from '../../core/api.js';
import { ValidationError } from '../../core/errors.js';
import type { Clock } from '../../core/contexts.js';
import { alignmentOverTime } from './service/calibration-schedule.js';
import type { QaService } from './service/index.js';
import { CalibrationBody, ConversationsBody, PublishBody, SampleSizesBody, SamplingBody } from './values.js';

const ReviewParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const AlignmentQuery = z.object({ rounds: z.coerce.number().int().min(1).max(52).default(8) });

/**
 * /api/qa: conversations in from any channel (batch, idempotent on channel + external id), the
 * scorecard (current version, draft, publish) and a review. Bearer tokens from API_TOKENS.
 */
export function qaRoutes(svc: QaService, options: { tokens: string[]; clock: Clock }): FastifyPluginAsyncZod {
  const auth = requireApiToken(options.tokens);
  const now = () => options.clock.now();
  return async (app) => {
    // 200 with a result per conversation (created / existing / rejected with the field and why);
    // 422 when every one of them was refused, so a caller that only checks the status notices.
    app.post(
      '/conversations',
      { schema: { body: ConversationsBody, tags: ['qa'] }, onRequest: auth },
      async (req, reply) => {
        const results = await svc.ingest(req.body.conversations, 'api');
        const count = (s: string) => results.filter((r) => r.status === s).length;
        const summary = {
          created: count('created'),
          existing: count('existing'),
          rejected: count('rejected'),
          results,
        };
        if (summary.rejected === results.length) {
          throw new ValidationError(
            `全部会话被拒收 · every conversation was refused: ${results[0]?.error?.message ?? ''}`,
            summary,
          );
        }
        return reply.status(200).send(summary);
      },
    );

    // Draws the sampling plan for a period and assigns the picks to inspectors (also scheduled daily).
    app.post('/sampling', { schema: { body: SamplingBody, tags: ['qa'] }, onRequest: auth }, async (req) =>
      svc.sample({ from: new Date(req.body.from), to: new Date(req.body.to), seed: req.body.seed }, now()),
    );

    // Reviews needed for a margin at a confidence level, per channel / team / agent, beside those picked.
    app.post('/sampling/sizes', { schema: { body: SampleSizesBody, tags: ['qa'] }, onRequest: auth }, async (req) =>
      svc.sizes({ ...req.body, from: new Date(req.body.from), to: new Date(req.body.to) }),
    );

    // A calibration round (201; 200 when that round already exists) and its report.
    app.post(
      '/calibration',
      { schema: { body: CalibrationBody, tags: ['qa'] }, onRequest: auth },
      async (req, reply) => {
        const r = await svc.startCalibration(req.body, now());
        return reply.status(r.created > 0 ? 201 : 200).send(r);
      },
    );
    // Each inspector's alignment with the reference, round by round (the last `rounds`, default 8).
    app.get(
      '/calibration/alignment',
      { schema: { querystring: AlignmentQuery, tags: ['qa'] }, onRequest: auth },
      async (req) => alignmentOverTime(svc.deps, req.query.rounds),
    );
    app.get('/calibration/:id', { schema: { params: ReviewParams, tags: ['qa'] }, onRequest: auth }, async (req) =>
      svc.calibrationReport(req.params.id, null),
    );

    app.get('/scorecard', { schema: { tags: ['qa'] }, onRequest: auth }, async () => {
      const current = await svc.current(now());
      return {
        version: current.version,
        publishedAt: current.publishedAt,
        publishedBy: current.publishedBy,
        criteria: current.criteria,
        draft: (await svc.draft()).criteria,
      };
    });

    app.post(
      '/scorecard/publish',
      { schema: { body: PublishBody, tags: ['qa'] }, onRequest: auth },
      async (req, reply) => {
        const p = await svc.publish(req.body.by, now(), req.body.note);
        return reply.status(p.created ? 201 : 200).send(p);
      },
    );

    app.get('/reviews/:id', { schema: { params: ReviewParams, tags: ['qa'] }, onRequest: auth }, async (req) => {
      const v = await svc.view(req.params.id);
      return { no: v.no, review: v.review, conversation: v.conversation, items: v.items, criteria: v.criteria };
    });
  };
}
