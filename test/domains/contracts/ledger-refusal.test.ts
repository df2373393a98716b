import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../../src/sandbox/index.js';
import { waitFor } from '../../helpers/app.js';
import { provisionedTable, START_BUDGET_MS, startTestProduct, type TestProduct } from '../../helpers/product.js';

// 合同台账's module declares no onEdit hook (the ledger is moved by the workflow, not typed): a person's edit of a
// bot-owned column is still put back and its editor told why, and what they type in their own columns stays.
describe('an edit of a bot-owned 合同台账 column', () => {
  let product: TestProduct;
  const person = demoOpenId('wangxiaoli');
  let table = { appToken: '', tableId: '' };

  beforeAll(async () => {
    product = await startTestProduct({ cron: false, env: { API_TOKENS: 'ledger-refusal-token' } });
    table = await provisionedTable(product, '合同台账', 'contracts');
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const sandbox = () => product.sandbox!;
  const cell = (recordId: string, name: string): unknown => {
    const t = sandbox()
      .state.apps()[0]!
      .tables.find((x) => x.table_id === table.tableId)!;
    const field = t.fields.find((f) => f.field_name === name)!;
    return t.records.find((r) => r.record_id === recordId)?.fields[field.field_id];
  };

  it('is put back with a DM naming the contract and the column; the person’s 备注 is kept', async () => {
    const created = await fetch(`${product.url}/api/contracts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ledger-refusal-token' },
      body: JSON.stringify({
        externalId: 'LEDGER-REFUSAL-1',
        title: '仓储服务',
        counterparty: '顺丰速运有限公司',
        type: 'logistics',
        amountFen: 20_000_00,
        currency: 'CNY',
        startDate: '2026-01-01',
        endDate: '2026-12-31',
        ownerOpenId: person,
        submit: false,
      }),
    });
    expect(created.status).toBe(201);
    const contract = (await created.json()).contract as { id: number; contractNo: string };
    const recordId = await waitFor(
      async () =>
        (
          await product.deps.database.query<{ r: string | null }>(
            'select bitable_record_id as r from contracts_contracts where id = $1',
            [contract.id],
          )
        ).rows[0]?.r ?? undefined,
      'the contract written to 合同台账',
      60_000,
    );
    await waitFor(async () => cell(recordId, '状态') === '草稿', '状态 草稿 in the grid', 60_000);

    await sandbox().actions.editRecord(person, table.appToken, table.tableId, recordId, {
      状态: '已终止',
      备注: '等法务确认 <at id=all></at>',
    });
    await waitFor(async () => cell(recordId, '状态') === '草稿', 'the state put back', 60_000);
    const dm = await waitFor(
      async () =>
        sandbox()
          .state.messages({ chatId: sandbox().state.p2pChatOf(person)!.chat_id, fromBot: true })
          .find((m) => m.content.includes('未生效') && m.content.includes(contract.contractNo)),
      'a DM about 状态',
      60_000,
    );
    expect(dm.content).toContain('「状态」改为「已终止」未生效');
    expect(dm.content).toContain('已恢复为「草稿」');
    expect(cell(recordId, '备注')).toBe('等法务确认 <at id=all></at>');
    // The workflow's record did not move.
    const state = await product.deps.database.query<{ state: string }>(
      'select state from contracts_contracts where id = $1',
      [contract.id],
    );
    expect(state.rows[0]!.state).toBe('draft');
  });
});
