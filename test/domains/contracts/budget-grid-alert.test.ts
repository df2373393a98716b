import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../../src/sandbox/index.js';
import { waitFor } from '../../helpers/app.js';
import {
  provisionedTable,
  settled,
  START_BUDGET_MS,
  startTestProduct,
  type TestProduct,
} from '../../helpers/product.js';

// A lower 预算金额 typed in the 预算 grid runs the same 90 % check as a contract's or a payment's change: the owner is
// told once when the line crosses, and again only after a higher amount took it back below.
describe('a 预算金额 edit in the grid tells the owner when the line crosses 90 % used', () => {
  let product: TestProduct;
  const owner = demoOpenId('wangxiaoli');
  let budgets: { appToken: string; tableId: string };
  let recordId = '';

  beforeAll(async () => {
    product = await startTestProduct({ cron: false, env: { API_TOKENS: 'alert-grid-token' } });
    budgets = await provisionedTable(product, '预算', 'budgets');
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const sandbox = () => product.sandbox!;
  const alerts = () =>
    sandbox()
      .state.messages({ chatId: sandbox().state.p2pChatOf(owner)?.chat_id ?? '', fromBot: true })
      .filter((m) => m.content.includes('预算已用'));
  const api = (path: string, body: unknown) =>
    fetch(`${product.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer alert-grid-token' },
      body: JSON.stringify(body),
    });
  const line = async () =>
    (
      await product.deps.database.query<{ amount: string; alerted: boolean; alerts: number; version: number }>(
        `select amount_fen::text as amount, usage_alerted as alerted, usage_alerts as alerts, version
         from contracts_budgets where code = 'ALERT-GRID'`,
      )
    ).rows[0];
  const setAmount = async (yuan: number) => {
    const before = (await line())!.version;
    await sandbox().actions.editRecord(owner, budgets.appToken, budgets.tableId, recordId, { 预算金额: yuan });
    await waitFor(async () => (await line())!.version > before, `预算金额 ${yuan} taken`, 60_000);
    await settled(product);
  };
  const day = (iso: string) => new Date(`${iso}T00:00:00+08:00`).getTime();

  it('a line at 80 % used lowered to 85,000 (94 %) tells its owner once; a further edit tells nothing', async () => {
    recordId = (
      await sandbox().actions.addRecord(owner, budgets.appToken, budgets.tableId, {
        预算名称: '2026 仓储 <b>',
        预算编码: 'ALERT-GRID',
        部门: '物流仓储',
        负责人: [{ id: owner }],
        预算金额: 100000,
        开始日期: day('2026-01-01'),
        结束日期: day('2026-12-31'),
      })
    ).record_id;
    await waitFor(async () => line(), 'the budget taken in', 60_000);
    const created = await api('/api/contracts', {
      externalId: 'ALERT-GRID-1',
      title: '仓储服务',
      counterparty: '顺丰速运有限公司',
      type: 'logistics',
      amountFen: 90_000_00,
      currency: 'CNY',
      startDate: '2026-01-01',
      endDate: '2026-12-31',
      ownerOpenId: owner,
      budgetCode: 'ALERT-GRID',
      submit: false,
    });
    const id = (await created.json()).contract.id as number;
    await product.deps.database.query(`update contracts_contracts set state = 'active' where id = $1`, [id]);
    const paid = await api(`/api/contracts/${id}/payments`, { amountFen: 80_000_00, plannedDate: '2026-03-05' });
    expect(paid.status).toBe(201);
    await settled(product);
    expect(alerts()).toHaveLength(0);

    await setAmount(85000);
    expect((await line())?.amount).toBe('8500000');
    const sent = await waitFor(async () => alerts()[0], 'the owner told', 60_000);
    expect(sent.content).toContain('ALERT-GRID');
    expect(sent.content).not.toContain('<b>');
    await setAmount(84000);
    expect(alerts()).toHaveLength(1);
    expect(await line()).toMatchObject({ alerted: true, alerts: 1 });
  });

  it('raised back below 90 % it re-arms: lowered again, the owner is told a second time', async () => {
    await setAmount(100000);
    expect(await line()).toMatchObject({ alerted: false, alerts: 1 });
    expect(alerts()).toHaveLength(1);
    await setAmount(85000);
    await waitFor(async () => alerts().length === 2, 'the owner told again', 60_000);
    expect(await line()).toMatchObject({ alerted: true, alerts: 2 });
  });
});
