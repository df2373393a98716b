import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetRow } from '../../../src/domains/contracts/grid/budgets.js';
import { repo } from '../../../src/domains/contracts/repository.js';
import type { ContractMirror } from '../../../src/domains/contracts/service/context.js';
import { waitFor } from '../../helpers/app.js';
import {
  activeContract,
  addBudget,
  apiPost,
  approveAll,
  buttons,
  click,
  contractsApp,
  one,
  settle,
  sweepExpiryOn,
  type ContractsTestApp,
} from './helpers.js';

const line = (t: ContractsTestApp, code: string) =>
  one<{ id: number; committed: number; reserved: number; spent: number }>(
    t,
    `select id::int as id, committed_fen::int as committed, reserved_fen::int as reserved, spent_fen::int as spent
       from contracts_budgets where code = $1`,
    [code],
  );
const contract = (t: ContractsTestApp, id: number) =>
  one<{ state: string; held: number }>(
    t,
    'select state, budget_committed_fen::int as held from contracts_contracts where id = $1',
    [id],
  );
/** 已占用 from scratch: contracts in force hold their amount, ended ones their payments still standing. */
const expected = (t: ContractsTestApp, code: string) =>
  one<{ committed: number }>(
    t,
    `select coalesce(sum(case when c.state in ('active', 'expiring') then c.amount_cny_fen
              when c.state in ('expired', 'terminated', 'renewed') then least(c.amount_cny_fen, coalesce((
                select sum(p.amount_fen) from contracts_payments p where p.contract_id = c.id
                   and p.state in ('pending_approval', 'approved', 'paid')), 0))
              else 0 end), 0)::int as committed
       from contracts_contracts c join contracts_budgets b on b.id = c.budget_id where b.code = $1`,
    [code],
  );

