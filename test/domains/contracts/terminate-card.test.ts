import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeContract,
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

const HOSTILE = '供应商违约 <at id=all></at> **全员** [链接](https://evil.example)';

// 终止 on a contract's cards (合同 <编号>, the requester's card, an expiry reminder): the button opens a form with a
// required reason; only the owner, legal or a manager may end it; the buttons name the version, so a double click or
// an old card ends it once.
describe('terminating a contract from its card', () => {
  let t: ContractsTestApp;
  const contract = (id: number) =>
    one<{ no: string; state: string; version: number }>(
      t,
      'select contract_no as no, state, version from contracts_contracts where id = $1',
      [id],
    );
  const terminations = async (id: number) =>
    (
      await one<{ n: number }>(
        t,
        `select count(*)::int as n from contracts_history where contract_id = $1 and action = 'terminated'`,
        [id],
      )
    ).n;
  /** The card the bot answered `合同 <编号>` with, for `openId`. */
  const lookupCard = async (no: string, openId: string) =>
    t.feishu.replies(await say(t, `合同 ${no}`, openId))[0]!.card;
  const terminateButton = (card: unknown) => buttons(card).find((b) => b.action === 'contracts.terminate-form');

  beforeAll(async () => {
    t = await contractsApp();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('legal opens the form from 合同 <编号>, gives a reason, and the card says terminated with it escaped', async () => {
    const id = await activeContract(t, { counterparty: '圆通速递有限公司' });
    const { no, version } = await contract(id);
    const open = terminateButton(await lookupCard(no, 'ou_legal'));
    expect(open).toEqual({ action: 'contracts.terminate-form', contractId: id, version });

    const form = await click(t, open!, { openId: 'ou_legal' });
    const formCard = form.card!.data;
    expect(cardText(formCard)).toContain(`终止合同 · Terminate ${no}`);
    expect(JSON.stringify(formCard)).toContain('"name":"reason"');
    const submit = buttons(formCard).find((b) => b.action === 'contracts.terminate')!;
    expect(submit).toEqual({ action: 'contracts.terminate', contractId: id, version });

    const done = await click(t, submit, { openId: 'ou_legal', formValue: { reason: HOSTILE } });
    expect(done.toast).toMatchObject({ type: 'success' });
    const text = JSON.stringify(done.card!.data);
    expect(cardText(done.card!.data)).toContain('已终止');
    expect(text).not.toContain('<at id=all>');
    expect(text).not.toContain('](https://evil.example)');
    expect(buttons(done.card!.data)).toEqual([]);
    expect((await contract(id)).state).toBe('terminated');
    const note = await one<{ note: string; actor: string }>(
      t,
      `select note, actor_open_id as actor from contracts_history where contract_id = $1 and action = 'terminated'`,
      [id],
    );
    expect(note).toEqual({ note: HOSTILE, actor: 'ou_legal' });

    // The requester's own card follows in place: terminated, without 终止.
    await settle(t);
    const own = t.feishu.to('ou_req').filter((s) => cardText(s.card).includes(no));
    const latest = [own.at(-1)!, ...t.feishu.patches(own.at(-1)!.messageId)].at(-1)!;
    expect(cardText(latest.card)).toContain('已终止');
    expect(terminateButton(latest.card)).toBeUndefined();
  });

  it('finance sees no 终止 and is refused when clicking one anyway; nothing changes', async () => {
    const id = await activeContract(t, { counterparty: '中通快递股份有限公司' });
    const { no, version } = await contract(id);
    expect(terminateButton(await lookupCard(no, 'ou_fin'))).toBeUndefined();
    const open = terminateButton(await lookupCard(no, 'ou_req'))!;
    const refused = await click(t, open, { openId: 'ou_fin' });
    expect(refused.toast).toMatchObject({ type: 'error', content: expect.stringContaining('只有经办人、法务或主管') });
    expect(refused.card).toBeUndefined();
    const submit = { action: 'contracts.terminate', contractId: id, version };
    const forced = await click(t, submit, { openId: 'ou_fin', formValue: { reason: '想终止' } });
    expect(forced.toast?.type).toBe('error');
    expect(await contract(id)).toMatchObject({ state: 'active', version });
  });

  it('without a reason: a clear error, the form stays as it was, the contract in force', async () => {
    const id = await activeContract(t, { counterparty: '百世快递有限公司' });
    const { no, version } = await contract(id);
    const form = await click(t, terminateButton(await lookupCard(no, 'ou_req'))!, { openId: 'ou_req' });
    const submit = buttons(form.card!.data).find((b) => b.action === 'contracts.terminate')!;
    for (const formValue of [{ reason: '   ' }, {}]) {
      const res = await click(t, submit, { openId: 'ou_req', formValue });
      expect(res.toast).toMatchObject({ type: 'error', content: expect.stringContaining('终止合同请填写原因') });
      // No card in the answer: Feishu keeps the form (and what was typed in it) as it is.
      expect(res.card).toBeUndefined();
    }
    expect(await contract(id)).toMatchObject({ state: 'active', version });
    // The same form, now with a reason, still works.
    expect((await click(t, submit, { openId: 'ou_req', formValue: { reason: '业务调整' } })).toast?.type).toBe(
      'success',
    );
  });

  it('a double click ends it once; the old form and the old 终止 button then do nothing', async () => {
    const id = await activeContract(t, { counterparty: '极兔速递有限公司' });
    const { no } = await contract(id);
    const open = terminateButton(await lookupCard(no, 'ou_mgr'))!;
    const form = await click(t, open, { openId: 'ou_mgr' });
    const submit = buttons(form.card!.data).find((b) => b.action === 'contracts.terminate')!;
    const [a, b] = await Promise.all([
      click(t, submit, { openId: 'ou_mgr', formValue: { reason: '重复点击' } }),
      click(t, submit, { openId: 'ou_mgr', formValue: { reason: '重复点击' } }),
    ]);
    expect([a.toast?.type, b.toast?.type].sort()).toEqual(['info', 'success']);
    expect(await terminations(id)).toBe(1);
    const again = await click(t, submit, { openId: 'ou_mgr', formValue: { reason: '再来' } });
    expect(again.toast?.type).toBe('info');
    expect(cardText(again.card!.data)).toContain('已终止');
    const reopened = await click(t, open, { openId: 'ou_mgr' });
    expect(reopened.toast?.type).toBe('info');
    expect(terminateButton(reopened.card!.data)).toBeUndefined();
    expect(await terminations(id)).toBe(1);
  });

  it('the expiry reminder carries 终止 for the version it was drawn with; 返回 goes back to the contract', async () => {
    t.clock.set('2026-03-02T10:00');
    const id = await activeContract(t, {
      counterparty: '德邦快递有限公司',
      startDate: '2026-03-01',
      endDate: '2026-04-30',
    });
    const before = t.feishu.to('ou_req').length;
    await sweepExpiryOn(t, '2026-03-31');
    // The sweep moved it to expiring (a new version) and drew the reminder from that version.
    const { state, version } = await contract(id);
    expect(state).toBe('expiring');
    const reminder = t.feishu
      .to('ou_req')
      .slice(before)
      .find((s) => buttons(s.card).some((b) => b.action === 'contracts.renewal' && b.contractId === id))!;
    const open = terminateButton(reminder.card);
    expect(open).toEqual({ action: 'contracts.terminate-form', contractId: id, version });
    const form = await click(t, open!, { openId: 'ou_req' });
    const back = buttons(form.card!.data).find((b) => b.action === 'contracts.terminate-back')!;
    const res = await click(t, back, { openId: 'ou_req' });
    expect(terminateButton(res.card!.data)).toEqual({ action: 'contracts.terminate-form', contractId: id, version });
    expect((await contract(id)).state).toBe('expiring');
  });

  it('a reminder a week before the end reaches finance too, without 终止: only who may end it gets one', async () => {
    t.clock.set('2026-03-02T10:00');
    const id = await activeContract(t, {
      counterparty: '德邦快递有限公司',
      startDate: '2026-03-01',
      endDate: '2026-04-30',
    });
    const sent = Object.fromEntries(['ou_req', 'ou_mgr', 'ou_legal', 'ou_fin'].map((p) => [p, t.feishu.to(p).length]));
    await sweepExpiryOn(t, '2026-04-23');
    const reminderTo = (openId: string) =>
      t.feishu
        .to(openId)
        .slice(sent[openId])
        .find((s) => buttons(s.card).some((b) => b.action === 'contracts.renewal' && b.contractId === id));
    const { version } = await contract(id);
    for (const openId of ['ou_req', 'ou_mgr', 'ou_legal'])
      expect(terminateButton(reminderTo(openId)?.card), openId).toEqual({
        action: 'contracts.terminate-form',
        contractId: id,
        version,
      });
    const finance = reminderTo('ou_fin');
    expect(finance, 'finance is reminded').toBeDefined();
    expect(terminateButton(finance!.card)).toBeUndefined();
    // Finance may still decide the renewal from it.
    expect(buttons(finance!.card).map((b) => b.choice)).toEqual(
      expect.arrayContaining(['renew', 'let_expire', 'later']),
    );
  });
});
