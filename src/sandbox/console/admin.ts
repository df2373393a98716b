import type { FastifyInstance } from 'fastify';
import { OpenApiError, parseWith } from '../api/errors.js';
import type { SandboxContext } from '../context.js';
import { FaultRequest } from '../faults.js';

/**
 * Fault injection over HTTP for demos: POST /sandbox/admin/faults
 * {kind:'error'|'rate-limit'|'latency'|'drop-deliveries'|'expire-tokens', …}.
 */
export function adminRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const bad = (detail: string) => new OpenApiError(400, `bad fault request: ${detail}`, 400);
  app.get('/sandbox/admin/faults', async () => ctx.faults.snapshot());
  app.post('/sandbox/admin/faults', async (request) => {
    ctx.faults.apply(parseWith(FaultRequest, request.body, bad));
    return ctx.faults.snapshot();
  });
  app.delete('/sandbox/admin/faults', async () => {
    ctx.faults.clear();
    return ctx.faults.snapshot();
  });
  app.get('/sandbox/admin/state', async () => ({
    users: ctx.store.data.users.length,
    chats: ctx.store.data.chats.length,
    messages: ctx.store.data.messages.length,
    apps: Object.keys(ctx.store.data.apps).length,
    subscriptions: Object.keys(ctx.store.data.subscriptions),
    endpoints: ctx.endpoints,
    deliveries: ctx.deliverer
      .deliveries()
      .map((d) => ({ event_id: d.event_id, event_type: d.event_type, state: d.state, attempts: d.attempts.length })),
  }));
}
