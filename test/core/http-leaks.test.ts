import nock from 'nock';
import type { FastifyPluginAsync } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireApiToken } from '../../src/core/api.js';
import { defineModule } from '../../src/core/module.js';
import { createDirectory } from '../../src/domains/directory/service.js';
import { blockNetwork, buildTestApp, FEISHU_URL, type TestApp } from '../helpers/app.js';

// Shows what the server believes about the request: who sent it and over which protocol.
const probe = defineModule({
  name: 'probe',
  setup(bot) {
    const routes: FastifyPluginAsync = async (app) => {
      app.get('/', { onRequest: requireApiToken(['tok-probe']) }, async (req) => ({
        ip: req.ip,
        protocol: req.protocol,
      }));
    };
    bot.routes('/api/probe', routes);
  },
});

/** The Set-Cookie header of a workbench sign-in, sent with the given extra headers. */
async function signInCookie(t: TestApp, headers: Record<string, string> = {}): Promise<string> {
  const code = `code-${Math.random().toString(36).slice(2)}`;
  nock(FEISHU_URL)
    .post('/open-apis/auth/v3/tenant_access_token/internal')
    .optionally()
    .reply(200, { code: 0, msg: 'ok', tenant_access_token: 't-test-tenant-token', expire: 7200 });
  nock(FEISHU_URL)
    .post('/open-apis/authen/v2/oauth/token')
    .reply(200, { code: 0, access_token: 'u-user-token', token_type: 'Bearer', expires_in: 7200 });
  nock(FEISHU_URL)
    .get('/open-apis/authen/v1/user_info')
    .reply(200, { code: 0, msg: 'ok', data: { open_id: 'ou_lead', name: '董杰' } });
  const res = await t.app.inject({ method: 'POST', url: '/api/dashboard/session', payload: { code }, headers });
  expect(res.statusCode).toBe(200);
  return String(res.headers['set-cookie']);
}

const seedLead = (t: TestApp) =>
  createDirectory({ db: t.deps.database.db }).upsertPeople([{ openId: 'ou_lead', name: '董杰', active: true }]);

describe('small leaks at the HTTP edge (development defaults)', () => {
  let t: TestApp;
  beforeAll(async () => {
    blockNetwork();
    t = await buildTestApp({ modules: [probe] });
    await seedLead(t);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('answers 404, not 500, for asset names that are Object properties', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const res = await t.app.inject({ method: 'GET', url: `/dashboard/assets/${name}` });
      expect(res.statusCode, name).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    expect((await t.app.inject({ method: 'GET', url: '/dashboard/assets/app.js' })).statusCode).toBe(200);
    expect(t.logs.entries().filter((e) => Number(e.level) >= 50)).toEqual([]);
  });

  it('never writes a query string to the log: a token passed as ?access_token= stays out', async () => {
    const secret = 'qs-secret-token-7f3a9c';
    const refused = await t.app.inject({ method: 'GET', url: `/api/probe?access_token=${secret}&x=1` });
    expect(refused.statusCode).toBe(401);
    const missing = await t.app.inject({ method: 'GET', url: `/nowhere?access_token=${secret}` });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).not.toContain(secret);
    const logged = t.logs.entries().filter((e) => e.url !== undefined);
    expect(logged.map((e) => e.url)).toContain('/api/probe?[redacted]'); // the 401 is logged, without its query
    for (const line of t.logs.lines) expect(line).not.toContain(secret);
  });

  it('ignores a client’s own X-Forwarded-* headers: no proxy is trusted unless configured', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/probe',
      headers: { authorization: 'Bearer tok-probe', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
    });
    expect(res.json()).toEqual({ ip: '127.0.0.1', protocol: 'http' });
  });

  it('sets the cookie attributes from configuration, whatever X-Forwarded-Proto says', async () => {
    const plain = await signInCookie(t);
    const forwarded = await signInCookie(t, { 'x-forwarded-proto': 'https' });
    for (const cookie of [plain, forwarded]) {
      expect(cookie).toContain('HttpOnly; Path=/; SameSite=Lax');
      expect(cookie).not.toContain('Secure');
    }
  });

  it('serves the OpenAPI document outside production', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
  });

  it('sends a Content-Security-Policy on the dashboard that lets only the Feishu client frame it', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/dashboard' });
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    const directives = Object.fromEntries(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives['frame-ancestors']).toEqual([
      'https://*.feishu.cn',
      'https://*.larksuite.com',
      'https://*.larkoffice.com',
    ]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['style-src-elem']).toEqual(["'self'"]); // only style attributes may be inline
    expect(res.headers['x-frame-options']).toBeUndefined(); // it would forbid the Feishu client outright
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const asset = await t.app.inject({ method: 'GET', url: '/dashboard/assets/echarts.min.js' });
    expect(asset.headers['content-security-policy']).toBe(csp);
    // Scoped to the dashboard: the webhook and health endpoints are left alone.
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).headers['content-security-policy']).toBeUndefined();
  });
});

describe('small leaks at the HTTP edge (production)', () => {
  let prod: TestApp;
  let proxied: TestApp;
  beforeAll(async () => {
    blockNetwork();
    prod = await buildTestApp({
      modules: [probe],
      env: { NODE_ENV: 'production', SESSION_SECRET: 'production-secret-0123456789' },
    });
    await seedLead(prod);
    proxied = await buildTestApp({
      modules: [probe],
      database: prod.database,
      env: {
        NODE_ENV: 'production',
        SESSION_SECRET: 'production-secret-0123456789',
        API_DOCS: 'on',
        TRUST_PROXY: '127.0.0.1',
        SESSION_COOKIE_SAMESITE: 'strict',
      },
    });
  });
  afterAll(async () => {
    await proxied?.close();
    await prod?.close();
    nock.cleanAll();
  });

  it('keeps /docs and /docs/json off in production unless API_DOCS=on', async () => {
    expect((await prod.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(404);
    expect((await prod.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(404);
    expect((await proxied.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
  });

  it('marks the cookie Secure; SameSite=None in production, as configured otherwise', async () => {
    expect(await signInCookie(prod)).toContain('HttpOnly; Path=/; SameSite=None; Secure');
    expect(await signInCookie(proxied)).toContain('HttpOnly; Path=/; SameSite=Strict; Secure');
  });

  it('believes X-Forwarded-* only from a proxy named in TRUST_PROXY', async () => {
    const headers = {
      authorization: 'Bearer tok-probe',
      'x-forwarded-proto': 'https',
      'x-forwarded-for': '203.0.113.9',
    };
    expect((await proxied.app.inject({ method: 'GET', url: '/api/probe', headers })).json()).toEqual({
      ip: '203.0.113.9',
      protocol: 'https',
    });
    expect((await prod.app.inject({ method: 'GET', url: '/api/probe', headers })).json()).toEqual({
      ip: '127.0.0.1',
      protocol: 'http',
    });
  });
});