describe('budget release: an ended contract gives back what its payments do not use', () => {
  let t: ContractsTestApp;
  const written: number[] = [];
  const mirror: ContractMirror = {
    onChanged: async () => undefined,
    onBudgetChanged: async (budgetId) => void written.push(budgetId),
    onPaymentChanged: async () => undefined,
  };
  const pay = (id: number, amountFen: number, over: Record<string, unknown> = {}) =>
    apiPost(t, `/api/contracts/${id}/payments`, { amountFen, by: 'ou_req', plannedDate: '2026-05-01', ...over });

  beforeAll(async () => {
    t = await contractsApp({ module: { mirror } });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('on expiry releases the amount less the paid and approved payments, writes the 预算 row, records it', async () => {
    const b = await addBudget(t, 'REL-1', 100_000);
    const id = await activeContract(t, { budgetCode: 'REL-1', amountFen: 80_000_00, endDate: '2026-09-30' });
    expect(await line(t, 'REL-1')).toMatchObject({ committed: 80_000_00 });
    const paid = (await pay(id, 20_000_00)).json().payment as { id: number };
    expect((await apiPost(t, `/api/contracts/payments/${paid.id}/paid`, { paidDate: '2026-05-02' })).statusCode).toBe(
      200,
    );
    expect((await pay(id, 5_000_00)).json().payment).toMatchObject({ state: 'approved' });
    written.length = 0;

    await sweepExpiryOn(t, '2026-10-01');
    expect(await contract(t, id)).toEqual({ state: 'expired', held: 25_000_00 });
    const after = await line(t, 'REL-1');
    expect(after).toMatchObject({ committed: 25_000_00, reserved: 25_000_00, spent: 20_000_00 });
    // The 预算 row's bot cells are written from the line as it is now: 已占用 ¥25,000.
    expect(written).toContain(b.id);
    expect(budgetRow((await repo.budget(t.deps.database.db, b.id))!, 'Asia/Shanghai').committed).toBe(25_000);
    const history = await one<{ action: string; note: string }>(
      t,
      `select action, note from contracts_history where contract_id = $1 and action like 'budget_%'
        order by id desc limit 1`,
      [id],
    );
    expect(history.action).toBe('budget_released');
    expect(history.note).toContain('REL-1');
    expect(history.note).toContain('释放');
    // A second sweep changes nothing.
    await sweepExpiryOn(t, '2026-10-02');
    expect((await line(t, 'REL-1')).committed).toBe(25_000_00);
  });

  it('a payment still waiting when the contract ends is released once finance rejects it', async () => {
    await addBudget(t, 'REL-2', 100_000);
    const id = await activeContract(t, {
      budgetCode: 'REL-2',
      amountFen: 30_000_00,
      endDate: '2026-10-15',
      counterparty: '待查供应商有限公司',
    });
    const cp = (await repo.counterpartyByName(t.deps.database.db, '待查供应商有限公司'))!;
    await repo.setList(t.deps.database.db, cp.id, 'black', '涉诉');
    expect((await pay(id, 10_000_00)).json().payment).toMatchObject({ state: 'pending_approval', flags: ['risk'] });
    await sweepExpiryOn(t, '2026-10-16');
    // Still waiting for finance: it may yet be paid, so the line keeps it.
    expect(await contract(t, id)).toEqual({ state: 'expired', held: 10_000_00 });
    await settle(t);
    const card = t.feishu
      .to('ou_fin')
      .filter((s) => buttons(s.card).some((x) => x.action === 'contracts.payment-decide'))
      .at(-1)!;
    const reject = buttons(card.card).find((x) => x.decision === 'reject')!;
    expect((await click(t, reject, { openId: 'ou_fin' })).toast?.type).toBe('success');
    expect(await contract(t, id)).toEqual({ state: 'expired', held: 0 });
    expect((await line(t, 'REL-2')).committed).toBe(0);
  });

  it('a rejected contract never commits; a renewal commits to the new contract as the old one releases', async () => {
    await addBudget(t, 'REL-3', 200_000);
    const rejected = (
      await apiPost(t, '/api/contracts', {
        externalId: 'REL-3-REJ',
        title: '被驳回的合同',
        counterparty: '驳回测试有限公司',
        type: 'logistics',
        amountFen: 50_000_00,
        currency: 'CNY',
        startDate: '2026-04-01',
        endDate: '2027-03-31',
        ownerOpenId: 'ou_req',
        department: 'operations',
        budgetCode: 'REL-3',
      })
    ).json().contract as { id: number };
    await settle(t);
    const step = await one<{ id: number; version: number }>(
      t,
      `select s.id::int as id, c.version from contracts_approval_steps s
         join contracts_contracts c on c.id = s.contract_id where c.id = $1 and s.decision = 'pending'`,
      [rejected.id],
    );
    const res = await click(
      t,
      { action: 'contracts.decide', stepId: step.id, version: step.version, decision: 'reject' },
      { openId: 'ou_legal', formValue: { reason: '条款不清' } },
    );
    expect(res.toast?.type).toBe('success');
    expect(await contract(t, rejected.id)).toEqual({ state: 'terminated', held: 0 });
    expect((await line(t, 'REL-3')).committed).toBe(0);

    const old = await activeContract(t, { budgetCode: 'REL-3', amountFen: 60_000_00, endDate: '2026-10-31' });
    const paid = (await pay(old, 15_000_00)).json().payment as { id: number };
    await apiPost(t, `/api/contracts/payments/${paid.id}/paid`, { paidDate: '2026-05-02' });
    const version = (await one<{ version: number }>(t, 'select version from contracts_contracts where id = $1', [old]))
      .version;
    t.clock.set('2026-10-10T10:00');
    const renew = await click(
      t,
      { action: 'contracts.renewal', contractId: old, version, choice: 'renew' },
      { openId: 'ou_req' },
    );
    expect(renew.toast?.type).toBe('success');
    await settle(t);
    const renewal = await one<{ id: number; budget: string }>(
      t,
      `select c.id::int as id, b.code as budget from contracts_contracts c
         join contracts_budgets b on b.id = c.budget_id where c.renews_id = $1`,
      [old],
    );
    expect(renewal.budget).toBe('REL-3');
    await approveAll(t, renewal.id);
    await settle(t);
    expect(await contract(t, old)).toEqual({ state: 'renewed', held: 15_000_00 });
    expect(await contract(t, renewal.id)).toEqual({ state: 'active', held: 60_000_00 });
    expect((await line(t, 'REL-3')).committed).toBe(75_000_00);
    expect((await line(t, 'REL-3')).committed).toBe((await expected(t, 'REL-3')).committed);
  });

  it('an expiry and payment requests at the same moment never leave 已占用 over or under what is held', async () => {
    await addBudget(t, 'RACE-REL', 1_000_000);
    const ids: number[] = [];
    for (let i = 0; i < 6; i++)
      ids.push(await activeContract(t, { budgetCode: 'RACE-REL', amountFen: 40_000_00, endDate: '2026-11-30' }));
    expect((await line(t, 'RACE-REL')).committed).toBe(240_000_00);
    // The sweep that expires all six is queued; requests on each contract go out while it runs.
    await sweepExpiryOn(t, '2026-12-01', false);
    t.deps.jobs.notify('schedule.contracts.expiry');
    const answers = await Promise.all(
      ids.flatMap((id, i) => [
        (async () => {
          await new Promise((r) => setTimeout(r, i * 15));
          return pay(id, 3_000_00, { plannedDate: '2026-11-20' });
        })(),
        pay(id, 2_000_00, { plannedDate: '2026-11-20' }),
      ]),
    );
    expect(answers.every((a) => a.statusCode === 201 || a.statusCode === 409)).toBe(true);
    await waitFor(
      async () => (await Promise.all(ids.map((id) => contract(t, id)))).every((c) => c.state === 'expired'),
      'all six expired',
    );
    await settle(t);
    const accepted = answers.filter((a) => a.statusCode === 201).map((a) => a.json().payment.amountFen as number);
    const held = (await Promise.all(ids.map((id) => contract(t, id)))).reduce((s, c) => s + c.held, 0);
    expect(held).toBe(accepted.reduce((s, n) => s + n, 0));
    const after = await line(t, 'RACE-REL');
    expect(after.committed).toBe(held);
    expect(after.committed).toBe((await expected(t, 'RACE-REL')).committed);
    expect(after.reserved).toBe(held);
  });
});
