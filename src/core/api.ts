import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { safeEqual } from './crypto.js';
import { AppError } from './errors.js';
import { unstorablePath } from './text.js';

/**
 * The ingest APIs under /api/: zod-validated JSON, bearer tokens from API_TOKENS, a per-token
 * rate limit, the one error shape `{ error: { code, message, details } }`, OpenAPI at /docs when
 * `docs` (API_DOCS; off by default in production, where the API's shape is nobody else's business).
 * Modules register routes with `schema: { body: ZodSchema }` and get typed, validated bodies.
 */
export async function registerApiSupport(
  app: FastifyInstance,
  options: { tokens: string[]; perMinute?: number; docs: boolean },
): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const perMinute = options.perMinute ?? 600;
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'feishu-ops API',
        description: 'Ingest and reporting endpoints · 数据接入与报表接口',
        version: '1',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: (args) => documentRateLimit(jsonSchemaTransform(args), args.route.method, perMinute),
  });
  if (options.docs) await app.register(swaggerUi, { routePrefix: '/docs' });
  app.addHook('preValidation', refuseUnstorableText);
  // Every write under /api/ shares one budget per bearer token (per address without one); reads,
  // webhooks and pages are not limited here. A route may set its own `config.rateLimit`.
  await app.register(rateLimit, {
    global: true,
    allowList: (req) => !isApiWrite(req.method, req.url),
    max: perMinute,
    timeWindow: '1 minute',
    keyGenerator: (req) => bearerToken(req) ?? req.ip,
    errorResponseBuilder: (_req, ctx) =>
      new AppError(
        'rate_limited',
        `请求过于频繁，请 ${Math.ceil(ctx.ttl / 1000)} 秒后重试 · Too many requests, retry in ${Math.ceil(ctx.ttl / 1000)} s`,
        { limit: ctx.max },
      ),
  });
}

function isApiWrite(method: string | string[], url: string | undefined): boolean {
  const methods = Array.isArray(method) ? method : [method];
  return (url ?? '').startsWith('/api/') && methods.some((m) => !['GET', 'HEAD', 'OPTIONS'].includes(m.toUpperCase()));
}

type Transformed = ReturnType<typeof jsonSchemaTransform>;

/** OpenAPI: every limited route documents its 429, with the Retry-After header. */
function documentRateLimit(out: Transformed, method: string | string[], perMinute: number): Transformed {
  if (!isApiWrite(method, out.url)) return out;
  const schema = (out.schema ?? {}) as Record<string, unknown>;
  const response = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
  response['429'] = {
    description: `请求过于频繁 Too many requests: at most ${perMinute} writes per minute per token`,
    headers: {
      'Retry-After': { type: 'integer', description: 'seconds until the next request is accepted · 秒后可重试' },
    },
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: { code: { type: 'string', enum: ['rate_limited'] }, message: { type: 'string' }, details: {} },
      },
    },
  };
  return { ...out, schema: { ...schema, response } } as Transformed;
}

export function bearerToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/**
 * onRequest hook for /api routes (before validation, so strangers learn nothing): a bearer token
 * from API_TOKENS, compared in constant time. A dashboard session is not enough here: people read
 * through /api/dashboard/<tab>/, where the dashboard's role check decides what each one sees.
 */
export function requireApiToken(tokens: string[]) {
  return async (req: FastifyRequest) => {
    const token = bearerToken(req);
    if (tokens.length === 0)
      throw new AppError('unauthorized', 'API 未启用：未配置 API_TOKENS · The API is disabled: set API_TOKENS');
    if (!token || !tokens.some((t) => safeEqual(t, token))) {
      throw new AppError('unauthorized', '缺少或无效的访问令牌 · Missing or invalid bearer token');
    }
  };
}

/** zod validation failures become 422 with the issues; anything else passes through. */
export function validationError(
  err: unknown,
  code: 'unprocessable' | 'bad_request' = 'unprocessable',
): AppError | undefined {
  if (!hasZodFastifySchemaValidationErrors(err)) return undefined;
  const details = err.validation.map((v) => ({
    path: v.instancePath || '/',
    message: v.message ?? v.params?.issue?.message,
  }));
  // The first problem in the message itself, so a person reading only the message knows what to fix.
  const first = details[0]
    ? `: ${details[0].path.replace(/^\//, '') || '/'} ${details[0].message ?? ''}`.trimEnd()
    : '';
  return new AppError(code, `请求数据无效 · Invalid request ${err.validationContext ?? 'body'}${first}`, details);
}

/**
 * preValidation for every /api route (after authentication, before the route's zod schema): text
 * PostgreSQL cannot store (NUL, an unpaired surrogate) anywhere in the body, query or path is
 * refused with 422 naming the field. An API client sends ids and references, so silently changing
 * a character would store something the client never sent; it gets to fix its data instead.
 */
export async function refuseUnstorableText(req: FastifyRequest): Promise<void> {
  if (!req.url.startsWith('/api/')) return;
  for (const [part, value] of [
    ['body', req.body],
    ['querystring', req.query],
    ['params', req.params],
  ] as const) {
    const path = unstorablePath(value);
    if (!path) continue;
    const message =
      '含有无法保存的字符（NUL 或不成对的代理项）· holds a character that cannot be stored (NUL or an unpaired surrogate)';
    throw new AppError('unprocessable', `请求数据无效 · Invalid request ${part}`, [{ path, message }]);
  }
}
