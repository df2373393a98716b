import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../../src/sandbox/index.js';
import { waitFor } from '../../helpers/app.js';
import { START_BUDGET_MS, startTestProduct, type TestProduct } from '../../helpers/product.js';

// 相对方 and 预算 through the kit's seam (mirror.table), on the sandbox: rows people add reach Postgres, a bad
// edit is put back and the editor told why, a bad new row is left as typed with a DM.
describe('the 相对方 and 预算 grids and the contract workflow agree', () => {
  let product: TestProduct;
  const editor = demoOpenId('wangxiaoli');
  const tables: Record<string, { appToken: string; tableId: string }> = {};

  beforeAll(async () => {
    product = await startTestProduct({ cron: false, env: { API_TOKENS: 'grid-test-token' } });
    for (const [key, name] of [
      ['counterparties', '相对方'],
      ['budgets', '预算'],
    ] as const)
      tables[key] = await waitFor(
        async () => {
          const app = product.sandbox!.state.apps()[0];
          const t = app?.tables.find((x) => x.name === name);
          const { rows } = await product.deps.database
            .query(`select 1 from mirror_tables where table_key = $1`, [key])
            .catch(() => ({ rows: [] }));
          return app && t && rows.length > 0 ? { appToken: app.app_token, tableId: t.table_id } : undefined;
        },
        `${name} provisioned at start`,
        120_000,
      );
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const sandbox = () => product.sandbox!;
  const add = (table: string, fields: Record<string, unknown>) =>
    sandbox().actions.addRecord(editor, tables[table]!.appToken, tables[table]!.tableId, fields);
  const edit = (table: string, recordId: string, fields: Record<string, unknown>) =>
    sandbox().actions.editRecord(editor, tables[table]!.appToken, tables[table]!.tableId, recordId, fields);
  const cell = (table: string, recordId: string, name: string): unknown => {
    const v = sandbox()
      .state.records(tables[table]!.appToken, tables[table]!.tableId)
      .find((r) => r.record_id === recordId)?.fields[name];
    return Array.isArray(v) ? v.map((s: { text?: string }) => s.text ?? '').join('') : v;
  };
  const dms = () => sandbox().state.messages({ chatId: sandbox().state.p2pChatOf(editor)!.chat_id, fromBot: true });
  const dm = (needle: string) =>
    waitFor(async () => dms().find((m) => m.content.includes(needle)), `a DM mentioning ${needle}`, 60_000);
  const query = async <T extends Record<string, unknown>>(sql: string, params: unknown[]) =>
    (await product.deps.database.query<T>(sql, params)).rows[0];
  const party = (name: string) =>
    query<{ id: number; list: string; list_reason: string | null; bitable_record_id: string | null }>(
      'select id::int as id, list, list_reason, bitable_record_id from contracts_counterparties where name = $1',
      [name],
    );
  const budget = (code: string) =>
    query<{ name: string; department: string; period_start: string; period_end: string; amount_fen: string }>(
      `select name, department, period_start::text, period_end::text, amount_fen::text
       from contracts_budgets where code = $1`,
      [code],
    );
  const day = (iso: string) => new Date(`${iso}T00:00:00+08:00`).getTime();

  it('takes a blacklisted counterparty a person adds; a contract with it then needs the override step', async () => {
    const row = await add('counterparties', {
      名称: '黑石贸易有限公司',
      黑名单: true,
      拉黑原因: '2025 年拖欠货款 <b>',
    });
    expect(await waitFor(async () => party('黑石贸易有限公司'), 'the row taken in', 60_000)).toMatchObject({
      list: 'black',
      list_reason: '2025 年拖欠货款 <b>',
      bitable_record_id: row.record_id,
    });
    const res = await fetch(`${product.url}/api/contracts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer grid-test-token' },
      body: JSON.stringify({
        externalId: 'GRID-1',
        title: '黑石采购',
        counterparty: '黑石贸易有限公司',
        type: 'purchase',
        amountFen: 10_000_00,
        currency: 'CNY',
        startDate: '2026-04-01',
        endDate: '2027-03-31',
        ownerOpenId: editor,
      }),
    });
    expect(res.status).toBe(201);
    const id = (await res.json()).contract.id as number;
    const steps = await waitFor(
      async () => {
        const { rows } = await product.deps.database.query<{ role: string }>(
          'select role from contracts_approval_steps where contract_id = $1 order by seq',
          [id],
        );
        return rows.length > 0 ? rows.map((r) => r.role) : undefined;
      },
      'the chain',
      60_000,
    );
    expect(steps).toContain('risk_override');
  });

  it('moves a counterparty to the watchlist from the grid, and refuses a blacklist without a reason', async () => {
    const row = await add('counterparties', { 名称: '观澜物流', 备注: '我自己的备注' });
    await waitFor(async () => (await party('观澜物流'))?.bitable_record_id, 'the row taken in', 60_000);
    await edit('counterparties', row.record_id, { 观察名单: true, 观察原因: '时效不稳定' });
    await waitFor(async () => (await party('观澜物流'))?.list === 'watch', 'on the watchlist', 60_000);
    expect((await party('观澜物流'))?.list_reason).toBe('时效不稳定');

    await edit('counterparties', row.record_id, { 黑名单: true });
    await waitFor(async () => cell('counterparties', row.record_id, '黑名单') !== true, 'the tick put back', 60_000);
    expect((await dm('拉黑原因')).content).toContain('观澜物流');
    expect((await party('观澜物流'))?.list).toBe('watch');
    // The person's own columns are never overwritten by the bot's writes.
    expect(cell('counterparties', row.record_id, '备注')).toBe('我自己的备注');
    expect(cell('counterparties', row.record_id, '观察原因')).toBe('时效不稳定');
  });

  it('leaves a new row with a bad credit code as typed and says why; fixed, it is taken in', async () => {
    const row = await add('counterparties', { 名称: '错码公司', 统一社会信用代码: '12345' });
    expect((await dm('错码公司')).content).toContain('统一社会信用代码须为 18 位');
    expect(await party('错码公司')).toBeUndefined();
    expect(cell('counterparties', row.record_id, '统一社会信用代码')).toBe('12345');
    await edit('counterparties', row.record_id, { 统一社会信用代码: '91310000MA1FL8XQ3C' });
    await waitFor(async () => (await party('错码公司'))?.bitable_record_id, 'taken in once fixed', 60_000);
  });

  it('takes a budget line finance adds; a bad period is put back while the new amount is kept', async () => {
    const row = await add('budgets', {
      预算名称: '2026 市场推广',
      预算编码: 'MKT-2026',
      部门: '市场',
      预算金额: 500000,
      开始日期: day('2026-01-01'),
      结束日期: day('2026-12-31'),
    });
    expect(await waitFor(async () => budget('MKT-2026'), 'the budget taken in', 60_000)).toEqual({
      name: '2026 市场推广',
      department: 'marketing',
      period_start: '2026-01-01',
      period_end: '2026-12-31',
      amount_fen: '50000000',
    });
    await edit('budgets', row.record_id, { 预算金额: 600000, 结束日期: day('2025-06-30') });
    await waitFor(async () => (await budget('MKT-2026'))?.amount_fen === '60000000', 'the amount taken', 60_000);
    await waitFor(
      async () => cell('budgets', row.record_id, '结束日期') === day('2026-12-31'),
      'the end date put back',
      60_000,
    );
    expect((await dm('结束日期')).content).toContain('结束日期早于开始日期');
    expect((await budget('MKT-2026'))?.period_end).toBe('2026-12-31');
  });

  it('does not take a new budget row with a code already used; the person is told', async () => {
    await add('budgets', {
      预算名称: '重复编码',
      预算编码: 'MKT-2026',
      部门: '市场',
      预算金额: 1,
      开始日期: day('2026-01-01'),
      结束日期: day('2026-12-31'),
    });
    expect((await dm('重复编码')).content).toContain('预算编码「MKT-2026」已被其他预算使用');
    expect((await budget('MKT-2026'))?.name).toBe('2026 市场推广');
  });

  it('reads 年度, 类别, 负责人 and 状态 of a budget line; a bad year is put back with a DM, 冻结 is taken', async () => {
    const row = await add('budgets', {
      预算名称: '2026 物流快递',
      预算编码: 'LOG-2026',
      年度: 2026,
      部门: '物流仓储',
      类别: '物流',
      负责人: [{ id: editor }],
      预算金额: 100000,
      开始日期: day('2026-01-01'),
      结束日期: day('2026-12-31'),
      备注: '财务自己的备注',
    });
    const terms = () =>
      query<{ fiscal_year: number | null; category: string | null; owner_open_id: string | null; state: string }>(
        'select fiscal_year, category, owner_open_id, state from contracts_budgets where code = $1',
        ['LOG-2026'],
      );
    // An empty 状态 counts as 生效 (active).
    expect(await waitFor(async () => terms(), 'the budget taken in', 60_000)).toEqual({
      fiscal_year: 2026,
      category: 'logistics',
      owner_open_id: editor,
      state: 'active',
    });
    await edit('budgets', row.record_id, { 年度: 26 });
    await waitFor(async () => cell('budgets', row.record_id, '年度') === 2026, 'the year put back', 60_000);
    expect((await dm('年度')).content).toContain('年度须为四位年份');
    await edit('budgets', row.record_id, { 状态: '冻结' });
    await waitFor(async () => (await terms())?.state === 'frozen', 'frozen', 60_000);
    expect((await terms())?.fiscal_year).toBe(2026);
  });

  it('a payment made writes 已支付 and 使用率 to the budget row, and only those cells', async () => {
    const recordId = (await query<{ r: string }>(
      'select bitable_record_id as r from contracts_budgets where code = $1',
      ['LOG-2026'],
    ))!.r;
    const api = (path: string, body: unknown) =>
      fetch(`${product.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer grid-test-token' },
        body: JSON.stringify(body),
      });
    const created = await api('/api/contracts', {
      externalId: 'GRID-PAY',
      title: '快递服务',
      counterparty: '顺丰速运有限公司',
      type: 'logistics',
      amountFen: 50_000_00,
      currency: 'CNY',
      startDate: '2026-01-01',
      endDate: '2026-12-31',
      ownerOpenId: editor,
      budgetCode: 'LOG-2026',
      submit: false,
    });
    const id = (await created.json()).contract.id as number;
    // Made active here (the chain is tested elsewhere): the payment is what this test follows.
    await product.deps.database.query(`update contracts_contracts set state = 'active' where id = $1`, [id]);
    // A person's own column, typed just before: the bot's totals leave it as typed.
    const version = async () =>
      (await query<{ v: number }>('select version as v from contracts_budgets where code = $1', ['LOG-2026']))!.v;
    const before = await version();
    await edit('budgets', recordId, { 备注: '三月对账' });
    await waitFor(async () => (await version()) > before, 'the edit taken', 60_000);
    await new Promise((r) => setTimeout(r, 1_000)); // the kit's write after the edit
    // The workflow now holds 生效 where the row says 冻结: a write of the totals must leave 状态 alone.
    await product.deps.database.query(`update contracts_budgets set state = 'active' where code = 'LOG-2026'`);
    const paid = await api(`/api/contracts/${id}/payments`, { amountFen: 25_000_00, plannedDate: '2026-03-05' });
    expect(paid.status).toBe(201);
    const payment = (await paid.json()).payment as { id: number; state: string };
    expect(payment.state).toBe('approved');
    expect((await api(`/api/contracts/payments/${payment.id}/paid`, { paidDate: '2026-03-06' })).status).toBe(200);
    await waitFor(async () => cell('budgets', recordId, '已支付') === 25000, '已支付 written', 60_000);
    expect(cell('budgets', recordId, '使用率')).toBe(0.25);
    expect(cell('budgets', recordId, '备注')).toBe('三月对账');
    expect(cell('budgets', recordId, '状态')).toBe('冻结');
  });
});
