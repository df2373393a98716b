import type { FastifyPluginAsync } from 'fastify';
import type { IntakeResult } from '../core/intake.js';
import { openFeishuRequest, type VerifyOptions } from './verify.js';

export interface WebhookOptions {
  verify: VerifyOptions;
  receive(body: Record<string, unknown>): Promise<IntakeResult>;
  bodyLimit?: number;
}

/**
 * POST /webhook/event and /webhook/card. The body is kept as raw bytes for the signature; a card
 * callback is accepted on either path, as Feishu lets one URL serve both.
 */
export const webhookRoutes: FastifyPluginAsync<WebhookOptions> = async (app, options) => {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: options.bodyLimit ?? 1024 * 1024 },
    (_req, body, done) => {
      done(null, body);
    },
  );

  const handler = async (req: { body: unknown; headers: Record<string, string | string[] | undefined> }) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const body = openFeishuRequest(raw, req.headers, options.verify);
    return toResponse(await options.receive(body));
  };
  app.post('/webhook/event', handler);
  app.post('/webhook/card', handler);
};

export function toResponse(result: IntakeResult): Record<string, unknown> {
  switch (result.kind) {
    case 'challenge':
      return { challenge: result.challenge };
    case 'event':
      return {};
    case 'card': {
      const { toast, card } = result.result;
      if (result.legacy) return { ...(toast ? { toast } : {}), ...(card ?? {}) };
      return { ...(toast ? { toast } : {}), ...(card ? { card: { type: 'raw', data: card } } : {}) };
    }
  }
}
