import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { SandboxContext } from '../context.js';
import { newId } from '../ids.js';
import { authRoutes, checkTenantToken, TOKEN_PATHS } from './auth.js';
import { USER_AUTH_PATHS } from './authen.js';
import { OpenApiError, rateLimited } from './errors.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sendError(reply: FastifyReply, err: OpenApiError): FastifyReply {
  return reply
    .status(err.status)
    .headers(err.headers)
    .send({ code: err.code, msg: err.msg, error: { log_id: String(reply.getHeader('x-tt-logid') ?? '') } });
}

/** The Fastify app: gateway behaviour (faults, latency, auth, error bodies) then the API route modules. */
export function buildSandboxServer(
  ctx: SandboxContext,
  modules: Array<(app: FastifyInstance, ctx: SandboxContext) => void>,
): FastifyInstance {
  const lostAnswers = new WeakMap<object, number>();
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024, forceCloseConnections: true });

  // Empty JSON bodies (DELETE from the SDK) are {}; malformed JSON is Feishu's 9499 Bad Request.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new OpenApiError(9499, 'Bad Request', 400), undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-tt-logid', newId.logId());
    const path = request.url.split('?')[0] ?? '';
    if (!path.startsWith('/open-apis/')) return;
    const delay = ctx.faults.latencyFor(path);
    if (delay > 0) await sleep(delay);
    const fault = ctx.faults.take(path);
    if (fault?.kind === 'rate-limit') throw rateLimited(50, fault.resetSeconds);
    if (fault?.afterProcessing) lostAnswers.set(request, fault.status);
    else if (fault)
      throw new OpenApiError(fault.status, 'sandbox fault injection: internal server error', fault.status);
    if (!TOKEN_PATHS.includes(path) && !USER_AUTH_PATHS.includes(path))
      checkTenantToken(ctx, request.headers.authorization);
  });

  // A "lost answer" fault: the route ran, the caller only sees a 5xx.
  app.addHook('onSend', async (request, reply, payload) => {
    const status = lostAnswers.get(request);
    if (status === undefined) return payload;
    lostAnswers.delete(request);
    reply.status(status);
    return JSON.stringify({
      code: status,
      msg: 'sandbox fault injection: answer lost after processing',
      error: { log_id: String(reply.getHeader('x-tt-logid') ?? '') },
    });
  });

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof OpenApiError) return sendError(reply, err);
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status < 500)
      return sendError(reply, new OpenApiError(9499, `Bad Request: ${(err as Error).message}`, status));
    ctx.log?.error({ err, url: request.url }, 'sandbox route failed');
    return sendError(reply, new OpenApiError(1500, 'internal error', 500));
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new OpenApiError(404, `404 page not found: ${request.method} ${request.url.split('?')[0]}`, 404)),
  );

  authRoutes(app, ctx);
  for (const register of modules) register(app, ctx);
  return app;
}
