import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { safeEqual } from '../feishu/crypto.js';
import { AppError } from './errors.js';

/**
 * The ingest APIs under /api/: zod-validated JSON, bearer tokens from API_TOKENS, a per-token
 * rate limit, the one error shape `{ error: { code, message, details } }`, OpenAPI at /docs.
 * Modules register routes with `schema: { body: ZodSchema }` and get typed, validated bodies.
 */
export async function registerApiSupport(app: FastifyInstance, options: { tokens: string[]; perMinute?: number }): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(swagger, {
    openapi: {
      info: { title: 'feishu-ops API', description: 'Ingest and reporting endpoints · 数据接入与报表接口', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(rateLimit, {
    global: false,
    max: options.perMinute ?? 600,
    timeWindow: '1 minute',
    keyGenerator: (req) => bearerToken(req) ?? req.ip,
    errorResponseBuilder: (_req, ctx) =>
      new AppError('rate_limited', `请求过于频繁，请 ${Math.ceil(ctx.ttl / 1000)} 秒后重试 · Too many requests, retry in ${Math.ceil(ctx.ttl / 1000)} s`, { limit: ctx.max }),
  });
}

export function bearerToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/**
 * onRequest hook for /api routes (before validation, so strangers learn nothing): a bearer token
 * from API_TOKENS, compared in constant time — or, for reads, a signed-in dashboard user.
 */
export function requireApiToken(tokens: string[]) {
  return async (req: FastifyRequest) => {
    if (req.method === 'GET' && req.viewer) return;
    const token = bearerToken(req);
    if (tokens.length === 0) throw new AppError('unauthorized', 'API 未启用：未配置 API_TOKENS · The API is disabled: set API_TOKENS');
    if (!token || !tokens.some((t) => safeEqual(t, token))) {
      throw new AppError('unauthorized', '缺少或无效的访问令牌 · Missing or invalid bearer token');
    }
  };
}

/** zod validation failures become 422 with the issues; anything else passes through. */
export function validationError(err: unknown): AppError | undefined {
  if (!hasZodFastifySchemaValidationErrors(err)) return undefined;
  const details = err.validation.map((v) => ({ path: v.instancePath || '/', message: v.message ?? v.params?.issue?.message }));
  return new AppError('unprocessable', `请求数据无效 · Invalid request ${err.validationContext ?? 'body'}`, details);
}
