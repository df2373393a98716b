import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPost, body, buttons, cardText, contractsApp, say, settle, type ContractsTestApp } from './helpers.js';

// 撤回 updates the cards with the step's buttons in place while Feishu still updates them (14 days); a card past that
// window, or one sent before migration 0038 kept the cards, gets its holder a fresh notice instead — once.
describe('withdrawing a contract tells approvers whose cards Feishu no longer updates', () => {
  let t: ContractsTestApp;
  beforeAll(async () => {
    t = await contractsApp();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  /** A contract sent into approval at `at`: its number, id and the legal approver's card. */
  const inApproval = async (at: string, counterparty: string) => {
    t.clock.set(at);
    const created = await apiPost(t, '/api/contracts', body({ counterparty }));
    const { id, contractNo: no } = created.json().contract as { id: number; contractNo: string };
    await settle(t);
    const card = t.feishu
      .to('ou_legal')
      .filter((s) => cardText(s.card).includes(no) && buttons(s.card).some((b) => b.action === 'contracts.decide'))
      .at(-1)!;
    return { id, no, card };
  };
  const notices = (no: string) =>
    t.feishu.to('ou_legal').filter((s) => cardText(s.card).includes('已撤回') && cardText(s.card).includes(no));
  const withdraw = async (no: string, at: string) => {
    t.clock.set(at);
    await say(t, `合同 撤回 ${no}`, 'ou_req');
    await settle(t);
  };

  it('a card sent 15 days before is not patched: the approver gets the notice anew, without buttons', async () => {
    const { no, card } = await inApproval('2026-03-02T10:00', '安能物流有限公司');
    await withdraw(no, '2026-03-17T11:00');
    expect(t.feishu.patches(card.messageId)).toEqual([]);
    expect(notices(no)).toHaveLength(1);
    expect(buttons(notices(no)[0]!.card)).toEqual([]);
  });

  it('cards sent before the step kept them (migration 0038): the approver gets the notice', async () => {
    const { id, no, card } = await inApproval('2026-04-01T10:00', '天天快递有限公司');
    await t.database.query(`update contracts_approval_steps set card_messages = '[]'::jsonb where contract_id = $1`, [
      id,
    ]);
    await withdraw(no, '2026-04-02T10:00');
    expect(t.feishu.patches(card.messageId)).toEqual([]);
    expect(notices(no)).toHaveLength(1);
  });

  it('a fresh card kept as a bare message id (before holder and time were kept) is patched, nothing sent', async () => {
    const { id, no, card } = await inApproval('2026-05-04T10:00', '宅急送快运有限公司');
    await t.database.query(
      `update contracts_approval_steps set card_messages = jsonb_build_array($2::text)
       where contract_id = $1 and card_messages <> '[]'::jsonb`,
      [id, card.messageId],
    );
    await withdraw(no, '2026-05-06T10:00');
    expect(cardText(t.feishu.patches(card.messageId).at(-1)!.card)).toContain('已撤回');
    expect(notices(no)).toHaveLength(0);
  });
});
