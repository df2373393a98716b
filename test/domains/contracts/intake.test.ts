import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiGet,
  apiPost,
  body,
  buttons,
  cardText,
  click,
  contractsApp,
  say,
  settle,
  type ContractsTestApp,
} from './helpers.js';

describe('contract intake: numbers, idempotency, bad input, chat form', () => {
  let t: ContractsTestApp;
  beforeAll(async () => {
    t = await contractsApp();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('numbers contracts by the rule, per year and type, and sends them into approval', async () => {
    const a = await apiPost(t, '/api/contracts', body());
    expect(a.statusCode).toBe(201);
    expect(a.json().contract).toMatchObject({
      contractNo: 'HT-2026-WL-0001',
      state: 'in_approval',
      amountCnyFen: 80_000_00,
    });
    const b = await apiPost(t, '/api/contracts', body());
    expect(b.json().contract.contractNo).toBe('HT-2026-WL-0002');
    const c = await apiPost(t, '/api/contracts', body({ type: 'purchase' }));
    expect(c.json().contract.contractNo).toBe('HT-2026-CG-0001');
  });

  it('gives concurrent intakes distinct, gap-free numbers', async () => {
    const res = await Promise.all(
      Array.from({ length: 6 }, () => apiPost(t, '/api/contracts', body({ type: 'service' }))),
    );
    const numbers = res.map((r) => r.json().contract.contractNo).sort();
    expect(numbers).toEqual([
      'HT-2026-FW-0001',
      'HT-2026-FW-0002',
      'HT-2026-FW-0003',
      'HT-2026-FW-0004',
      'HT-2026-FW-0005',
      'HT-2026-FW-0006',
    ]);
  });

  it('is idempotent on source + externalId: the same request again is 200 with the same contract', async () => {
    const first = await apiPost(t, '/api/contracts', body({ externalId: 'ERP-77' }));
    const again = await apiPost(t, '/api/contracts', body({ externalId: 'ERP-77', title: 'changed' }));
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json().contract.id).toBe(first.json().contract.id);
    const { rows } = await t.database.query<{ n: number }>(
      `select count(*)::int as n from contracts_contracts where external_id = 'ERP-77'`,
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('refuses bad input with a 400 naming the field, and stores nothing', async () => {
    const before = (await t.database.query<{ n: number }>('select count(*)::int as n from contracts_contracts'))
      .rows[0]!.n;
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ startDate: '2026-05-01', endDate: '2026-04-30' }, 'endDate', /早于生效日期/],
      [{ currency: 'XYZ' }, 'currency', /不支持的币种/],
      [{ amountFen: -100 }, 'amount', /不能为负数/],
      [{ startDate: '2026-02-30' }, 'startDate', /YYYY-MM-DD/],
      [{ type: 'spaceship' }, 'type', /未知合同类型/],
      [{ contractNo: 'HT-2026-WL-0001' }, 'contractNo', /已存在/],
    ];
    for (const [over, field, message] of cases) {
      const res = await apiPost(t, '/api/contracts', body(over));
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
      expect(res.json().error.details.field).toBe(field);
      expect(res.json().error.message).toMatch(message);
    }
    expect(
      (await t.database.query<{ n: number }>('select count(*)::int as n from contracts_contracts')).rows[0]!.n,
    ).toBe(before);
  });

  it('refuses callers without a token', async () => {
    expect((await apiPost(t, '/api/contracts', body(), null)).statusCode).toBe(401);
  });

  it('documents the endpoint in OpenAPI', async () => {
    const res = await apiGet(t, '/docs/json');
    if (res.statusCode === 404) return; // docs are off in this configuration
    expect(JSON.stringify(res.json().paths)).toContain('/api/contracts');
  });

  it('answers 合同 新建 with the form, and the form makes one contract however often it is clicked', async () => {
    await say(t, '合同 新建', 'ou_req');
    const form = t.feishu.sent.filter((s) => cardText(s.card).includes('新建合同')).at(-1)!;
    expect(buttons(form.card)).toEqual([{ action: 'contracts.create' }]);
    const formValue = {
      title: '门店租赁 <at id=all></at>',
      counterparty: '上海某某物业有限公司',
      type: 'lease',
      amount: '120,000',
      currency: 'CNY',
      start_date: '2026-04-01 +0800',
      end_date: '2028-03-31 +0800',
      notice_days: '60',
    };
    const first = await click(
      t,
      { action: 'contracts.create' },
      { openId: 'ou_req', formValue, messageId: 'om_form_1' },
    );
    const second = await click(
      t,
      { action: 'contracts.create' },
      { openId: 'ou_req', formValue, messageId: 'om_form_1' },
    );
    expect(first.toast?.type).toBe('success');
    expect(second.toast?.type).toBe('info');
    const { rows } = await t.database.query<{
      contract_no: string;
      title: string;
      notice_days: number;
      amount_fen: string;
    }>(`select contract_no, title, notice_days, amount_fen::text from contracts_contracts where type = 'lease'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ contract_no: 'HT-2026-ZL-0001', notice_days: 60, amount_fen: '12000000' });
    await settle(t);
    // The requester's card escapes the title in markdown (shown as typed, never an @all).
    const mine = t.feishu.to('ou_req').find((s) => cardText(s.card).includes('HT-2026-ZL-0001'))!;
    const markdown = JSON.stringify(mine.card).match(/"tag":"markdown","content":"[^"]*"/g) ?? [];
    expect(markdown.length).toBeGreaterThan(0);
    for (const m of markdown) expect(m).not.toMatch(/<at id="?all/);
    expect(cardText(mine.card)).toContain('门店租赁 <at id=all></at>');
  });

  it('refuses an unreadable amount on the form with an error toast', async () => {
    const res = await click(
      t,
      { action: 'contracts.create' },
      {
        openId: 'ou_req',
        formValue: {
          title: 'x',
          counterparty: 'y',
          type: 'nda',
          amount: '12abc',
          start_date: '2026-04-01',
          end_date: '2026-05-01',
        },
        messageId: 'om_form_2',
      },
    );
    expect(res.toast?.type).toBe('error');
    expect(res.toast?.content).toContain('金额');
  });
});
