import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { newId } from '../ids.js';
import { OpenApiError, parseWith, tokenErrors } from './errors.js';

export const TOKEN_PATHS = [
  '/open-apis/auth/v3/tenant_access_token/internal',
  '/open-apis/auth/v3/app_access_token/internal',
];

const TokenRequest = z.object({ app_id: z.string().min(1), app_secret: z.string().min(1) });

/**
 * Same token while more than a quarter of its life remains (Feishu: 30 of 120 min), then a new one;
 * the old token stays valid until it expires (FEISHU.md §d).
 */
function issueToken(ctx: SandboxContext): { token: string; expire: number } {
  const now = ctx.now().getTime();
  const ttlMs = ctx.settings.tokenTtlSeconds * 1000;
  let best: { token: string; expiresAt: number } | undefined;
  for (const [token, t] of Object.entries(ctx.store.data.tokens)) {
    if (t.expiresAt <= now) delete ctx.store.data.tokens[token];
    else if (!best || t.expiresAt > best.expiresAt) best = { token, expiresAt: t.expiresAt };
  }
  if (best && best.expiresAt - now > ttlMs / 4)
    return { token: best.token, expire: Math.floor((best.expiresAt - now) / 1000) };
  const token = newId.tenantToken();
  ctx.store.data.tokens[token] = { issuedAt: now, expiresAt: now + ttlMs };
  ctx.store.touch();
  return { token, expire: ctx.settings.tokenTtlSeconds };
}

export function authRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const handler = async (request: FastifyRequest) => {
    const body = parseWith(TokenRequest, request.body, (d) => new OpenApiError(10003, `invalid param: ${d}`, 400));
    const { credentials } = ctx.store.data;
    if (body.app_id !== credentials.appId) throw new OpenApiError(10003, 'invalid param: app_id not found', 400);
    if (body.app_secret !== credentials.appSecret) throw new OpenApiError(10014, 'app secret invalid', 400);
    const { token, expire } = issueToken(ctx);
    if (request.url.includes('app_access_token')) {
      return { code: 0, msg: 'ok', app_access_token: token, tenant_access_token: token, expire };
    }
    return { code: 0, msg: 'ok', tenant_access_token: token, expire };
  };
  for (const path of TOKEN_PATHS) app.post(path, handler);
}

/** Every other Open API call needs `Authorization: Bearer t-…` for a live token. */
export function checkTenantToken(ctx: SandboxContext, header: string | undefined): void {
  const match = /^Bearer\s+(\S+)$/.exec(header ?? '');
  if (!match) throw tokenErrors.missing();
  const entry = ctx.store.data.tokens[match[1]!];
  if (!entry || entry.expiresAt <= ctx.now().getTime()) throw tokenErrors.invalid();
}

export function expireAllTokens(ctx: Pick<SandboxContext, 'store' | 'now'>): void {
  const now = ctx.now().getTime();
  for (const t of Object.values(ctx.store.data.tokens)) t.expiresAt = Math.min(t.expiresAt, now - 1);
  ctx.store.touch();
}
