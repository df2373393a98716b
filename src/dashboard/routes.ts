import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import helmet from '@fastify/helmet';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { AppError, ForbiddenError } from '../core/errors.js';
import type { Sessions } from '../core/session.js';
import type { Directory } from '../domains/directory/service.js';
import type { FeishuUser } from '../feishu/user-auth.js';
import { createDashboardAccess, levelOf } from './access.js';
import type { BitableLinks } from './links.js';
import { dashboardHelmet } from './security-headers.js';
import { TABS, type TabKey } from './tabs.js';

export interface DashboardOptions {
  sessions: Sessions;
  directory: Directory;
  appId: string;
  /** Exchanges a workbench login code for the user (src/feishu/user-auth.ts). */
  login(code: string): Promise<FeishuUser>;
  /** The tabs whose domain registered its /api/dashboard/<tab> endpoints. */
  tabsSetUp: ReadonlySet<TabKey>;
  /** Where a person without a session signs in when the page is opened outside Feishu (the sandbox console). */
  signInUrl?: string;
  /** Bitable links for the charts' "open the rows" links. */
  links(): Promise<BitableLinks>;
}

const publicDir = new URL('./public/', import.meta.url);
const tabsDir = new URL('./public/tabs/', import.meta.url);
const require = createRequire(import.meta.url);
const JS = 'text/javascript; charset=utf-8';
// A Map, not an object literal: a name such as __proto__ or toString finds nothing.
const ASSETS = new Map<string, { file: string; type: string }>([
  ...['app.js', 'ui.js', 'icons.js', 'url-state.js'].map(
    (name) => [name, { file: new URL(name, publicDir).pathname, type: JS }] as const,
  ),
  ['app.css', { file: new URL('app.css', publicDir).pathname, type: 'text/css; charset=utf-8' }],
  // ECharts is bundled from the npm package: the page needs no CDN.
  ['echarts.min.js', { file: require.resolve('echarts/dist/echarts.min.js'), type: JS }],
]);
const TAB_FILE = /^[a-z][a-z0-9-]{0,40}\.js$/;

const LoginBody = z.object({ code: z.string().min(8).max(512) });

const attribute = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * GET /dashboard: the workbench page. It signs in with the workbench login code (Feishu client:
 * tt.requestAccess; the sandbox console: a redirect with ?code=), then reads /api/dashboard/* as
 * the user. The frame (tabs, filters in the URL, panels) is shared; each tab is a domain's file.
 */
export function dashboardRoutes(options: DashboardOptions): FastifyPluginAsync {
  const html = readFileSync(new URL('index.html', publicDir), 'utf8')
    .replace('__APP_ID__', attribute(options.appId))
    .replace('__SIGN_IN_URL__', attribute(options.signInUrl ?? ''))
    // Every tab's files preloaded with the page: opening a tab imports nothing more.
    .replace(
      '<!-- __TAB_PRELOADS__ -->',
      readdirSync(tabsDir)
        .filter((name) => TAB_FILE.test(name))
        .sort()
        .map((name) => `<link rel="modulepreload" href="/dashboard/assets/tabs/${attribute(name)}" />`)
        .join('\n    '),
    );
  const access = createDashboardAccess(options.directory);
  return async (app) => {
    // Registered inside this plugin, helmet's headers cover the dashboard's routes only.
    await app.register(helmet, dashboardHelmet);
    app.get('/dashboard', async (_req, reply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html),
    );

    app.get<{ Params: { name: string } }>('/dashboard/assets/:name', async (req, reply) => {
      const asset = ASSETS.get(req.params.name);
      if (!asset) throw new AppError('not_found', 'no such asset');
      return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(readFileSync(asset.file));
    });

    // A tab's own file, shipped by its domain: src/dashboard/public/tabs/<key>.js.
    app.get<{ Params: { name: string } }>('/dashboard/assets/tabs/:name', async (req, reply) => {
      const name = req.params.name;
      const file = TAB_FILE.test(name) ? new URL(name, tabsDir) : undefined;
      if (!file || !existsSync(file)) throw new AppError('not_found', 'no such tab');
      return reply.type(JS).header('cache-control', 'no-cache').send(readFileSync(file));
    });

    app.post('/api/dashboard/session', async (req, reply) => {
      const body = LoginBody.safeParse(req.body);
      if (!body.success) throw new AppError('unprocessable', '缺少登录码 · A login code is required');
      const user = await options.login(body.data.code);
      const person = await options.directory.person(user.openId);
      if (!person?.active)
        throw new ForbiddenError('你不在人员名单中，请联系管理员 · You are not in the people directory; ask an admin');
      const viewer = { openId: person.openId, name: person.name };
      await options.sessions.issue(reply, viewer);
      req.log.info({ openId: viewer.openId }, 'dashboard sign-in');
      return { viewer: { ...viewer, roles: person.roles, teams: person.teams } };
    });

    // Who is signed in and what each tab shows them: level null = no access; setUp false = the
    // tab's domain is not installed yet.
    app.get('/api/dashboard/me', async (req) => {
      const who = await access.tabs(req);
      const tabs = TABS.map((t) => ({
        key: t.key,
        title: t.title,
        setUp: options.tabsSetUp.has(t.key),
        level: levelOf(t.key, who.roles),
      }));
      // Every team by name, for the team filter (a tab shows those the person may choose).
      const teams = (await options.directory.teams())
        .filter((t) => t.active)
        .map((t) => ({ key: t.key, name: t.name }));
      return { viewer: { openId: who.openId, name: who.name, roles: who.roles, teams: who.teams }, tabs, teams };
    });

    app.get('/api/dashboard/links', async (req) => {
      await access.tabs(req); // signed in (401 otherwise); Bitable applies its own permissions to the rows
      return { links: await options.links() };
    });

    app.post('/api/dashboard/logout', async (req, reply) => {
      await options.sessions.revoke(req, reply);
      return { ok: true };
    });
  };
}
