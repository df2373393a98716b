import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo } from '../../../src/domains/contracts/repository.js';
import {
  activeContract,
  addBudget,
  apiPost,
  body,
  buttons,
  cardText,
  click,
  contractsApp,
  one,
  settle,
  type ContractsTestApp,
} from './helpers.js';

const budget = (t: ContractsTestApp, code: string) =>
  one<{ amount_fen: string; reserved_fen: string; committed_fen: string }>(
    t,
    'select amount_fen::text, reserved_fen::text, committed_fen::text from contracts_budgets where code = $1',
    [code],
  );
const pay = (t: ContractsTestApp, id: number, amountFen: number, over: Record<string, unknown> = {}) =>
  apiPost(t, `/api/contracts/${id}/payments`, { amountFen, by: 'ou_req', ...over });

describe('payment requests: contract state, budget left, counterparty risk, extra approval', () => {
  let t: ContractsTestApp;
  let id: number;

  beforeAll(async () => {
    t = await contractsApp();
    await addBudget(t, 'OPS-2026', 100_000);
    id = await activeContract(t, { budgetCode: 'OPS-2026', amountFen: 80_000_00 });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('an approved contract commits its amount to the budget', async () => {
    expect(await budget(t, 'OPS-2026')).toMatchObject({ committed_fen: '8000000', reserved_fen: '0' });
  });

  it('a request within budget is approved at once and reserves it; the same externalId again is the same', async () => {
    const res = await pay(t, id, 20_000_00, { externalId: 'PAY-1' });
    expect(res.statusCode).toBe(201);
    expect(res.json().payment).toMatchObject({ state: 'approved', flags: [], reserved: true });
    const again = await pay(t, id, 20_000_00, { externalId: 'PAY-1' });
    expect(again.statusCode).toBe(200);
    expect(again.json().payment.id).toBe(res.json().payment.id);
    expect((await budget(t, 'OPS-2026')).reserved_fen).toBe('2000000');
  });

  it('refuses a payment dated outside the budget line’s period, with the reason; nothing is reserved', async () => {
    const before = await budget(t, 'OPS-2026');
    const res = await pay(t, id, 1_000_00, { externalId: 'PAY-LATE', plannedDate: '2027-01-15' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('付款日期 2027-01-15 不在预算「operations 2026」（OPS-2026）的期间');
    expect(res.json().error.message).toContain('2026-01-01 至 2026-12-31');
    expect(await budget(t, 'OPS-2026')).toEqual(before);
    const n = await one<{ n: number }>(t, `select count(*)::int as n from contracts_payments where external_id = $1`, [
      'PAY-LATE',
    ]);
    expect(n.n).toBe(0);
    // Inside the period it goes through.
    expect((await pay(t, id, 1_000_00, { externalId: 'PAY-DEC', plannedDate: '2026-12-31' })).statusCode).toBe(201);
  });

  it('refuses a payment against a frozen, closed or draft line, or one of another year or category', async () => {
    await addBudget(t, 'TERMS', 100_000);
    const c = await activeContract(t, { budgetCode: 'TERMS', amountFen: 50_000_00 });
    const terms = (set: string) => t.database.query(`update contracts_budgets set ${set} where code = 'TERMS'`);
    const refused = async (externalId: string, plannedDate = '2026-05-01') => {
      const res = await pay(t, c, 1_000_00, { externalId, plannedDate });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details).toMatchObject({ field: 'budget' });
      return res.json().error.message as string;
    };
    await terms(`state = 'frozen', owner_open_id = 'ou_fin'`);
    expect(await refused('T-1')).toBe(
      '预算「operations 2026」（TERMS）已冻结，不能付款 · The budget line is frozen; it takes no payments' +
        '（预算负责人 Budget owner: 财务）',
    );
    await terms(`state = 'closed'`);
    expect(await refused('T-2')).toContain('（TERMS）已关闭，不能付款');
    await terms(`state = 'draft'`);
    expect(await refused('T-3')).toContain('（TERMS）尚为草稿，不能付款');
    await terms(`state = 'active', fiscal_year = 2025`);
    expect(await refused('T-4')).toContain('属于 2025 年度，付款日期 2026-05-01 在 2026 年');
    // A logistics contract spends from 物流 (or 其他, or a line with no category).
    await terms(`fiscal_year = 2026, category = 'marketing'`);
    expect(await refused('T-5')).toContain('的类别是「营销推广」，该合同应使用「物流」类预算');
    expect((await budget(t, 'TERMS')).reserved_fen).toBe('0');
    const n = await one<{ n: number }>(t, `select count(*)::int as n from contracts_payments where contract_id = $1`, [
      c,
    ]);
    expect(n.n).toBe(0);
    await terms(`category = 'logistics'`);
    expect((await pay(t, c, 1_000_00, { externalId: 'T-6', plannedDate: '2026-05-01' })).statusCode).toBe(201);
    await terms(`category = 'other'`);
    expect((await pay(t, c, 1_000_00, { externalId: 'T-7', plannedDate: '2026-05-01' })).statusCode).toBe(201);
    expect((await budget(t, 'TERMS')).reserved_fen).toBe('200000');
  });

  it('an approved payment reported paid counts as spent on its line once; an unapproved one cannot be', async () => {
    const before = await one<{ spent_fen: string }>(
      t,
      `select spent_fen::text from contracts_budgets where code = $1`,
      ['OPS-2026'],
    );
    const p = (await pay(t, id, 500_00, { externalId: 'PAY-PAID' })).json().payment as { id: number };
    const paid = () => apiPost(t, `/api/contracts/payments/${p.id}/paid`, { paidDate: '2026-03-05' });
    const first = await paid();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ changed: true, payment: { state: 'paid', paidDate: '2026-03-05' } });
    expect((await paid()).json()).toMatchObject({ changed: false });
    const after = await one<{ spent_fen: string }>(t, `select spent_fen::text from contracts_budgets where code = $1`, [
      'OPS-2026',
    ]);
    expect(Number(after.spent_fen) - Number(before.spent_fen)).toBe(500_00);
    expect((await apiPost(t, '/api/contracts/payments/999999/paid', {})).statusCode).toBe(404);
  });

  it('the same externalId sent twice at once is one payment', async () => {
    const [a, b] = await Promise.all([
      pay(t, id, 1_000_00, { externalId: 'PAY-2' }),
      pay(t, id, 1_000_00, { externalId: 'PAY-2' }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 201]);
    const n = await one<{ n: number }>(
      t,
      `select count(*)::int as n from contracts_payments where external_id = 'PAY-2'`,
    );
    expect(n.n).toBe(1);
  });

  it('refuses bad amounts and more than the contract holds, storing nothing', async () => {
    const before = (await one<{ n: number }>(t, 'select count(*)::int as n from contracts_payments')).n;
    expect((await pay(t, id, -5)).statusCode).toBe(400);
    expect((await pay(t, id, 0)).statusCode).toBe(400);
    const over = await pay(t, id, 70_000_00);
    expect(over.statusCode).toBe(400);
    expect(over.json().error.message).toContain('超出合同金额');
    expect((await pay(t, 999_999, 100)).statusCode).toBe(404);
    expect((await apiPost(t, `/api/contracts/${id}/payments`, { amountFen: 1 }, null)).statusCode).toBe(401);
    expect((await one<{ n: number }>(t, 'select count(*)::int as n from contracts_payments')).n).toBe(before);
  });

  it('a contract not in force takes no payment (409)', async () => {
    const draft = await apiPost(t, '/api/contracts', body({ budgetCode: 'OPS-2026' }));
    const res = await pay(t, draft.json().contract.id, 100_00);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toContain('不可付款');
  });

  it('concurrent requests on several contracts never reserve more than the budget holds', async () => {
    await addBudget(t, 'RACE', 50_000);
    const contracts = [];
    for (let i = 0; i < 4; i++) contracts.push(await activeContract(t, { budgetCode: 'RACE', amountFen: 40_000_00 }));
    // Eight requests of ¥10,000 against ¥50,000: five fit, three wait for finance as over budget.
    const res = await Promise.all(contracts.flatMap((c) => [pay(t, c, 10_000_00), pay(t, c, 10_000_00)]));
    expect(res.map((r) => r.statusCode)).toEqual(Array(8).fill(201));
    const states = res.map((r) => r.json().payment as { state: string; flags: string[]; reserved: boolean });
    expect(states.filter((p) => p.state === 'approved' && p.reserved)).toHaveLength(5);
    expect(states.filter((p) => p.state === 'pending_approval' && p.flags.includes('over_budget'))).toHaveLength(3);
    expect((await budget(t, 'RACE')).reserved_fen).toBe('5000000');
  });

  it('over budget: finance gets a card and decides once; approving reserves, rejecting releases', async () => {
    await settle(t);
    const cards = t.feishu
      .to('ou_fin')
      .filter((s) => buttons(s.card).some((b) => b.action === 'contracts.payment-decide'));
    expect(cards.length).toBe(3);
    expect(cardText(cards[0]!.card)).toContain('需特批 Needs approval** 超预算 over budget');
    const [first, second] = cards;
    const approve = buttons(first!.card).find((b) => b.decision === 'approve')!;
    expect((await click(t, approve, { openId: 'ou_req' })).toast?.type).toBe('error');
    expect((await click(t, approve, { openId: 'ou_fin' })).toast?.type).toBe('success');
    expect((await click(t, approve, { openId: 'ou_fin' })).toast?.type).toBe('info');
    expect((await budget(t, 'RACE')).reserved_fen).toBe('6000000');
    const reject = buttons(second!.card).find((b) => b.decision === 'reject')!;
    expect((await click(t, reject, { openId: 'ou_fin' })).toast?.type).toBe('success');
    expect((await budget(t, 'RACE')).reserved_fen).toBe('6000000');
    const p = await one<{ state: string }>(t, 'select state from contracts_payments where id = $1', [reject.paymentId]);
    expect(p.state).toBe('rejected');
  });

  it('a counterparty flagged since signing: the payment waits for finance, with the risk on the card', async () => {
    const flagged = await activeContract(t, { counterparty: '风险供应商有限公司', amountFen: 10_000_00 });
    const cp = (await repo.counterpartyByName(t.deps.database.db, '风险供应商有限公司'))!;
    await repo.setList(t.deps.database.db, cp.id, 'black', '涉诉');
    const res = await pay(t, flagged, 1_000_00);
    expect(res.json().payment).toMatchObject({ state: 'pending_approval', flags: ['risk'] });
    await settle(t);
    const card = t.feishu.to('ou_fin').at(-1)!;
    expect(cardText(card.card)).toContain('黑名单 blacklist：涉诉');
  });
});
