import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireApiToken } from '../../../core/api.js';
import type { Clock } from '../../../core/contexts.js';
import { ForbiddenError, ValidationError } from '../../../core/errors.js';
import { isQaLead, type QaDeps } from '../service/context.js';
import { aiAgreement, type AiAgreement } from './agreement.js';

export { createLlmClient, type LlmClient } from './client.js';
export { prescoreOpened, prescorePending } from './prescore.js';
export { aiAgreementText } from './text.js';

const DAY = 86_400_000;
/** The agreement's default window: long enough for a few hundred pairs per criterion at a normal pace. */
export const AGREEMENT_DAYS = 90;

/** The QA lead (and managers, admins) read it, as they read calibration; null `who`: the token-authorised API. */
export async function agreementFor(x: QaDeps, who: string | null, now: Date, days = AGREEMENT_DAYS) {
  if (who !== null) {
    const me = await x.directory.person(who);
    if (!isQaLead(me) && !me?.roles.some((r) => r === 'manager' || r === 'admin'))
      throw new ForbiddenError('AI 一致性仅限质检主管 · Only the QA lead reads the AI agreement');
  }
  return aiAgreement(x, new Date(now.getTime() - days * DAY), new Date(now.getTime() + 1000));
}

const Query = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

/** GET /api/qa/ai/agreement?from&to: per criterion, the AI against the inspectors (default: last 90 days). */
export function aiRoutes(x: QaDeps, o: { tokens: string[]; clock: Clock }): FastifyPluginAsyncZod {
  const auth = requireApiToken(o.tokens);
  return async (app) => {
    app.get(
      '/agreement',
      { schema: { querystring: Query, tags: ['qa'] }, onRequest: auth },
      async (req): Promise<AiAgreement & { enabled: boolean }> => {
        const now = o.clock.now();
        const to = req.query.to ? new Date(req.query.to) : new Date(now.getTime() + 1000);
        const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - AGREEMENT_DAYS * DAY);
        if (from >= to) throw new ValidationError('from 须早于 to · from must be before to', { field: 'from' });
        return { enabled: x.config.llm !== null, ...(await aiAgreement(x, from, to)) };
      },
    );
  };
}
