import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { dashboardGet, signInAs } from '../../helpers/dashboard.js';
import { activeContract, addBudget, apiPost, cardText, contractsApp, say, type ContractsTestApp } from './helpers.js';

interface Cell {
  month: string;
  plannedFen: number;
  paidFen: number;
  overdueFen: number;
}
interface Line {
  key: string;
  label: string;
  department: string;
  months: Cell[];
  plannedFen: number;
  paidFen: number;
  overdueFen: number;
  unscheduledFen: number;
}
interface Report {
  today: string;
  months: string[];
  total: Line;
  byBudget: Line[];
  byDepartment: Line[];
}

const Y = 100; // fen per yuan
/** The months of a line that have anything, as [month, planned, paid, overdue] in yuan. */
const busy = (l: Line) =>
  l.months
    .filter((m) => m.plannedFen || m.paidFen || m.overdueFen)
    .map((m) => [m.month, m.plannedFen / Y, m.paidFen / Y, m.overdueFen / Y]);

// 付款计划月报: per month of the period, what was planned for it, what was paid in it, what is overdue — per budget line
// and department, for legal, finance and managers (a handler: their own contracts), and `合同 本月付款` in chat.
describe('planned versus paid per month', () => {
  let t: ContractsTestApp;
  const cookies: Record<string, string> = {};
  const get = async (who: string, query = '') => {
    const res = await dashboardGet(t, `/api/dashboard/contracts/payment-months${query}`, cookies[who]!);
    return { status: res.statusCode, json: res.json() as Report };
  };

  beforeAll(async () => {
    t = await contractsApp({ start: '2026-03-02T10:00' });
    await createDirectory({ db: t.deps.database.db }).upsertPeople([
      { openId: 'ou_buyer', name: '采购员', teams: ['operations'], roles: ['procurement'] },
    ]);
    await addBudget(t, 'OPS-2026', 500_000);
    const a = await activeContract(t, { budgetCode: 'OPS-2026', amountFen: 90_000 * Y });
    const b = await activeContract(t, {
      counterparty: '京东物流有限公司',
      amountFen: 50_000 * Y,
      ownerOpenId: 'ou_buyer',
    });
    const pay = async (id: number, yuan: number, plannedDate?: string, paidDate?: string) => {
      const body = { amountFen: yuan * Y, by: 'ou_req', ...(plannedDate ? { plannedDate } : {}) };
      const p = (await apiPost(t, `/api/contracts/${id}/payments`, body)).json().payment.id as number;
      if (paidDate) await apiPost(t, `/api/contracts/payments/${p}/paid`, { paidDate });
    };
    await pay(a, 10_000, '2026-04-10'); // April, ahead
    await pay(a, 20_000, '2026-02-20'); // February, overdue
    await pay(a, 5_000, '2026-01-15', '2026-01-15'); // planned and paid in January
    await pay(a, 8_000, '2026-02-25', '2026-03-01'); // planned in February, paid late in March: not overdue
    await pay(b, 7_000, '2026-03-01'); // March, overdue since yesterday; no budget line
    await pay(b, 3_000); // unscheduled
    for (const who of ['ou_fin', 'ou_legal', 'ou_buyer', 'ou_req']) cookies[who] = await signInAs(t, who);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('shows finance each budget line month by month: planned, paid, overdue, unscheduled', async () => {
    const { status, json } = await get('ou_fin');
    expect(status).toBe(200);
    // Five months back, this one, six ahead.
    expect(json.months[0]).toBe('2025-10');
    expect(json.months.at(-1)).toBe('2026-09');
    const ops = json.byBudget.find((l) => l.key === 'OPS-2026')!;
    expect(busy(ops)).toEqual([
      ['2026-01', 5_000, 5_000, 0],
      ['2026-02', 28_000, 0, 20_000],
      ['2026-03', 0, 8_000, 0],
      ['2026-04', 10_000, 0, 0],
    ]);
    expect(ops).toMatchObject({ plannedFen: 43_000 * Y, paidFen: 13_000 * Y, overdueFen: 20_000 * Y });
    const none = json.byBudget.find((l) => l.key === 'dept:operations')!;
    expect(none.label).toBe('无预算 No budget');
    expect(busy(none)).toEqual([['2026-03', 7_000, 0, 7_000]]);
    expect(none.unscheduledFen).toBe(3_000 * Y);
    // The department sums both; the total is the same here (one department).
    const dept = json.byDepartment.find((l) => l.key === 'operations')!;
    expect(busy(dept)).toEqual([
      ['2026-01', 5_000, 5_000, 0],
      ['2026-02', 28_000, 0, 20_000],
      ['2026-03', 7_000, 8_000, 7_000],
      ['2026-04', 10_000, 0, 0],
    ]);
    expect(json.total).toMatchObject({
      plannedFen: 50_000 * Y,
      paidFen: 13_000 * Y,
      overdueFen: 27_000 * Y,
      unscheduledFen: 3_000 * Y,
    });
    expect((await get('ou_legal')).json.total.plannedFen).toBe(50_000 * Y);
  });

  it('takes the months from `from`/`to` and narrows by team', async () => {
    const { json } = await get('ou_fin', '?from=2026-02-01&to=2026-03-31');
    expect(json.months).toEqual(['2026-02', '2026-03']);
    expect(json.total).toMatchObject({ plannedFen: 35_000 * Y, paidFen: 8_000 * Y, overdueFen: 27_000 * Y });
    const other = await get('ou_fin', '?team=marketing');
    expect(other.json.byBudget).toEqual([]);
    expect(other.json.total.plannedFen).toBe(0);
  });

  it('a handler sees only their own contracts; someone with no contracts role is refused', async () => {
    const mine = await get('ou_buyer');
    expect(mine.json.byBudget.map((l) => l.key)).toEqual(['dept:operations']);
    expect(mine.json.total).toMatchObject({ plannedFen: 7_000 * Y, overdueFen: 7_000 * Y });
    expect((await get('ou_req')).status).toBe(403);
  });

  it('answers 合同 本月付款 in chat with this month by budget line', async () => {
    const text = cardText(t.feishu.replies(await say(t, '合同 本月付款', 'ou_fin')).at(-1)?.card ?? {});
    expect(text).toContain('2026-03 · 计划 planned ¥7,000.00 · 已付 paid ¥8,000.00 · 逾期 overdue ¥7,000.00');
    expect(text).toContain('（OPS-2026）计划 ¥0.00 · 已付 ¥8,000.00');
    expect(text).toContain('无预算 No budget**（operations）计划 ¥7,000.00 · 已付 ¥0.00 · **逾期 overdue ¥7,000.00**');
    const refused = JSON.stringify(t.feishu.replies(await say(t, '合同 本月付款', 'ou_req')));
    expect(refused).toContain('付款计划仅限法务、财务、管理者及合同经办人查看');
  });
});
