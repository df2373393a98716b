import type { FastifyPluginAsync } from 'fastify';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineModule } from '../../src/core/module.js';
import { dashboardAccess, scopeOf } from '../../src/dashboard/access.js';
import { DashboardQuery } from '../../src/dashboard/query.js';
import { dashboardPrefix, type TabKey } from '../../src/dashboard/tabs.js';
import { createDirectory } from '../../src/domains/directory/service.js';
import { exceptionsModule } from '../../src/domains/exceptions/index.js';
import type { AppModule } from '../../src/deps.js';
import { blockNetwork, buildTestApp, type TestApp } from '../helpers/app.js';
import { dashboardGet, signInAs } from '../helpers/dashboard.js';
import { apiPost, feishuRecorder, seedDirectory, settle, sh, TestClock } from '../domains/exceptions/helpers.js';

// Stand-ins for the QA, contracts and community tabs: each answers with the scope the guard gave it,
// so every role's reach on every tab is checked here whether or not that workflow is installed.
const probe: AppModule = defineModule({
  name: 'probe',
  setup(bot, deps) {
    const access = dashboardAccess(deps.database.db);
    for (const tab of ['qa', 'contracts', 'community'] as TabKey[]) {
      const routes: FastifyPluginAsync = async (app) => {
        app.get('/scope', { schema: { querystring: DashboardQuery }, onRequest: access.guard(tab) }, async (req) => {
          const scope = scopeOf(req);
          const q = req.query as { team?: string };
          return {
            level: scope.level,
            teams: scope.teams,
            team: scope.team(q.team) ?? null,
            person: scope.person(undefined) ?? null,
          };
        });
      };
      bot.routes(dashboardPrefix(tab), routes);
    }
  },
});

const report = (cookie: string | null, query = '') =>
  dashboardGet(t, `/api/dashboard/exceptions/report${query}`, cookie);
let t: TestApp;
const cookies = new Map<string, string>();
const as = async (openId: string) => cookies.get(openId) ?? cookies.set(openId, await signInAs(t, openId)).get(openId)!;

