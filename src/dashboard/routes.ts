import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { AppError, ForbiddenError } from '../core/errors.js';
import type { Sessions } from '../core/session.js';
import type { Directory } from '../domains/directory/service.js';
import type { FeishuUser } from '../feishu/user-auth.js';

export interface DashboardOptions {
  sessions: Sessions;
  directory: Directory;
  appId: string;
  /** Exchanges a workbench login code for the user (src/feishu/user-auth.ts). */
  login(code: string): Promise<FeishuUser>;
}

const publicDir = new URL('./public/', import.meta.url);
const require = createRequire(import.meta.url);
const ASSETS: Record<string, { file: string; type: string }> = {
  'app.js': { file: new URL('app.js', publicDir).pathname, type: 'text/javascript; charset=utf-8' },
  'charts.js': { file: new URL('charts.js', publicDir).pathname, type: 'text/javascript; charset=utf-8' },
  'app.css': { file: new URL('app.css', publicDir).pathname, type: 'text/css; charset=utf-8' },
  // ECharts is bundled from the npm package: the page needs no CDN.
  'echarts.min.js': { file: require.resolve('echarts/dist/echarts.min.js'), type: 'text/javascript; charset=utf-8' },
};

const LoginBody = z.object({ code: z.string().min(8).max(512) });

/**
 * GET /dashboard: the workbench page. It signs in with the workbench login code (Feishu client:
 * tt.requestAccess; the sandbox console: a redirect with ?code=), then reads /api/* as the user.
 */
export function dashboardRoutes(options: DashboardOptions): FastifyPluginAsync {
  const html = readFileSync(new URL('index.html', publicDir), 'utf8').replace('__APP_ID__', options.appId);
  return async (app) => {
    app.get('/dashboard', async (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html));

    app.get<{ Params: { name: string } }>('/dashboard/assets/:name', async (req, reply) => {
      const asset = ASSETS[req.params.name];
      if (!asset) throw new AppError('not_found', 'no such asset');
      return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(readFileSync(asset.file));
    });

    app.post('/api/dashboard/session', async (req, reply) => {
      const body = LoginBody.safeParse(req.body);
      if (!body.success) throw new AppError('unprocessable', '缺少登录码 · A login code is required');
      const user = await options.login(body.data.code);
      const person = await options.directory.person(user.openId);
      if (!person?.active) throw new ForbiddenError('你不在人员名单中，请联系管理员 · You are not in the people directory; ask an admin');
      const viewer = { openId: person.openId, name: person.name };
      options.sessions.issue(reply, viewer, req.protocol === 'https');
      req.log.info({ openId: viewer.openId }, 'dashboard sign-in');
      return { viewer: { ...viewer, roles: person.roles, teams: person.teams } };
    });

    app.get('/api/dashboard/me', async (req) => {
      if (!req.viewer) throw new AppError('unauthorized', '请先登录 · Please sign in');
      const person = await options.directory.person(req.viewer.openId);
      return { viewer: { ...req.viewer, roles: person?.roles ?? [], teams: person?.teams ?? [] } };
    });

    app.post('/api/dashboard/logout', async (_req, reply) => {
      options.sessions.clear(reply);
      return { ok: true };
    });
  };
}
