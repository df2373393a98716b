import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { dashboardGet, signInAs } from '../../helpers/dashboard.js';
import { activeContract, addBudget, apiPost, body, contractsApp, settle, type ContractsTestApp } from './helpers.js';

interface Summary {
  level: string;
  today: string;
  expiringSoon: Array<{ contractNo: string; title: string; endDate: string }>;
  inApproval: Array<{ contractNo: string; waitingOn: string }>;
  budgets: Array<{ code: string; amountFen: number; reservedFen: number; leftFen: number; usage: number }>;
  budgetUsage: number | null;
  concentration: Array<{ counterparty: string; contracts: number; totalFen: number; share: number }>;
}

describe('the contracts tab of the dashboard: what each role sees', () => {
  let t: ContractsTestApp;
  const cookies: Record<string, string> = {};
  const get = async (who: string | null, query = '') => {
    const res = await dashboardGet(t, `/api/dashboard/contracts/summary${query}`, who ? cookies[who]! : null);
    return { status: res.statusCode, json: res.json() as Summary & { error?: { message: string } } };
  };

  beforeAll(async () => {
    t = await contractsApp({ start: '2026-03-02T10:00' });
    await createDirectory({ db: t.deps.database.db }).upsertPeople([
      { openId: 'ou_buyer', name: '采购员', teams: ['operations'], roles: ['procurement'] },
    ]);
    await addBudget(t, 'OPS-2026', 200_000);
    // Two in force for ou_req (one ends in 29 days, one next year), one waiting on legal owned by the buyer.
    const soon = await activeContract(t, {
      title: '月底到期 <b>合同</b>',
      counterparty: '顺丰速运有限公司',
      startDate: '2025-04-01',
      endDate: '2026-03-31',
      budgetCode: 'OPS-2026',
      amountFen: 50_000_00,
    });
    await activeContract(t, { counterparty: '京东物流有限公司', endDate: '2027-03-31', amountFen: 30_000_00 });
    await apiPost(t, `/api/contracts/${soon}/payments`, { amountFen: 20_000_00, by: 'ou_req' });
    await apiPost(
      t,
      '/api/contracts',
      body({
        title: '采购框架',
        counterparty: '义乌小商品有限公司',
        ownerOpenId: 'ou_buyer',
        department: 'procurement',
        amountFen: 20_000_00,
      }),
    );
    await settle(t);
    for (const who of ['ou_legal', 'ou_fin', 'ou_mgr', 'ou_req', 'ou_buyer']) cookies[who] = await signInAs(t, who);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('legal, finance and managers see every contract: expiring, in approval, budgets, concentration', async () => {
    for (const who of ['ou_legal', 'ou_fin', 'ou_mgr']) {
      const { status, json } = await get(who);
      expect(status, who).toBe(200);
      expect(json.level).toBe('all');
      expect(json.expiringSoon.map((c) => [c.title, c.endDate])).toEqual([['月底到期 <b>合同</b>', '2026-03-31']]);
      expect(json.inApproval).toEqual([expect.objectContaining({ waitingOn: 'legal' })]);
      expect(json.budgets).toEqual([
        expect.objectContaining({
          code: 'OPS-2026',
          amountFen: 200_000_00,
          reservedFen: 20_000_00,
          leftFen: 180_000_00,
        }),
      ]);
      expect(json.budgetUsage).toBeCloseTo(0.1);
      expect(json.concentration.map((c) => [c.counterparty, c.totalFen])).toEqual([
        ['顺丰速运有限公司', 50_000_00],
        ['京东物流有限公司', 30_000_00],
        ['义乌小商品有限公司', 20_000_00],
      ]);
      expect(json.concentration[0]!.share).toBeCloseTo(0.5);
    }
  });

  it('the 团队 filter narrows to a department', async () => {
    const { json } = await get('ou_legal', '?team=procurement');
    expect(json.inApproval).toHaveLength(1);
    expect(json.expiringSoon).toHaveLength(0);
    expect(json.concentration.map((c) => c.counterparty)).toEqual(['义乌小商品有限公司']);
  });

  it('a handler (procurement) sees only the contracts they own, and may not ask for a team', async () => {
    const { status, json } = await get('ou_buyer');
    expect(status).toBe(200);
    expect(json.level).toBe('own');
    expect(json.inApproval).toHaveLength(1);
    expect(json.expiringSoon).toHaveLength(0);
    expect(json.budgets).toHaveLength(0);
    expect(json.concentration.map((c) => c.counterparty)).toEqual(['义乌小商品有限公司']);
    expect((await get('ou_buyer', '?team=operations')).status).toBe(403);
  });

  it('an agent gets 403, no session 401, a bad parameter 400 naming it', async () => {
    expect((await get('ou_req')).status).toBe(403);
    expect((await get(null)).status).toBe(401);
    const bad = await get('ou_legal', '?days=0');
    expect(bad.status).toBe(400);
    expect(bad.json.error?.message).toContain('days');
  });

  it('/api/dashboard/me lists the tab as set up: all for finance, no access for an agent', async () => {
    const me = async (who: string) =>
      (await dashboardGet(t, '/api/dashboard/me', cookies[who]!)).json() as {
        tabs: Array<{ key: string; setUp: boolean; level: string | null }>;
      };
    const tab = async (who: string) => (await me(who)).tabs.find((x) => x.key === 'contracts');
    expect(await tab('ou_fin')).toMatchObject({ setUp: true, level: 'all' });
    expect(await tab('ou_req')).toMatchObject({ setUp: true, level: null });
  });
});
