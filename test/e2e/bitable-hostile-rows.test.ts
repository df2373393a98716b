import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { waitFor } from '../helpers/app.js';
import { settled, START_BUDGET_MS, startTestProduct, type TestProduct } from '../helpers/product.js';

// Rows people add to 异常件工单 with text PostgreSQL cannot store or text over a field's limit:
// the workflow opens the case (cleaned, cut with a DM) or tells the editor why not — never a retry loop.
describe('hostile rows in the 异常件工单 Bitable table (sandbox)', () => {
  let product: TestProduct;
  let table: { appToken: string; tableId: string };
  const lead = demoOpenId('zhaomin');

  beforeAll(async () => {
    product = await startTestProduct({ cron: false });
    table = await waitFor(
      async () => {
        const app = product.sandbox!.state.apps()[0];
        const t = app?.tables.find((x) => x.name === '异常件工单');
        const { rows } = await product.deps.database
          .query(`select 1 from mirror_tables where table_key = 'exceptions'`)
          .catch(() => ({ rows: [] }));
        return app && t && rows.length > 0 ? { appToken: app.app_token, tableId: t.table_id } : undefined;
      },
      'the Base provisioned at start',
      60_000,
    );
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const sandbox = () => product.sandbox!;
  const caseOf = async (recordId: string) =>
    (
      await product.deps.database.query<{ id: number; description: string; title: string; order_no: string }>(
        'select id, description, title, order_no from exceptions_cases where bitable_record_id = $1',
        [recordId],
      )
    ).rows[0];
  const dmsTo = (openId: string) =>
    sandbox()
      .state.messages({ chatId: sandbox().state.p2pChatOf(openId)!.chat_id, fromBot: true })
      .map((m) => m.content);
  /**
   * Events that failed or needed a retry, asked once every event is done with (a failure after the
   * DM, or a retry, would otherwise be missed).
   */
  const deadEvents = async () => {
    await settled(product, 'every event handled');
    const { rows } = await product.deps.database.query(
      `select event_id from lark_events where status in ('dead', 'failed') or attempts > 1`,
    );
    return rows;
  };

  it('opens a case from a row with a NUL and a 12,000-char description: cut with "…", the editor told', async () => {
    const description = `箱子\u0000破了 ${'很长的描述'.repeat(2400)}`;
    const added = await sandbox().actions.addRecord(lead, table.appToken, table.tableId, {
      异常类型: '破损',
      订单号: 'JD\u0000LONG1',
      问题描述: description,
    });
    const c = await waitFor(async () => caseOf(added.record_id), 'case from the long row', 30_000);
    expect(c.order_no).toBe('JD\uFFFDLONG1');
    expect(c.description).toHaveLength(2000);
    expect(c.description.startsWith('箱子\uFFFD破了 很长的描述')).toBe(true);
    expect(c.description.endsWith('…')).toBe(true);
    const told = await waitFor(
      async () => dmsTo(lead).find((m) => m.includes('超过字数上限')),
      'the editor is told the text was cut',
    );
    expect(told).toContain('只保留了开头部分');
    // The grid never disagrees with the workflow: the row shows the cut text too.
    await waitFor(async () => {
      const row = sandbox()
        .state.records(table.appToken, table.tableId)
        .find((r) => r.record_id === added.record_id)!;
      const cell = JSON.stringify(row.fields['问题描述']);
      return !cell.includes('很长的描述'.repeat(500)) && cell.includes('…');
    }, 'the row shows what the case holds');
    expect(await deadEvents()).toEqual([]);
  });

  it('tells the editor when a new row cannot become a case, instead of failing it on every retry', async () => {
    const added = await sandbox().actions.addRecord(lead, table.appToken, table.tableId, {
      异常类型: '丢件',
      订单号: 'JD2026120199',
      物流单号: 'not\u0000a number',
    });
    const told = await waitFor(
      async () => dmsTo(lead).find((m) => m.includes('未能建成异常件')),
      'the editor is told why',
      30_000,
    );
    expect(told).toContain('did not become a case');
    expect(await caseOf(added.record_id)).toBeUndefined();
    expect(await deadEvents()).toEqual([]);
  });
});
