import nock from 'nock';
import type { FastifyPluginAsync } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineModule } from '../../src/core/module.js';
import { dashboardAccess } from '../../src/dashboard/access.js';
import { createDirectory } from '../../src/domains/directory/service.js';
import { blockNetwork, buildTestApp, FEISHU_URL, type TestApp } from '../helpers/app.js';

// A dashboard read guarded like every tab's endpoints: a live session of a person with a role for it.
const probe = defineModule({
  name: 'probe',
  setup(bot, deps: { database: { db: Parameters<typeof dashboardAccess>[0] } }) {
    const access = dashboardAccess(deps.database.db);
    const routes: FastifyPluginAsync = async (app) => {
      app.get('/', { onRequest: access.guard('qa') }, async (req) => ({ viewer: req.viewer }));
    };
    bot.routes('/api/dashboard/qa', routes);
  },
});

const SECRET = 'session-secret-for-tests-0123456789';
let codes = 0;

/** Signs `openId` in through the workbench login (code exchange and user_info answered by nock). */
async function signIn(t: TestApp, openId: string): Promise<string> {
  const code = `login-code-${++codes}`;
  nock(FEISHU_URL)
    .post('/open-apis/auth/v3/tenant_access_token/internal')
    .optionally()
    .reply(200, { code: 0, msg: 'ok', tenant_access_token: 't-test-tenant-token', expire: 7200 });
  nock(FEISHU_URL)
    .post('/open-apis/authen/v2/oauth/token', (b: { code?: string }) => b.code === code)
    .reply(200, { code: 0, access_token: `u-${code}`, token_type: 'Bearer', expires_in: 7200 });
  nock(FEISHU_URL)
    .get('/open-apis/authen/v1/user_info')
    .reply(200, { code: 0, msg: 'ok', data: { open_id: openId, name: '测试 Tester' } });
  const res = await t.app.inject({ method: 'POST', url: '/api/dashboard/session', payload: { code } });
  expect(res.statusCode).toBe(200);
  const cookie = String(res.headers['set-cookie']).split(';')[0]!;
  expect(cookie).toMatch(/^fo_session=[\w-]+\.[\w-]+$/);
  return cookie;
}

const me = (t: TestApp, cookie: string) =>
  t.app.inject({ method: 'GET', url: '/api/dashboard/me', headers: { cookie } });
const read = (t: TestApp, cookie: string) =>
  t.app.inject({ method: 'GET', url: '/api/dashboard/qa', headers: { cookie } });

describe('dashboard sessions', () => {
  let a: TestApp;
  let b: TestApp;
  let clock: Date;

  beforeAll(async () => {
    blockNetwork();
    clock = new Date('2026-06-01T02:00:00Z');
    const env = { SESSION_SECRET: SECRET };
    a = await buildTestApp({ env, modules: [probe], clock: { now: () => clock } });
    // A second instance on the same database, as behind a load balancer.
    b = await buildTestApp({ env, modules: [probe], database: a.database, clock: { now: () => clock } });
    await createDirectory({ db: a.deps.database.db }).upsertPeople([
      { openId: 'ou_lead', name: '董杰', active: true, roles: ['manager'] },
      { openId: 'ou_leaver', name: '离职者', active: true, roles: ['manager'] },
    ]);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    nock.cleanAll();
  });

  it('reads with a live session on every instance', async () => {
    const cookie = await signIn(a, 'ou_lead');
    for (const t of [a, b]) {
      const res = await me(t, cookie);
      expect(res.statusCode).toBe(200);
      expect(res.json().viewer).toMatchObject({ openId: 'ou_lead', name: '董杰' });
      expect((await read(t, cookie)).statusCode).toBe(200);
    }
  });

  it('ends the session on every instance at logout: the same cookie reads nothing afterwards', async () => {
    const cookie = await signIn(a, 'ou_lead');
    const other = await signIn(a, 'ou_lead'); // the same person on another device
    const out = await a.app.inject({ method: 'POST', url: '/api/dashboard/logout', headers: { cookie } });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/^fo_session=; Max-Age=0;/);
    for (const t of [a, b]) {
      expect((await me(t, cookie)).statusCode).toBe(401);
      expect((await read(t, cookie)).statusCode).toBe(401);
    }
    expect((await me(b, other)).statusCode).toBe(200); // only the session logged out ends
    const { rows } = await a.database.query<{ n: number }>(
      `select count(*)::int as n from core_sessions where open_id = 'ou_lead'`,
    );
    expect(rows[0]!.n).toBeGreaterThanOrEqual(2); // the first test's session and `other`, not `cookie`
  });

  it('shuts out a person deactivated in the directory at once, on every instance', async () => {
    const cookie = await signIn(a, 'ou_leaver');
    expect((await read(b, cookie)).statusCode).toBe(200);
    await createDirectory({ db: a.deps.database.db }).upsertPeople([
      { openId: 'ou_leaver', name: '离职者', active: false, roles: ['manager'] },
    ]);
    for (const t of [a, b]) {
      expect((await me(t, cookie)).statusCode).toBe(401);
      expect((await read(t, cookie)).statusCode).toBe(401);
    }
  });

  it('ends a session after 12 hours', async () => {
    const cookie = await signIn(a, 'ou_lead');
    clock = new Date(clock.getTime() + 11 * 3_600_000);
    expect((await me(a, cookie)).statusCode).toBe(200);
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    expect((await me(a, cookie)).statusCode).toBe(401);
  });

  it('refuses a cookie whose id is not signed with the secret, or was never issued', async () => {
    const cookie = await signIn(a, 'ou_lead');
    const [id, mac] = cookie.slice('fo_session='.length).split('.');
    expect((await me(a, `fo_session=${id}.${mac!.slice(1)}x`)).statusCode).toBe(401);
    expect((await me(a, `fo_session=${'A'.repeat(43)}.${mac}`)).statusCode).toBe(401);
    expect((await me(a, `fo_session=${id}.${mac}.extra`)).statusCode).toBe(401);
  });

  it('stores only a hash of the session id', async () => {
    const cookie = await signIn(a, 'ou_lead');
    const id = cookie.slice('fo_session='.length).split('.')[0]!;
    const { rows } = await a.database.query<{ n: number }>(
      'select count(*)::int as n from core_sessions where id_hash = $1 or open_id = $1',
      [id],
    );
    expect(rows[0]!.n).toBe(0);
  });
});
