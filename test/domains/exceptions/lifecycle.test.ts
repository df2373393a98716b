import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buttons,
  cardText,
  caseRow,
  click,
  exceptionsApp,
  latestCase,
  say,
  settle,
  type ExceptionsTestApp,
  fresh,
} from './helpers.js';

describe('an exception case from chat to closure', () => {
  let t: ExceptionsTestApp;
  let caseId: number;
  let cardId: string;

  beforeAll(async () => {
    t = await exceptionsApp();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('opens a case from "异常件 丢件 …", routes it to the logistics group and its next agent, and says so', async () => {
    const msg = await say(t, '异常件 丢件 TB20261123001 SF1234567890123 ¥89.50 客户说一周没更新', 'ou_reporter');
    await settle(t);
    const c = await latestCase(t);
    caseId = c.id;
    expect(c).toMatchObject({
      kind: 'lost',
      state: 'assigned',
      teamKey: 'logistics',
      ownerOpenId: 'ou_agent_1',
      orderNo: 'TB20261123001',
      amountAtRiskFen: 8950,
      source: 'chat',
    });
    expect(c.fields).toEqual({ tracking_number: 'SF1234567890123' });
    const reply = t.feishu.replies(msg)[0]!;
    expect(cardText(reply.card)).toContain('已创建 EX');
    const [teamCard] = t.feishu.to('oc_logistics');
    expect(teamCard).toBeDefined();
    cardId = teamCard!.messageId;
    expect(c.cardMessageId).toBe(cardId);
    const card = teamCard!.card as {
      schema: string;
      config: { update_multi: boolean };
      header: { title: { content: string } };
    };
    expect(card.schema).toBe('2.0');
    expect(card.config.update_multi).toBe(true);
    expect(card.header.title.content).toContain('EX000001');
    expect(cardText(card)).toContain('TB20261123001');
    // P2 = 480 business minutes: Monday 10:00–12:00, 13:30–18:30, then Tuesday 09:00–10:00.
    expect(cardText(card)).toContain('SLA 截止 Due 11-24 10:00');
    expect(buttons(card).map((b) => b.verb ?? b.action)).toEqual(
      expect.arrayContaining(['start', 'exceptions.escalate']),
    );
    expect(cardText(t.feishu.to('ou_agent_1')[0]!.card)).toContain('新异常件派给你');
  });

  it('lets the owner start the case and updates the one card in place', async () => {
    const res = await click(
      t,
      { action: 'exceptions.act', ...(await fresh(t, caseId)), verb: 'start' },
      { openId: 'ou_agent_1', messageId: cardId },
    );
    expect(res.toast).toEqual({ type: 'success', content: '已更新 · Updated' });
    expect(cardText(res.card!.data)).toContain('处理中');
    await settle(t);
    expect((await caseRow(t, caseId)).state).toBe('in_progress');
    expect(cardText(t.feishu.patches(cardId).at(-1)!.card)).toContain('处理中 In progress');
    expect(t.feishu.to('oc_logistics')).toHaveLength(1); // never a second card in the group
  });

  it('answers a double click with "already done" and changes nothing', async () => {
    const before = await caseRow(t, caseId);
    // The second click carries the version the card was drawn for, before the first one landed.
    const res = await click(
      t,
      { action: 'exceptions.act', caseId, version: before.version - 1, verb: 'start' },
      { openId: 'ou_agent_1', messageId: cardId },
    );
    expect(res.toast?.type).toBe('info');
    expect((await caseRow(t, caseId)).version).toBe(before.version);
  });

  it('refuses a move by someone who is neither owner nor lead', async () => {
    const res = await click(
      t,
      { action: 'exceptions.act', ...(await fresh(t, caseId)), verb: 'wait_customer' },
      { openId: 'ou_agent_2' },
    );
    expect(res.toast?.type).toBe('error');
    expect(res.toast?.content).toContain('没有权限');
    expect((await caseRow(t, caseId)).state).toBe('in_progress');
  });

  it('refuses a move the state does not allow', async () => {
    const res = await click(
      t,
      { action: 'exceptions.act', ...(await fresh(t, caseId)), verb: 'close' },
      { openId: 'ou_lead_lg' },
    );
    expect(res.toast?.type).toBe('error');
    expect(res.toast?.content).toContain('处理中');
  });

  it('requires a reason to cancel', async () => {
    const res = await click(
      t,
      { action: 'exceptions.act', ...(await fresh(t, caseId)), verb: 'cancel' },
      { openId: 'ou_lead_lg', formValue: { note: '  ' } },
    );
    expect(res.toast?.content).toContain('原因');
    expect((await caseRow(t, caseId)).state).toBe('in_progress');
  });

  it('pauses the SLA while waiting on the customer and shows it on the card', async () => {
    await click(
      t,
      { action: 'exceptions.act', ...(await fresh(t, caseId)), verb: 'wait_customer' },
      { openId: 'ou_agent_1' },
    );
    await settle(t);
    expect(cardText(t.feishu.patches(cardId).at(-1)!.card)).toContain('已暂停');
    t.clock.set('2026-11-24T10:00');
    await click(t, { action: 'exceptions.act', ...(await fresh(t, caseId)), verb: 'resume' }, { openId: 'ou_agent_1' });
    await settle(t);
    expect((await caseRow(t, caseId)).state).toBe('in_progress');
  });

  it('resolves and closes, recording every state with who moved it', async () => {
    t.clock.set('2026-11-24T11:00');
    await click(
      t,
      { action: 'exceptions.act', ...(await fresh(t, caseId)), verb: 'resolve' },
      { openId: 'ou_agent_1', formValue: { note: '快递已找回 Parcel found' } },
    );
    await click(t, { action: 'exceptions.act', ...(await fresh(t, caseId)), verb: 'close' }, { openId: 'ou_lead_lg' });
    await settle(t);
    const c = await caseRow(t, caseId);
    expect(c).toMatchObject({ state: 'closed', resolution: '快递已找回 Parcel found' });
    const { rows } = await t.database.query<{ state: string; actor_open_id: string | null }>(
      'select state, actor_open_id from exceptions_state_history where case_id = $1 order by id',
      [caseId],
    );
    expect(rows.map((r) => r.state)).toEqual([
      'new',
      'assigned',
      'in_progress',
      'waiting_customer',
      'in_progress',
      'resolved',
      'closed',
    ]);
    expect(rows.at(-1)!.actor_open_id).toBe('ou_lead_lg');
    const last = t.feishu.patches(cardId).at(-1)!.card;
    expect(cardText(last)).toContain('已关闭 Closed');
    expect(buttons(last).filter((b) => b.verb !== 'reopen')).toEqual([]);
  });

  it('looks a case up by order number, tracking number or case number', async () => {
    for (const needle of ['TB20261123001', 'sf1234567890123', 'EX000001']) {
      const msg = await say(t, `异常件 ${needle}`, 'ou_agent_2');
      expect(cardText(t.feishu.replies(msg)[0]!.card)).toContain('EX000001');
    }
    const msg = await say(t, '异常件 NOPE-404', 'ou_agent_2');
    expect(cardText(t.feishu.replies(msg)[0]!.card)).toContain('没有找到');
  });

  it('answers an unknown kind with the kinds it knows, and opens nothing', async () => {
    const before = (await latestCase(t)).id;
    const msg = await say(t, '异常件 飞走了 TB1 something', 'ou_reporter');
    const text = cardText(t.feishu.replies(msg)[0]!.card);
    expect(text).toContain('未知的异常类型');
    expect(text).toContain('丢件');
    expect((await latestCase(t)).id).toBe(before);
  });

  it('offers the form for a bare "异常件" and opens a case from it', async () => {
    const msg = await say(t, '异常件', 'ou_reporter');
    const form = t.feishu.replies(msg)[0]!.card;
    expect(cardText(form)).toContain('select_static');
    expect(buttons(form)).toEqual([{ action: 'exceptions.create' }]);
    const bad = await click(
      t,
      { action: 'exceptions.create' },
      { openId: 'ou_reporter', formValue: { kind: 'damaged', order_no: 'JD9', amount: '-5' } },
    );
    expect(bad.toast?.content).toContain('负数');
    const res = await click(
      t,
      { action: 'exceptions.create' },
      {
        openId: 'ou_reporter',
        formValue: {
          kind: 'damaged',
          order_no: 'JD20261123009',
          tracking_number: 'JDX0012345678901',
          description: '外箱压坏',
        },
      },
    );
    expect(res.toast?.type).toBe('success');
    await settle(t);
    const c = await latestCase(t);
    expect(c).toMatchObject({
      kind: 'damaged',
      teamKey: 'customer_service',
      source: 'card',
      reporterOpenId: 'ou_reporter',
    });
  });

  it('opens one case for a double click on the form, and one for each person submitting the same form', async () => {
    const formValue = { kind: 'damaged', order_no: 'JD20261123077', tracking_number: 'JDX0012345678977' };
    const count = async () =>
      (
        await t.database.query<{ n: number }>(`select count(*)::int as n from exceptions_cases where order_no = $1`, [
          formValue.order_no,
        ])
      ).rows[0]!.n;
    const submit = (openId: string) =>
      click(t, { action: 'exceptions.create' }, { openId, formValue, messageId: 'om_form_77' });
    const [first, second] = await Promise.all([submit('ou_reporter'), submit('ou_reporter')]);
    expect([first.toast?.type, second.toast?.type]).toEqual(['success', 'success']);
    expect(first.toast?.content).toBe(second.toast?.content); // both name the one case
    await settle(t);
    expect(await count()).toBe(1);
    await submit('ou_reporter'); // an old card clicked again later
    expect(await count()).toBe(1);
    const other = await submit('ou_rd_1');
    expect(other.toast?.type).toBe('success');
    expect(other.toast?.content).not.toBe(first.toast?.content);
    await settle(t);
    expect(await count()).toBe(2);
  });
});