describe('who sees what on the dashboard', () => {
  beforeAll(async () => {
    blockNetwork();
    feishuRecorder();
    const clock = new TestClock(sh('2026-11-23T10:00'));
    t = await buildTestApp({
      modules: [exceptionsModule({}), probe],
      workers: true,
      clock,
      env: { API_TOKENS: 'tok-ops', LOG_LEVEL: 'warn' },
    });
    await seedDirectory(t);
    await createDirectory({ db: t.deps.database.db }).upsertPeople([
      { openId: 'ou_legal', name: '法务', teams: ['legal'], roles: ['legal'] },
      { openId: 'ou_fin', name: '会计', teams: ['finance'], roles: ['finance'] },
      { openId: 'ou_insp', name: '质检员', teams: ['qa'], roles: ['qa_inspector'] },
      { openId: 'ou_qa_lead', name: '质检主管', teams: ['qa'], roles: ['lead', 'qa_inspector'] },
      { openId: 'ou_op', name: '社群运营', teams: ['community'], roles: ['community_operator'] },
      { openId: 'ou_op_lead', name: '社群主管', teams: ['community'], roles: ['community_operator', 'lead'] },
      { openId: 'ou_nobody', name: '无角色', teams: [], roles: [] },
    ]);
    // Two lost parcels (logistics) and one wrong item (warehouse).
    for (const [id, kind] of [
      ['A1', 'lost'],
      ['A2', 'lost'],
      ['A3', 'wrong_or_missing_item'],
    ] as const) {
      const res = await apiPost(t, '/api/exceptions', {
        source: 'oms',
        externalId: id,
        kind,
        orderNo: `JD-${id}`,
        trackingNumber: 'SF1234567890123',
        amountAtRiskFen: 10_000,
      });
      expect(res.statusCode).toBe(201);
    }
    await settle(t);
  });
  afterAll(async () => {
    await t?.close();
    nock.cleanAll();
  });

  it('answers 401 without a session or with a forged cookie, before looking at the query', async () => {
    for (const cookie of [null, 'fo_session=eyJvcGVuSWQiOiJvdV9tZ3IifQ.forged', 'fo_session=abc']) {
      for (const url of [
        '/api/dashboard/exceptions/report?days=banana',
        '/api/dashboard/qa/scope',
        '/api/dashboard/me',
        '/api/dashboard/links',
      ]) {
        const res = await dashboardGet(t, url, cookie);
        expect(res.statusCode, `${url} ${cookie}`).toBe(401);
        expect(res.json().error.code).toBe('unauthorized');
      }
    }
  });

  it('reads nothing through the ingest API with a session alone: those reads need a bearer token', async () => {
    for (const url of ['/api/exceptions/report', '/api/exceptions/claims', '/api/exceptions']) {
      const res = await dashboardGet(t, url, await as('ou_mgr'));
      expect(res.statusCode, url).toBe(401);
    }
  });

  it('shows a manager every team, and any one team they pick', async () => {
    const all = await report(await as('ou_mgr'));
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({ openCount: 3, scope: { level: 'all', team: null } });
    expect(all.json().claims).toEqual([]);
    const one = await report(await as('ou_mgr'), '?team=warehouse');
    expect(one.json()).toMatchObject({ openCount: 1, scope: { team: 'warehouse' } });
  });

  it('shows a team lead their team, and refuses another team with 403', async () => {
    const cookie = await as('ou_lead_lg');
    const own = await report(cookie);
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ openCount: 2, scope: { level: 'team', team: 'logistics' }, claims: null });
    expect((await report(cookie, '?team=logistics')).json().openCount).toBe(2);
    const other = await report(cookie, '?team=warehouse');
    expect(other.statusCode).toBe(403);
    expect(other.json().error.message).toBe("你无权查看团队 warehouse 的数据 · You may not see team warehouse's data");
  });

  it('shows a lead of two teams both together, or the one they pick', async () => {
    await createDirectory({ db: t.deps.database.db }).upsertPeople([
      { openId: 'ou_lead_two', name: '双组组长', teams: ['logistics', 'warehouse'], roles: ['lead'] },
    ]);
    const cookie = await as('ou_lead_two');
    expect((await report(cookie)).json()).toMatchObject({
      openCount: 3,
      scope: { level: 'team', team: null, teams: ['logistics', 'warehouse'] },
      claims: null,
    });
    expect((await report(cookie, '?team=warehouse')).json()).toMatchObject({
      openCount: 1,
      scope: { team: 'warehouse' },
    });
    expect((await report(cookie, '?team=refund_dispute')).statusCode).toBe(403);
  });

  it('shows an agent and a warehouse clerk their own team only', async () => {
    expect((await report(await as('ou_agent_1'))).json()).toMatchObject({
      openCount: 2,
      scope: { level: 'team', team: 'logistics' },
    });
    expect((await report(await as('ou_wh_1'))).json()).toMatchObject({ openCount: 1, scope: { team: 'warehouse' } });
    expect((await report(await as('ou_wh_1'), '?team=logistics')).statusCode).toBe(403);
  });

  it('keeps people without a role for the tab out of it with 403', async () => {
    for (const who of ['ou_legal', 'ou_insp', 'ou_op', 'ou_nobody']) {
      const res = await report(await as(who));
      expect(res.statusCode, who).toBe(403);
    }
  });

  it('gives each role its reach on the QA, contracts and community tabs', async () => {
    const reach = async (who: string, tab: string, query = '') => {
      const res = await dashboardGet(t, `/api/dashboard/${tab}/scope${query}`, await as(who));
      return res.statusCode === 200 ? res.json() : res.statusCode;
    };
    // QA: an agent their own results, a lead their team, an inspector their queue, the QA lead and managers everything.
    expect(await reach('ou_agent_1', 'qa')).toEqual({ level: 'own', teams: [], team: null, person: 'ou_agent_1' });
    expect(await reach('ou_agent_1', 'qa', '?team=logistics')).toBe(403);
    expect(await reach('ou_lead_lg', 'qa')).toEqual({ level: 'team', teams: ['logistics'], team: null, person: null });
    expect(await reach('ou_lead_lg', 'qa', '?team=refund_dispute')).toBe(403);
    expect(await reach('ou_insp', 'qa')).toMatchObject({ level: 'own', person: 'ou_insp' });
    expect(await reach('ou_qa_lead', 'qa')).toMatchObject({ level: 'all' });
    expect(await reach('ou_mgr', 'qa', '?team=refund_dispute')).toMatchObject({ level: 'all', team: 'refund_dispute' });
    expect(await reach('ou_legal', 'qa')).toBe(403);
    // Contracts: legal and finance see the ledger; agents and operators do not.
    expect(await reach('ou_legal', 'contracts')).toMatchObject({ level: 'all' });
    expect(await reach('ou_fin', 'contracts')).toMatchObject({ level: 'all' });
    expect(await reach('ou_fd', 'contracts')).toMatchObject({ level: 'all' });
    expect(await reach('ou_mgr', 'contracts')).toMatchObject({ level: 'all' });
    for (const who of ['ou_agent_1', 'ou_lead_lg', 'ou_op', 'ou_insp'])
      expect(await reach(who, 'contracts'), who).toBe(403);
    // Community: an operator their communities, the community lead the team's, managers all.
    expect(await reach('ou_op', 'community')).toMatchObject({ level: 'own', person: 'ou_op' });
    expect(await reach('ou_op_lead', 'community')).toMatchObject({ level: 'team', teams: ['community'] });
    expect(await reach('ou_mgr', 'community')).toMatchObject({ level: 'all' });
    for (const who of ['ou_agent_1', 'ou_lead_lg', 'ou_legal']) expect(await reach(who, 'community'), who).toBe(403);
  });

  it('answers a bad period or filter with 400 naming the parameter', async () => {
    const cookie = await as('ou_mgr');
    const cases: Array<[string, RegExp]> = [
      ['?days=banana', /days/],
      ['?days=0', /days/],
      ['?days=400', /days/],
      ['?from=2026-02-30', /from.*YYYY-MM-DD/],
      ['?from=2026-11-20&to=2026-11-01', /to.*before/],
      ['?from=2024-01-01&to=2026-11-01', /from.*366/],
      ['?days=7&from=2026-11-01', /days.*not both/],
      [`?team=${'x'.repeat(65)}`, /team.*64/],
      ['?team=', /team.*empty/],
    ];
    for (const [query, message] of cases) {
      const res = await report(cookie, query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe('bad_request');
      expect(res.json().error.message, query).toMatch(message);
    }
    expect((await dashboardGet(t, '/api/dashboard/qa/scope?from=yesterday', cookie)).statusCode).toBe(400);
  });

  it('tells the page each tab, whether it is set up and how far this person sees', async () => {
    const res = await dashboardGet(t, '/api/dashboard/me', await as('ou_lead_lg'));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.viewer).toMatchObject({ openId: 'ou_lead_lg', roles: ['lead'], teams: ['logistics'] });
    expect(
      body.tabs.map((x: { key: string; setUp: boolean; level: string | null }) => [x.key, x.setUp, x.level]),
    ).toEqual([
      ['qa', true, 'team'],
      ['exceptions', true, 'team'],
      ['contracts', true, null],
      ['community', true, null],
    ]);
    expect(body.teams).toContainEqual({ key: 'logistics', name: '物流组 Logistics' });
  });
});

describe('the dashboard without the other workflows', () => {
  let app: TestApp;
  beforeAll(async () => {
    blockNetwork();
    app = await buildTestApp({ modules: [exceptionsModule({})] });
    await createDirectory({ db: app.deps.database.db }).upsertPeople([
      { openId: 'ou_boss', name: '老板', teams: [], roles: ['manager'] },
    ]);
  });
  afterAll(async () => {
    await app?.close();
    nock.cleanAll();
  });

  it('lists the tabs whose workflow is missing as not set up', async () => {
    const res = await dashboardGet(app, '/api/dashboard/me', await signInAs(app, 'ou_boss'));
    expect(res.json().tabs.map((x: { key: string; setUp: boolean }) => `${x.key}:${x.setUp}`)).toEqual([
      'qa:false',
      'exceptions:true',
      'contracts:false',
      'community:false',
    ]);
    expect((await dashboardGet(app, '/dashboard/assets/tabs/exceptions.js', null)).statusCode).toBe(200);
    for (const name of ['nope.js', '..%2Fapp.js', '__proto__', 'exceptions.ts']) {
      expect((await dashboardGet(app, `/dashboard/assets/tabs/${name}`, null)).statusCode, name).toBe(404);
    }
  });
});
