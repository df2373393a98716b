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

// 付款 through the kit's seam, on the sandbox: every payment request is a row linked to its contract's 合同台账 row and
// its budget's 预算 row; a decision or a payment made moves only the bot's cells; a person's edit of the bot's cells is
// put back with a DM, their own columns are kept.
describe('the 付款 grid follows payment requests', () => {
  let product: TestProduct;
  const person = demoOpenId('wangxiaoli');
  const tables: Record<string, { appToken: string; tableId: string }> = {};

  beforeAll(async () => {
    product = await startTestProduct({ cron: false, env: { API_TOKENS: 'pay-grid-token' } });
    tables.payments = await provisionedTable(product, '付款', 'contract_payments');
    tables.budgets = await provisionedTable(product, '预算', 'budgets');
    tables.contracts = await provisionedTable(product, '合同台账', 'contracts');
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const sandbox = () => product.sandbox!;
  const table = (key: string) =>
    sandbox()
      .state.apps()[0]!
      .tables.find((t) => t.table_id === tables[key]!.tableId)!;
  /** The row's cells by column name, as the sandbox serves them (text as plain strings, links as record ids). */
  const row = (key: string, recordId: string): Record<string, unknown> | undefined => {
    const t = table(key);
    const r = t.records.find((x) => x.record_id === recordId);
    if (!r) return undefined;
    return Object.fromEntries(t.fields.map((f) => [f.field_name, r.fields[f.field_id]]));
  };
  const api = (path: string, body: unknown) =>
    fetch(`${product.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer pay-grid-token' },
      body: JSON.stringify(body),
    });
  const one = async <T extends Record<string, unknown>>(sql: string, params: unknown[]) =>
    (await product.deps.database.query<T>(sql, params)).rows[0];
  const day = (iso: string) => new Date(`${iso}T00:00:00+08:00`).getTime();
  const paymentRecord = (id: number) =>
    waitFor(
      async () =>
        (await one<{ r: string | null }>('select bitable_record_id as r from contracts_payments where id = $1', [id]))
          ?.r ?? undefined,
      'the payment written to 付款',
      60_000,
    );
  let paymentId = 0;
  let recordId = '';

  it('writes a payment request as a row with its number, amount, dates, state, risk and both links', async () => {
    await sandbox().actions.addRecord(person, tables.budgets!.appToken, tables.budgets!.tableId, {
      预算名称: '2026 物流快递',
      预算编码: 'PAY-LOG-2026',
      部门: '物流仓储',
      预算金额: 100000,
      开始日期: day('2026-01-01'),
      结束日期: day('2026-12-31'),
    });
    const budgetRecord = await waitFor(
      async () =>
        (
          await one<{ r: string }>('select bitable_record_id as r from contracts_budgets where code = $1', [
            'PAY-LOG-2026',
          ])
        )?.r,
      'the budget taken in',
      60_000,
    );
    const created = await api('/api/contracts', {
      externalId: 'PAY-GRID-1',
      title: '快递服务',
      counterparty: '顺丰速运有限公司',
      type: 'logistics',
      amountFen: 50_000_00,
      currency: 'CNY',
      startDate: '2026-01-01',
      endDate: '2026-12-31',
      ownerOpenId: person,
      budgetCode: 'PAY-LOG-2026',
      submit: false,
    });
    expect(created.status).toBe(201);
    const contract = (await created.json()).contract as { id: number; contractNo: string };
    // Made active here (the chain is tested elsewhere): the payment is what this test follows.
    await product.deps.database.query(`update contracts_contracts set state = 'active' where id = $1`, [contract.id]);
    const res = await api(`/api/contracts/${contract.id}/payments`, {
      amountFen: 12_345_67,
      plannedDate: '2026-03-05',
      by: person,
    });
    expect(res.status).toBe(201);
    paymentId = ((await res.json()).payment as { id: number }).id;
    recordId = await paymentRecord(paymentId);
    const contractRecord = (await one<{ r: string }>(
      'select bitable_record_id as r from contracts_contracts where id = $1',
      [contract.id],
    ))!.r;
    expect(contractRecord).toBeTruthy();
    expect(row('payments', recordId)).toMatchObject({
      付款编号: `FK${String(paymentId).padStart(6, '0')}`,
      合同: [contractRecord],
      预算: [budgetRecord],
      付款金额: 12345.67,
      计划付款日: day('2026-03-05'),
      状态: '已审批',
      请款时风险: expect.stringMatching(/^(低|中|未知)$/),
      申请人: [expect.objectContaining({ id: person })],
    });
    expect(row('payments', recordId)?.实际付款日).toBeUndefined();
    expect(row('payments', recordId)?.审批人).toBeUndefined();
  });

  it('a payment made moves 状态 and 实际付款日 on the same row; a repeated follow-up writes nothing', async () => {
    const res = await api(`/api/contracts/payments/${paymentId}/paid`, { paidDate: '2026-03-06' });
    expect(res.status).toBe(200);
    await waitFor(async () => row('payments', recordId)?.状态 === '已付款', '已付款 written', 60_000);
    expect(row('payments', recordId)?.实际付款日).toBe(day('2026-03-06'));
    expect(table('payments').records).toHaveLength(1);
    await settled(product);

    // The payment's follow-up again (a retried job): its row already says all this, so nothing is written.
    const revision = table('payments').revision;
    const modified = table('payments').records[0]!.last_modified_time;
    const c = (await one<{ id: number; no: string; v: number }>(
      `select c.id::int as id, c.contract_no as no, c.version as v from contracts_contracts c
       join contracts_payments p on p.contract_id = c.id where p.id = $1`,
      [paymentId],
    ))!;
    await product.deps.jobs.send('contracts.effects', {
      contractId: c.id,
      contractNo: c.no,
      version: c.v,
      effects: [{ type: 'payment', paymentId }],
    });
    await settled(product);
    expect(table('payments').revision).toBe(revision);
    expect(table('payments').records[0]!.last_modified_time).toBe(modified);
  });

  it('keeps a note a person types; an edit of the amount is put back and the editor told why', async () => {
    const { appToken, tableId } = tables.payments!;
    await sandbox().actions.editRecord(person, appToken, tableId, recordId, { 备注: '发票已寄出 <b>', 付款金额: 1 });
    await waitFor(async () => row('payments', recordId)?.付款金额 === 12345.67, 'the amount put back', 60_000);
    const dm = await waitFor(
      async () =>
        sandbox()
          .state.messages({ chatId: sandbox().state.p2pChatOf(person)!.chat_id, fromBot: true })
          .find((m) => m.content.includes('付款金额')),
      'a DM about 付款金额',
      60_000,
    );
    expect(dm.content).toContain(`FK${String(paymentId).padStart(6, '0')}`);
    expect(row('payments', recordId)?.备注).toBe('发票已寄出 <b>');
  });
});
