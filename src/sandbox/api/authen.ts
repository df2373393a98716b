import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { toApiUser } from './contact.js';

/** Paths that authenticate with a login code or a user_access_token, not a tenant token. */
export const USER_AUTH_PATHS = ['/open-apis/authen/v2/oauth/token', '/open-apis/authen/v1/user_info'];

const CODE_TTL_MS = 3 * 60_000; // tt.requestAccess codes live 3 minutes, once (FEISHU.md §f)
const TOKEN_TTL_S = 7200;

interface Grants {
  codes: Map<string, { openId: string; expiresAt: number }>;
  tokens: Map<string, { openId: string; expiresAt: number }>;
}
const grants = new WeakMap<SandboxContext, Grants>();
const grantsOf = (ctx: SandboxContext): Grants => {
  let g = grants.get(ctx);
  if (!g) grants.set(ctx, (g = { codes: new Map(), tokens: new Map() }));
  return g;
};

/** What the workbench's tt.requestAccess gives a web app: a one-time login code for this user. */
export function issueLoginCode(ctx: SandboxContext, openId: string): string {
  const code = randomBytes(16).toString('hex');
  grantsOf(ctx).codes.set(code, { openId, expiresAt: ctx.now().getTime() + CODE_TTL_MS });
  return code;
}

const TokenBody = z.object({
  grant_type: z.string(),
  client_id: z.string(),
  client_secret: z.string(),
  code: z.string(),
});

// OAuth v2 answers errors with `code` plus `error` / `error_description` (FEISHU.md §f, samples).
const oauthError = (code: number, error: string, description: string) => ({
  code,
  error,
  error_description: description,
});

export function authenRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post('/open-apis/authen/v2/oauth/token', async (request, reply) => {
    const body = TokenBody.safeParse(request.body);
    if (!body.success || body.data.grant_type !== 'authorization_code')
      return reply.status(400).send(oauthError(20001, 'invalid_request', 'bad request body'));
    const { credentials } = ctx.store.data;
    if (body.data.client_id !== credentials.appId || body.data.client_secret !== credentials.appSecret) {
      return reply.status(401).send(oauthError(20002, 'invalid_client', 'client authentication failed'));
    }
    const g = grantsOf(ctx);
    const grant = g.codes.get(body.data.code);
    g.codes.delete(body.data.code);
    if (!grant)
      return reply.status(400).send(oauthError(20003, 'invalid_grant', 'the code is invalid or already used'));
    if (grant.expiresAt < ctx.now().getTime())
      return reply.status(400).send(oauthError(20004, 'invalid_grant', 'the code has expired'));
    const token = `u-${randomBytes(20).toString('hex')}`;
    g.tokens.set(token, { openId: grant.openId, expiresAt: ctx.now().getTime() + TOKEN_TTL_S * 1000 });
    return { code: 0, access_token: token, expires_in: TOKEN_TTL_S, token_type: 'Bearer', scope: '' };
  });

  app.get('/open-apis/authen/v1/user_info', async (request, reply) => {
    const token = /^Bearer (u-\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const grant = token ? grantsOf(ctx).tokens.get(token) : undefined;
    if (!grant || grant.expiresAt < ctx.now().getTime())
      return reply.status(401).send({ code: 99991668, msg: 'Invalid access token for authorization' });
    const user = ctx.store.data.users.find((u) => u.open_id === grant.openId);
    if (!user) return reply.status(401).send({ code: 99991668, msg: 'user not found' });
    const u = toApiUser(user);
    return { code: 0, msg: 'success', data: { ...u, avatar_url: (u.avatar as Record<string, string>).avatar_72 } };
  });

  // The console's "工作台 Dashboard" link: log the acting user into the bot's web app, as the
  // Feishu workbench does, by handing the app a fresh login code.
  app.get('/sandbox/workbench', async (request, reply) => {
    const query = z.object({ user: z.string() }).safeParse(request.query);
    const target = ctx.endpoints.dashboardUrl;
    if (!query.success || !ctx.store.data.users.some((u) => u.open_id === query.data.user))
      return reply.status(400).send('unknown user');
    if (!target) return reply.status(503).send('the bot has not told the sandbox where its dashboard is yet');
    return reply.redirect(`${target}?code=${issueLoginCode(ctx, query.data.user)}`);
  });
}
