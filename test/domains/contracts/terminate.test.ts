import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractMirror } from '../../../src/domains/contracts/service/context.js';
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
  say,
  settle,
  sweepExpiryOn,
  type ContractsTestApp,
} from './helpers.js';

// 终止 an active contract (owner, legal or a manager, with a reason) and 撤回 one in approval (its requester): one
// effect per intent, whatever is clicked or typed twice, and nothing for the wrong person.
describe('terminating and withdrawing a contract', () => {
  let t: ContractsTestApp;
  const mirrored: Array<{ no: string; state: string }> = [];
  const mirror: ContractMirror = {
    onChanged: async (c) => void mirrored.push({ no: c.contractNo, state: c.state }),
    onBudgetChanged: async () => undefined,
    onPaymentChanged: async () => undefined,
  };
  const answer = async (text: string, openId: string) =>
    JSON.stringify(t.feishu.replies(await say(t, text, openId)).map((r) => cardText(r.card)));
  const contract = (id: number) =>
    one<{ no: string; state: string; held: number; version: number }>(
      t,
      `select contract_no as no, state, budget_committed_fen::int as held, version from contracts_contracts
        where id = $1`,
      [id],
    );

  beforeAll(async () => {
    t = await contractsApp({ module: { mirror } });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('legal terminates by chat with a reason: budget back to standing payments, ledger row, no reminders', async () => {
    await addBudget(t, 'TERM-1', 100_000);
    const id = await activeContract(t, { budgetCode: 'TERM-1', amountFen: 80_000_00, endDate: '2026-06-30' });
    const pay = await apiPost(t, `/api/contracts/${id}/payments`, {
      amountFen: 20_000_00,
      by: 'ou_req',
      plannedDate: '2026-05-01',
    });
    expect(pay.json().payment.state).toBe('approved');
    const { no } = await contract(id);

    // Finance may not; legal must give a reason.
    expect(await answer(`合同 终止 ${no} 供应商违约`, 'ou_fin')).toContain('只有经办人、法务或主管可以终止合同');
    expect(await answer(`合同 终止 ${no}`, 'ou_legal')).toContain('终止合同请填写原因');
    expect((await contract(id)).state).toBe('active');

    expect(await answer(`合同 终止 ${no} 供应商违约 <at id=all></at>`, 'ou_legal')).toContain('已终止');
    await settle(t);
    expect(await contract(id)).toMatchObject({ state: 'terminated', held: 20_000_00 });
    const line = await one<{ committed: number }>(
      t,
      "select committed_fen::int as committed from contracts_budgets where code = 'TERM-1'",
    );
    expect(line.committed).toBe(20_000_00);
    const audit = await one<{ actor: string; note: string }>(
      t,
      `select actor_open_id as actor, note from contracts_history where contract_id = $1 and action = 'terminated'`,
      [id],
    );
    expect(audit).toEqual({ actor: 'ou_legal', note: '供应商违约 <at id=all></at>' });
    expect(mirrored.filter((m) => m.no === no).at(-1)).toEqual({ no, state: 'terminated' });

    // Typed again: nothing changes, and it says why.
    expect(await answer(`合同 终止 ${no} 再来一次`, 'ou_legal')).toContain('未做更改');
    const terminated = await one<{ n: number }>(
      t,
      `select count(*)::int as n from contracts_history where contract_id = $1 and action = 'terminated'`,
      [id],
    );
    expect(terminated.n).toBe(1);

    // 30 days before the end date: a contract in force would be reminded; this one is not.
    const before = t.feishu.to('ou_req').length;
    await sweepExpiryOn(t, '2026-05-31');
    const reminders = t.feishu
      .to('ou_req')
      .slice(before)
      .filter((s) => buttons(s.card).some((b) => b.action === 'contracts.renewal'));
    expect(reminders).toEqual([]);
  });

  it('the owner may terminate their own contract; a manager may too', async () => {
    t.clock.set('2026-06-01T10:00');
    const mine = await activeContract(t, { counterparty: '韵达快递有限公司' });
    const theirs = await activeContract(t, { counterparty: '申通快递有限公司' });
    expect(await answer(`合同 终止 ${(await contract(mine)).no} 业务调整`, 'ou_req')).toContain('已终止');
    expect(await answer(`合同 终止 ${(await contract(theirs)).no} 业务调整`, 'ou_mgr')).toContain('已终止');
    expect((await contract(mine)).state).toBe('terminated');
    expect((await contract(theirs)).state).toBe('terminated');
  });

  it('the requester withdraws; the approvers cards say so; repeat, other person, old card: nothing', async () => {
    const created = await apiPost(t, '/api/contracts', body({ counterparty: '德邦物流股份有限公司' }));
    const id = created.json().contract.id as number;
    await settle(t);
    // The requester's card (the owner's here) carries 撤回 naming the version it was drawn with.
    const own = t.feishu
      .to('ou_req')
      .filter((s) => cardText(s.card).includes(created.json().contract.contractNo as string));
    const latest = [own.at(-1)!, ...t.feishu.patches(own.at(-1)!.messageId)].at(-1)!;
    const withdrawButton = buttons(latest.card).find((b) => b.action === 'contracts.withdraw')!;
    expect(withdrawButton).toMatchObject({ contractId: id, version: (await contract(id)).version });
    const approval = t.feishu
      .to('ou_legal')
      .filter((s) => buttons(s.card).some((b) => b.action === 'contracts.decide'))
      .at(-1)!;

    const refused = await click(t, withdrawButton, { openId: 'ou_legal' });
    expect(refused.toast?.type).toBe('error');
    expect(refused.toast?.content).toContain('只有申请人可以撤回');
    expect((await contract(id)).state).toBe('in_approval');

    // A double click: both at once, one withdrawal.
    const [a, b] = await Promise.all([
      click(t, withdrawButton, { openId: 'ou_req' }),
      click(t, withdrawButton, { openId: 'ou_req' }),
    ]);
    expect([a.toast?.type, b.toast?.type].sort()).toEqual(['info', 'success']);
    expect((await contract(id)).state).toBe('draft');
    const history = await one<{ n: number }>(
      t,
      `select count(*)::int as n from contracts_history where contract_id = $1 and action = 'withdrawn'`,
      [id],
    );
    expect(history.n).toBe(1);
    const open = await one<{ n: number }>(
      t,
      `select count(*)::int as n from contracts_approval_steps where contract_id = $1 and decision in ('pending',
        'waiting')`,
      [id],
    );
    expect(open.n).toBe(0);

    // The approver's card is updated in place: no buttons, says it was withdrawn.
    await settle(t);
    const patched = t.feishu.patches(approval.messageId).at(-1)!;
    expect(cardText(patched.card)).toContain('已撤回');
    expect(buttons(patched.card)).toEqual([]);

    // The approver's old card, clicked anyway: nothing happens.
    const approve = buttons(approval.card).find((x) => x.decision === 'approve')!;
    expect((await click(t, approve, { openId: 'ou_legal' })).toast?.type).toBe('info');
    expect((await contract(id)).state).toBe('draft');
    // The old withdraw card, clicked again later: nothing happens.
    expect((await click(t, withdrawButton, { openId: 'ou_req' })).toast?.type).toBe('info');
  });
});
