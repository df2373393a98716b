import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { OpenApiError, parseWith } from './errors.js';

const SubscribeQuery = z.object({ file_type: z.string(), event_type: z.string().optional() });

/** Drive subscription: after it, people's edits in a Base arrive as drive.file.bitable_record_changed_v1. */
export function driveRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const path = '/open-apis/drive/v1/files/:file_token/subscribe';
  const fileOf = (request: FastifyRequest) => {
    const q = parseWith(SubscribeQuery, request.query, (d) => new OpenApiError(1061002, `params error: ${d}`, 400));
    if (q.file_type !== 'bitable') throw new OpenApiError(1061002, 'params error: the sandbox only has bitable files', 400);
    const token = (request.params as { file_token: string }).file_token;
    if (!ctx.store.data.apps[token]) throw new OpenApiError(1061007, 'file has been delete.', 400);
    return { token, fileType: q.file_type };
  };

  app.post(path, async (request) => {
    const { token, fileType } = fileOf(request);
    ctx.store.data.subscriptions[token] = { file_type: fileType, at: ctx.now().getTime() };
    ctx.store.touch({ kind: 'bitable', appToken: token });
    return { code: 0, msg: 'success', data: {} };
  });

  // The SDK's getSubscribe / deleteSubscribe use get_subscribe / delete_subscribe; the docs' GET/DELETE on /subscribe too.
  const status = async (request: FastifyRequest) => {
    const { token } = fileOf(request);
    return { code: 0, msg: 'success', data: { is_subscribe: Boolean(ctx.store.data.subscriptions[token]) } };
  };
  const unsubscribe = async (request: FastifyRequest) => {
    const { token } = fileOf(request);
    delete ctx.store.data.subscriptions[token];
    ctx.store.touch({ kind: 'bitable', appToken: token });
    return { code: 0, msg: 'success', data: {} };
  };
  app.get(path, status);
  app.get('/open-apis/drive/v1/files/:file_token/get_subscribe', status);
  app.delete(path, unsubscribe);
  app.delete('/open-apis/drive/v1/files/:file_token/delete_subscribe', unsubscribe);
}
