import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiPost,
  buttons,
  cardText,
  caseRow,
  click,
  exceptionsApp,
  settle,
  type ExceptionsTestApp,
} from './helpers.js';

// Every state-changing button of the exceptions workflow, clicked twice (one after the other and
// both at once) and from an old card: one effect (one audit row, one DM), and the repeat is
// answered with the current state and an "already done / outdated" toast.
describe('clicks that are safe to repeat', () => {
  let t: ExceptionsTestApp;

  beforeAll(async () => {
    t = await exceptionsApp();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  const open = async (externalId: string, extra: Record<string, unknown> = {}) => {
    const res = await apiPost(t, '/api/exceptions', {
      source: 'oms',
      externalId,
      kind: 'lost',
      orderNo: `JD-${externalId}`,
      trackingNumber: 'SF1234567890123',
      amountAtRiskFen: 2_000_00,
      ...extra,
    });
    expect(res.statusCode).toBe(201);
    await settle(t);
    return res.json().case.id as number;
  };
  /** The case card as it is in the group now (the last PATCH, else the first send). */
  const groupCard = async (caseId: number) => {
    const c = await caseRow(t, caseId);
    return (t.feishu.patches(c.cardMessageId!).at(-1) ?? t.feishu.sent.find((s) => s.messageId === c.cardMessageId))!
      .card;
  };
  /** A button's value on a card, found by what it does. */
  const button = (card: unknown, match: Record<string, unknown>) => {
    const b = buttons(card).find((v) => Object.entries(match).every(([k, want]) => v[k] === want));
    expect(b, JSON.stringify(match)).toBeDefined();
    return b!;
  };
  const audit = async (caseId: number, action: string) =>
    (
      await t.database.query<{ n: number }>(
        'select count(*)::int as n from exceptions_audit where case_id = $1 and action = $2',
        [caseId, action],
      )
    ).rows[0]!.n;
  const ALREADY = '已处理过或卡片已过期';
  const owner = async (caseId: number) => (await caseRow(t, caseId)).ownerOpenId!;

  it('escalates once for a double click on 升级, one after the other or both at once', async () => {
    for (const together of [false, true]) {
      const caseId = await open(together ? 'ESC-2' : 'ESC-1');
      const value = button(await groupCard(caseId), { action: 'exceptions.escalate' });
      const openId = await owner(caseId);
      const clickIt = () => click(t, value, { openId });
      const answers = together ? await Promise.all([clickIt(), clickIt()]) : [await clickIt(), await clickIt()];
      expect(answers.map((a) => a.toast?.type).sort()).toEqual(['info', 'success']);
      const repeat = answers.find((a) => a.toast?.type === 'info')!;
      expect(repeat.toast?.content).toContain(ALREADY);
      expect(cardText(repeat.card!.data)).toContain(`"version":${(await caseRow(t, caseId)).version}`);
      await settle(t);
      const { rows } = await t.database.query('select step from exceptions_escalations where case_id = $1', [caseId]);
      expect(rows).toEqual([{ step: 'notify_lead' }]);
      expect(await audit(caseId, 'escalate')).toBe(1);
      const no = `EX${String(caseId).padStart(6, '0')}`;
      expect(
        t.feishu
          .to('ou_lead_lg')
          .filter((s) => cardText(s.card).includes('异常件升级') && cardText(s.card).includes(no)),
      ).toHaveLength(1);
      expect(t.feishu.to('ou_mgr').filter((s) => cardText(s.card).includes(no))).toEqual([]);
    }
  });

  it('moves a case once for a double click, and an old card changes nothing', async () => {
    const caseId = await open('ACT-1');
    const drawn = await groupCard(caseId);
    const start = button(drawn, { verb: 'start' });
    const openId = await owner(caseId);
    const answers = await Promise.all([click(t, start, { openId }), click(t, start, { openId })]);
    expect(answers.map((a) => a.toast?.type).sort()).toEqual(['info', 'success']);
    expect(await audit(caseId, 'start')).toBe(1);
    await settle(t);
    const before = await caseRow(t, caseId);
    // The card drawn before the start had 开始处理 and 升级; both are outdated now.
    const old = await click(t, button(drawn, { action: 'exceptions.escalate' }), { openId });
    expect(old.toast).toMatchObject({ type: 'info', content: expect.stringContaining(ALREADY) });
    expect(cardText(old.card!.data)).toContain('处理中');
    expect(await caseRow(t, caseId)).toEqual(before);
    // A card sent before buttons named a version is outdated too.
    const unversioned = await click(t, { action: 'exceptions.act', caseId, verb: 'wait_customer' }, { openId });
    expect(unversioned.toast?.type).toBe('info');
    expect(await caseRow(t, caseId)).toEqual(before);
    await settle(t);
    expect(await audit(caseId, 'escalate')).toBe(0);
  });

  it('records one approval for a double click on 申请退款, within and above the automatic band', async () => {
    const caseId = await open('APR-1');
    const openId = await owner(caseId);
    expect((await click(t, button(await groupCard(caseId), { verb: 'start' }), { openId })).toast?.type).toBe(
      'success',
    );
    await settle(t);
    for (const amount of ['100', '500']) {
      const refund = button(await groupCard(caseId), { action: 'exceptions.request-approval', purpose: 'refund' });
      const answers = await Promise.all([0, 1].map(() => click(t, refund, { openId, formValue: { amount } })));
      expect(answers.map((a) => a.toast?.type).sort()).toEqual(['info', 'success']);
      await settle(t);
    }
    const { rows } = await t.database.query(
      'select band, decision, amount_fen::int as fen from exceptions_approvals where case_id = $1 order by id',
      [caseId],
    );
    expect(rows).toEqual([
      { band: 'auto', decision: 'approved', fen: 100_00 },
      { band: 'lead', decision: 'pending', fen: 500_00 },
    ]);
    expect((await caseRow(t, caseId)).refundedFen).toBe(100_00);
    const no = `EX${String(caseId).padStart(6, '0')}`;
    expect(
      t.feishu.to('ou_lead_lg').filter((s) => cardText(s.card).includes('待你审批') && cardText(s.card).includes(no)),
    ).toHaveLength(1);
  });

  it('decides an approval once; a second click or an old approval card shows the decision', async () => {
    const caseId = await open('DEC-1');
    const openId = await owner(caseId);
    await click(t, button(await groupCard(caseId), { verb: 'start' }), { openId });
    await settle(t);
    await click(t, button(await groupCard(caseId), { action: 'exceptions.request-approval', purpose: 'refund' }), {
      openId,
      formValue: { amount: '500' },
    });
    await settle(t);
    const no = `EX${String(caseId).padStart(6, '0')}`;
    const mine = (s: { card: unknown }) => cardText(s.card).includes('待你审批') && cardText(s.card).includes(no);
    const request = t.feishu.to('ou_lead_lg').filter(mine).at(-1)!.card;
    // 升级 twice: one new approval for the manager, one card to the manager.
    const up = button(request, { action: 'exceptions.escalate-approval' });
    const ups = await Promise.all([click(t, up, { openId: 'ou_lead_lg' }), click(t, up, { openId: 'ou_lead_lg' })]);
    expect(ups.map((a) => a.toast?.type).sort()).toEqual(['info', 'success']);
    expect(cardText(ups.find((a) => a.toast?.type === 'info')!.card!.data)).toContain('已升级');
    await settle(t);
    const toManager = t.feishu.to('ou_mgr').filter(mine);
    expect(toManager).toHaveLength(1);
    // 同意 twice from the manager's card, then 驳回 from the same old card.
    const approve = button(toManager[0]!.card, { action: 'exceptions.approve' });
    const first = await click(t, approve, { openId: 'ou_mgr' });
    const second = await click(t, approve, { openId: 'ou_mgr' });
    const reject = await click(t, button(toManager[0]!.card, { action: 'exceptions.reject' }), {
      openId: 'ou_mgr',
      formValue: { reason: '重复' },
    });
    expect(first.toast?.type).toBe('success');
    for (const repeat of [second, reject]) {
      expect(repeat.toast?.type).toBe('info');
      expect(repeat.toast?.content).toContain('已处理');
      expect(cardText(repeat.card!.data)).toContain('已同意');
    }
    await settle(t);
    const { rows } = await t.database.query(
      'select approver_role, decision from exceptions_approvals where case_id = $1 order by id',
      [caseId],
    );
    expect(rows).toEqual([
      { approver_role: 'lead', decision: 'escalated' },
      { approver_role: 'manager', decision: 'approved' },
    ]);
    expect(await audit(caseId, 'approve')).toBe(1);
    expect(await audit(caseId, 'reject')).toBe(0);
    expect(await audit(caseId, 'escalate_approval')).toBe(1);
    expect((await caseRow(t, caseId)).refundedFen).toBe(500_00);
    expect(t.feishu.to(openId).filter((s) => cardText(s.card).includes('已同意'))).toHaveLength(1);
  });

  it('fills a number once for a double click on the reminder, and an old reminder never overwrites it', async () => {
    const res = await apiPost(t, '/api/exceptions', {
      source: 'oms',
      externalId: 'FILL-1',
      kind: 'refund_dispute',
      orderNo: 'TM-FILL-1',
      amountAtRiskFen: 12_900,
    });
    const caseId = res.json().case.id as number;
    await settle(t);
    const nudge = t.feishu
      .to('ou_wh_1')
      .filter((s) => cardText(s.card).includes(`"caseId":${caseId}`))
      .at(-1)!;
    const fill = button(nudge.card, { action: 'exceptions.fill' });
    const answers = await Promise.all(
      [0, 1].map(() =>
        click(t, fill, {
          openId: 'ou_wh_1',
          messageId: nudge.messageId,
          formValue: { return_tracking_number: 'SF1234567890123' },
        }),
      ),
    );
    expect(answers.map((a) => a.toast?.type).sort()).toEqual(['info', 'success']);
    expect(await audit(caseId, 'field_filled')).toBe(1);
    const after = await caseRow(t, caseId);
    const old = await click(t, fill, {
      openId: 'ou_wh_1',
      messageId: nudge.messageId,
      formValue: { return_tracking_number: 'YT9999999999999' },
    });
    expect(old.toast?.type).toBe('info');
    expect(await caseRow(t, caseId)).toEqual(after);
    expect(after.fields.return_tracking_number).toBe('SF1234567890123');
  });
});
