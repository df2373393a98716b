import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainFor, DEFAULT_CHAIN } from '../../../src/domains/contracts/logic/chain.js';
import { apiPost, body, buttons, cardText, click, contractsApp, settle, type ContractsTestApp } from './helpers.js';

describe('approval chain routing (pure)', () => {
  const chain = { bands: DEFAULT_CHAIN };
  it('routes by type and amount band, in chain order', () => {
    expect(chainFor(chain, 'purchase', 10_000_00)).toEqual(['legal']);
    expect(chainFor(chain, 'purchase', 50_000_00)).toEqual(['legal', 'finance']);
    expect(chainFor(chain, 'purchase', 499_999_99)).toEqual(['legal', 'finance', 'manager']);
    expect(chainFor(chain, 'purchase', 1_000_000_00)).toEqual(['legal', 'finance', 'manager', 'general_manager']);
    expect(chainFor(chain, 'nda', 5_000_000_00)).toEqual(['legal']);
    expect(chainFor(chain, 'purchase', 10_000_00, { riskOverride: true })).toEqual(['legal', 'risk_override']);
  });
});

interface Step {
  id: number;
  seq: number;
  round: number;
  role: string;
  decision: string;
  approver_open_id: string | null;
}

describe('approval cards: only the step’s approver, safe to repeat, return-for-changes loop, restart mid-chain', () => {
  let t: ContractsTestApp;
  let id: number;
  const steps = async (): Promise<Step[]> =>
    (
      await t.database.query<Step>(
        'select id::int as id, seq, round, role, decision, approver_open_id from ' +
          'contracts_approval_steps where contract_id = $1 order by round, seq',
        [id],
      )
    ).rows;
  const state = async () =>
    (
      await t.database.query<{ state: string; version: number }>(
        'select state, version from contracts_contracts where id = $1',
        [id],
      )
    ).rows[0]!;
  const cardFor = (openId: string) =>
    t.feishu
      .to(openId)
      .filter((s) => cardText(s.card).includes('待你审批'))
      .at(-1)!;

  beforeAll(async () => {
    t = await contractsApp();
    const res = await apiPost(t, '/api/contracts', body({ amountFen: 250_000_00, requesterOpenId: 'ou_req' }));
    id = res.json().contract.id;
    await settle(t);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('builds legal → finance → manager for ¥250,000 and sends legal the card with risk and history', async () => {
    expect((await steps()).map((s) => [s.role, s.decision, s.approver_open_id])).toEqual([
      ['legal', 'pending', 'ou_legal'],
      ['finance', 'waiting', 'ou_fin'],
      ['manager', 'waiting', 'ou_mgr'],
    ]);
    const card = cardFor('ou_legal');
    expect(cardText(card.card)).toContain('风险 Risk');
    expect(cardText(card.card)).toContain('签约历史 History');
    expect(buttons(card.card).map((b) => b.decision)).toEqual(['approve', 'reject', 'return']);
    expect(buttons(card.card)[0]).toMatchObject({
      action: 'contracts.decide',
      stepId: (await steps())[0]!.id,
      version: (await state()).version,
    });
    // The requester has their own card showing progress.
    expect(t.feishu.to('ou_req').some((s) => cardText(s.card).includes('审批进度'))).toBe(true);
  });

  it('refuses anyone but the step’s approver', async () => {
    const value = buttons(cardFor('ou_legal').card)[0]!;
    for (const openId of ['ou_fin', 'ou_req', 'ou_ceo']) {
      const res = await click(t, value, { openId });
      expect(res.toast?.type).toBe('error');
      expect(res.toast?.content).toContain('审批人');
    }
    expect((await steps())[0]!.decision).toBe('pending');
  });

  it('needs a reason to return; a double click returns once; the requester resubmits as a new round', async () => {
    const ret = buttons(cardFor('ou_legal').card)[2]!;
    expect((await click(t, ret, { openId: 'ou_legal', formValue: { reason: ' ' } })).toast?.type).toBe('error');
    const [a, b] = await Promise.all([
      click(t, ret, { openId: 'ou_legal', formValue: { reason: '付款条款需修改' } }),
      click(t, ret, { openId: 'ou_legal', formValue: { reason: '付款条款需修改' } }),
    ]);
    expect([a.toast?.type, b.toast?.type].sort()).toEqual(['info', 'success']);
    expect(await state()).toMatchObject({ state: 'draft' });
    expect((await steps()).map((s) => s.decision)).toEqual(['returned', 'cancelled', 'cancelled']);
    await settle(t);
    const mine = t.feishu.sent
      .filter((s) => (s.kind === 'patch' || s.to === 'ou_req') && cardText(s.card).includes('付款条款需修改'))
      .at(-1)!;
    const again = buttons(mine.card).find((v) => v.action === 'contracts.resubmit')!;
    expect(again).toBeDefined();
    expect((await click(t, again, { openId: 'ou_fin' })).toast?.type).toBe('error');
    expect((await click(t, again, { openId: 'ou_req' })).toast?.type).toBe('success');
    expect((await click(t, again, { openId: 'ou_req' })).toast?.type).toBe('info');
    expect((await steps()).filter((s) => s.round === 2).map((s) => s.decision)).toEqual([
      'pending',
      'waiting',
      'waiting',
    ]);
    await settle(t);
  });

  it('an old card (round 1) changes nothing', async () => {
    const old = (await steps()).find((s) => s.round === 1)!;
    const res = await click(
      t,
      { action: 'contracts.decide', stepId: old.id, version: 1, decision: 'approve' },
      { openId: 'ou_legal' },
    );
    expect(res.toast?.type).toBe('info');
    expect((await state()).state).toBe('in_approval');
  });

  it('survives a restart mid-chain: a second instance on the same database carries on', async () => {
    const legal = buttons(cardFor('ou_legal').card)[0]!;
    expect((await click(t, legal, { openId: 'ou_legal' })).toast?.type).toBe('success');
    await settle(t);
    const t2 = await contractsApp({ database: t.database });
    try {
      const fin = buttons(cardFor('ou_fin').card)[0]!;
      expect((await click(t2, fin, { openId: 'ou_fin' })).toast?.type).toBe('success');
      // A retry of the same click after the restart changes nothing.
      expect((await click(t2, fin, { openId: 'ou_fin' })).toast?.type).toBe('info');
      await settle(t2);
      const mgr = buttons(cardFor('ou_mgr').card)[0]!;
      expect((await click(t2, mgr, { openId: 'ou_mgr' })).toast?.type).toBe('success');
      expect(await state()).toMatchObject({ state: 'active' });
      expect((await steps()).filter((s) => s.round === 2).map((s) => s.decision)).toEqual([
        'approved',
        'approved',
        'approved',
      ]);
      const { rows } = await t.database.query<{ action: string }>(
        'select action from contracts_history where contract_id = $1 order by id',
        [id],
      );
      expect(rows.map((r) => r.action)).toEqual([
        'created',
        'submitted',
        'returned',
        'resubmitted',
        'step_approved',
        'step_approved',
        'approved',
      ]);
    } finally {
      await t2.close();
    }
  });

  it('reject ends the contract with the reason', async () => {
    const res = await apiPost(t, '/api/contracts', body({ amountFen: 1_000_00 }));
    await settle(t);
    const card = cardFor('ou_legal');
    const reject = buttons(card.card)[1]!;
    expect(reject.stepId).not.toBeUndefined();
    expect((await click(t, reject, { openId: 'ou_legal', formValue: { reason: '相对方资质不符' } })).toast?.type).toBe(
      'success',
    );
    const { rows } = await t.database.query<{ state: string }>('select state from contracts_contracts where id = $1', [
      res.json().contract.id,
    ]);
    expect(rows[0]!.state).toBe('terminated');
  });
});
