import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { dashboardGet, signInAs } from '../../helpers/dashboard.js';
import { activeContract, addBudget, apiPost, cardText, contractsApp, say, type ContractsTestApp } from './helpers.js';

interface Plan {
  today: string;
  totalFen: number;
  overdue: { payments: number; totalFen: number };
  items: Array<{
    contractNo: string;
    counterparty: string;
    amountFen: number;
    dueDate: string | null;
    overdue: boolean;
  }>;
  byCounterparty: Array<{ label: string; payments: number; totalFen: number; overdueFen: number }>;
  byBudget: Array<{ key: string; totalFen: number; overdueFen: number }>;
  byContract: Array<{ key: string; totalFen: number }>;
}

// 付款计划: what is due when, overdue first, by contract, counterparty and budget line; for legal, finance, managers
// (a handler sees their own contracts), in chat and as GET /api/dashboard/contracts/payment-plan.
describe('the payment plan', () => {
  let t: ContractsTestApp;
  const cookies: Record<string, string> = {};
  const get = async (who: string) => {
    const res = await dashboardGet(t, '/api/dashboard/contracts/payment-plan', cookies[who]!);
    return { status: res.statusCode, json: res.json() as Plan };
  };
  let sf = '';

  beforeAll(async () => {
    t = await contractsApp({ start: '2026-03-02T10:00' });
    await createDirectory({ db: t.deps.database.db }).upsertPeople([
      { openId: 'ou_buyer', name: '采购员', teams: ['operations'], roles: ['procurement'] },
    ]);
    await addBudget(t, 'OPS-2026', 500_000);
    const a = await activeContract(t, {
      counterparty: '顺丰速运有限公司',
      budgetCode: 'OPS-2026',
      amountFen: 90_000_00,
    });
    const b = await activeContract(t, {
      counterparty: '京东物流有限公司',
      amountFen: 50_000_00,
      ownerOpenId: 'ou_buyer',
    });
    const pay = (id: number, amountFen: number, plannedDate?: string) =>
      apiPost(t, `/api/contracts/${id}/payments`, { amountFen, by: 'ou_req', ...(plannedDate ? { plannedDate } : {}) });
    await pay(a, 10_000_00, '2026-04-10');
    await pay(a, 20_000_00, '2026-02-20'); // overdue
    const paid = (await pay(a, 5_000_00, '2026-01-15')).json().payment.id as number;
    await apiPost(t, `/api/contracts/payments/${paid}/paid`, { paidDate: '2026-01-15' }); // paid: not in the plan
    await pay(b, 7_000_00, '2026-03-01'); // overdue, the buyer's
    await pay(b, 3_000_00); // unscheduled
    sf = (
      await t.database.query<{ no: string }>('select contract_no as no from contracts_contracts where id = $1', [a])
    ).rows[0]!.no;
    for (const who of ['ou_fin', 'ou_legal', 'ou_buyer', 'ou_req']) cookies[who] = await signInAs(t, who);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('finance sees every unpaid payment, overdue first, then by date, unscheduled last, with totals', async () => {
    const { status, json } = await get('ou_fin');
    expect(status).toBe(200);
    expect(json.items.map((p) => [p.dueDate, p.amountFen, p.overdue])).toEqual([
      ['2026-02-20', 20_000_00, true],
      ['2026-03-01', 7_000_00, true],
      ['2026-04-10', 10_000_00, false],
      [null, 3_000_00, false],
    ]);
    expect(json.totalFen).toBe(40_000_00);
    expect(json.overdue).toEqual({ payments: 2, totalFen: 27_000_00 });
    expect(json.byCounterparty).toEqual([
      { key: '顺丰速运有限公司', label: '顺丰速运有限公司', payments: 2, totalFen: 30_000_00, overdueFen: 20_000_00 },
      { key: '京东物流有限公司', label: '京东物流有限公司', payments: 2, totalFen: 10_000_00, overdueFen: 7_000_00 },
    ]);
    expect(json.byBudget.find((b) => b.key === 'OPS-2026')).toMatchObject({ totalFen: 30_000_00 });
    expect(json.byContract.find((c) => c.key === sf)).toMatchObject({ totalFen: 30_000_00 });
    expect((await get('ou_legal')).json.totalFen).toBe(40_000_00);
  });

  it('a handler sees only the contracts they own; someone with no contracts role is refused', async () => {
    const mine = await get('ou_buyer');
    expect(mine.json.items.map((p) => p.counterparty)).toEqual(['京东物流有限公司', '京东物流有限公司']);
    expect((await get('ou_req')).status).toBe(403);
  });

  it('answers 合同 付款计划 in chat for finance, and refuses a requester', async () => {
    const text = cardText(t.feishu.replies(await say(t, '合同 付款计划', 'ou_fin')).at(-1)?.card ?? {});
    expect(text).toContain('逾期 overdue **2** 笔 ¥27,000.00');
    expect(text.indexOf('2026-02-20')).toBeLessThan(text.indexOf('2026-04-10'));
    expect(text).toContain('未排期 unscheduled');
    expect(text).not.toContain('2026-01-15');
    const refused = JSON.stringify(t.feishu.replies(await say(t, '合同 付款计划', 'ou_req')));
    expect(refused).toContain('付款计划仅限法务、财务、管理者及合同经办人查看');
  });
});
