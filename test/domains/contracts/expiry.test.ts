import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeContract,
  approveAll,
  buttons,
  cardText,
  click,
  contractsApp,
  one,
  settle,
  sweepExpiryOn,
  type ContractsTestApp,
} from './helpers.js';

describe('the daily expiry sweep: statuses, widening reminders, 续签 / 不续签 / 稍后提醒', () => {
  let t: ContractsTestApp;
  let id: number;
  let no: string;
  const state = async (cid = id) =>
    one<{ state: string; auto_renew: boolean; snoozed_until: string | null; version: number }>(
      t,
      'select state, auto_renew, snoozed_until::text, version from contracts_contracts where id = $1',
      [cid],
    );
  const reminders = (openId: string) =>
    t.feishu.to(openId).filter((s) => cardText(s.card).includes(no) && buttons(s.card).some((b) => b.choice));

  beforeAll(async () => {
    t = await contractsApp();
    id = await activeContract(t, { startDate: '2025-07-01', endDate: '2026-06-30', noticeDays: 0 });
    no = (await one<{ contract_no: string }>(t, 'select contract_no from contracts_contracts where id = $1', [id]))
      .contract_no;
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('90 days before the end: the owner alone gets the reminder with 续签 / 不续签 / 稍后提醒, once', async () => {
    await sweepExpiryOn(t, '2026-04-01');
    const [card, ...more] = reminders('ou_req');
    expect(more).toHaveLength(0);
    expect(cardText(card!.card)).toContain('还有 90 天');
    expect(buttons(card!.card).map((b) => b.choice ?? b.action)).toEqual([
      'renew',
      'let_expire',
      'later',
      'contracts.terminate-form',
    ]);
    expect(buttons(card!.card)[0]).toMatchObject({ action: 'contracts.renewal', contractId: id });
    expect(reminders('ou_mgr')).toHaveLength(0);
    expect((await state()).state).toBe('active');
    await sweepExpiryOn(t, '2026-04-02');
    expect(reminders('ou_req')).toHaveLength(1);
    const { rows } = await t.database.query('select key, level from contracts_reminders where contract_id = $1', [id]);
    expect(rows).toEqual([{ key: 'end:2026-06-30:90', level: 1 }]);
  });

  it('30 days before: expiring, and the owner and their manager are reminded', async () => {
    await sweepExpiryOn(t, '2026-05-31');
    expect((await state()).state).toBe('expiring');
    expect(reminders('ou_req')).toHaveLength(2);
    expect(reminders('ou_mgr')).toHaveLength(1);
    expect(cardText(reminders('ou_mgr')[0]!.card)).toContain('还有 30 天');
    expect(reminders('ou_legal')).toHaveLength(0);
  });

  it('稍后提醒 snoozes once however often it is clicked; a stranger is refused', async () => {
    const later = buttons(reminders('ou_mgr')[0]!.card).find((b) => b.choice === 'later')!;
    expect((await click(t, later, { openId: 'ou_risk' })).toast?.type).toBe('error');
    const first = await click(t, later, { openId: 'ou_mgr' });
    expect(first.toast?.type).toBe('success');
    expect(cardText(first.card)).toContain('2026-06-03');
    expect((await click(t, later, { openId: 'ou_mgr' })).toast?.type).toBe('info');
    expect((await state()).snoozed_until).toBe('2026-06-03');
    const { rows } = await t.database.query<{ action: string }>(
      `select action from contracts_history where contract_id = $1 and action = 'snoozed'`,
      [id],
    );
    expect(rows).toHaveLength(1);
  });

  it('7 days before: owner, manager, legal and finance; 不续签 is recorded once', async () => {
    await sweepExpiryOn(t, '2026-06-23');
    for (const who of ['ou_req', 'ou_mgr', 'ou_legal', 'ou_fin']) expect(reminders(who).length, who).toBeGreaterThan(0);
    expect(cardText(reminders('ou_legal')[0]!.card)).toContain('还有 7 天');
    const stop = buttons(reminders('ou_req').at(-1)!.card).find((b) => b.choice === 'let_expire')!;
    expect((await click(t, stop, { openId: 'ou_req' })).toast?.type).toBe('success');
    expect((await click(t, stop, { openId: 'ou_req' })).toast?.type).toBe('info');
    expect((await state()).auto_renew).toBe(false);
  });

  it('after the end date the contract is expired, and a second sweep changes nothing', async () => {
    await sweepExpiryOn(t, '2026-07-01');
    expect((await state()).state).toBe('expired');
    const version = (await state()).version;
    await sweepExpiryOn(t, '2026-07-02');
    expect((await state()).version).toBe(version);
  });

  it('an auto-renewing contract past its end is renewed into an active one for the next term, once', async () => {
    const old = await activeContract(t, { startDate: '2025-06-01', endDate: '2026-07-31', autoRenew: true });
    await sweepExpiryOn(t, '2026-08-01');
    expect((await state(old)).state).toBe('renewed');
    const next = await one<{ id: number; state: string; start_date: string; end_date: string }>(
      t,
      'select id::int as id, state, start_date::text, end_date::text from contracts_contracts where renews_id = $1',
      [old],
    );
    expect(next).toMatchObject({ state: 'active', start_date: '2026-08-01', end_date: '2027-07-31' });
    await sweepExpiryOn(t, '2026-08-02');
    const n = await one<{ n: number }>(t, 'select count(*)::int as n from contracts_contracts where renews_id = $1', [
      old,
    ]);
    expect(n.n).toBe(1);
  });

  it('续签 starts a prefilled renewal into approval once; when it is approved the old one is renewed', async () => {
    t.clock.set('2026-08-03T10:00');
    const old = await activeContract(t, { startDate: '2025-09-01', endDate: '2026-08-31', title: '仓储服务合同' });
    const oldNo = (
      await one<{ contract_no: string }>(t, 'select contract_no from contracts_contracts where id = $1', [old])
    ).contract_no;
    await sweepExpiryOn(t, '2026-08-04');
    const card = t.feishu
      .to('ou_req')
      .filter((s) => cardText(s.card).includes(oldNo) && buttons(s.card).some((b) => b.choice === 'renew'))
      .at(-1)!;
    const renew = buttons(card.card).find((b) => b.choice === 'renew')!;
    const first = await click(t, renew, { openId: 'ou_req' });
    expect(first.toast?.type).toBe('success');
    expect((await click(t, renew, { openId: 'ou_req' })).toast?.type).toBe('info');
    await settle(t);
    const renewal = await one<{ id: number; state: string; title: string; start_date: string; end_date: string }>(
      t,
      'select id::int as id, state, title, start_date::text, end_date::text ' +
        'from contracts_contracts where renews_id = $1',
      [old],
    );
    expect(renewal).toMatchObject({
      state: 'in_approval',
      title: '仓储服务合同',
      start_date: '2026-09-01',
      end_date: '2027-08-31',
    });
    await approveAll(t, renewal.id);
    expect((await state(renewal.id)).state).toBe('active');
    expect((await state(old)).state).toBe('renewed');
  });
});
