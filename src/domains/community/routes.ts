import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireApiToken } from '../../core/api.js';
import { AppError } from '../../core/errors.js';
import type { Clock } from '../../core/contexts.js';
import { CommunityInput } from './service/communities.js';
import type { CommunityService } from './service/index.js';
import { MAX_BATCH } from './service/ingest.js';

const MetricsBody = z.object({
  rows: z
    .array(z.unknown())
    .min(1)
    .max(MAX_BATCH, `一次最多 ${MAX_BATCH} 行 · at most ${MAX_BATCH} rows per request`)
    .meta({
      description:
        'Daily rows, each { community: code, date: "YYYY-MM-DD" (business time zone), membersTotal, ' +
        'membersJoined, membersLeft, activeMembers, messages, orders, gmvFen, ' +
        'refundsFen } — counts are whole non-negative numbers, money in fen. ' +
        'Checked row by row: a bad row is returned in `rejected` with its ' +
        'reasons, the others are stored.',
      examples: [
        [
          {
            community: 'VIP01',
            date: '2026-11-28',
            membersTotal: 480,
            membersJoined: 6,
            membersLeft: 2,
            activeMembers: 57,
            messages: 230,
            orders: 9,
            gmvFen: 168000,
            refundsFen: 0,
          },
        ],
      ],
    }),
});

const CommunitiesBody = z.object({ communities: z.array(CommunityInput).min(1).max(1000) });

/**
 * /api/community: metric ingest (idempotent per community and day; a changed figure for a stored
 * day is a late correction, replaced and audited) and the communities themselves. Bearer tokens.
 */
export function communityRoutes(
  svc: CommunityService,
  options: { tokens: string[]; clock: Clock },
): FastifyPluginAsyncZod {
  const auth = requireApiToken(options.tokens);
  return async (app) => {
    // 10,000 rows are ~2 MB of JSON: this route takes up to 8 MB (the app's default is 1 MB).
    app.post(
      '/metrics',
      {
        bodyLimit: 8 * 1024 * 1024,
        schema: { body: MetricsBody, tags: ['community'], summary: '每日指标 Daily metrics, up to 10,000 rows' },
        onRequest: auth,
      },
      async (req) => {
        const result = await svc.ingest(req.body.rows, 'api', options.clock.now());
        if (result.rejected.length === result.received) {
          throw new AppError(
            'unprocessable',
            `全部 ${result.received} 行被拒绝 · all ${result.received} rows were rejected`,
            result.rejected,
          );
        }
        return result;
      },
    );

    app.post(
      '/communities',
      {
        schema: { body: CommunitiesBody, tags: ['community'], summary: '社群 Create or update communities by code' },
        onRequest: auth,
      },
      async (req) => {
        const rows = await svc.upsertCommunities(req.body.communities, options.clock.now());
        return {
          created: rows.filter((r) => r.created).length,
          updated: rows.filter((r) => !r.created).length,
          communities: rows.map((r) => r.community),
        };
      },
    );
  };
}
