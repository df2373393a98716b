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
  fresh,
} from './helpers.js';

interface ApprovalRow {
  id: number;
  band: string;
  approver_role: string;
  decision: string;
  decided_by: string | null;
  reason: string | null;
  amount_fen: number;
}

describe('refund and compensation approvals by amount band', () => {
  let t: ExceptionsTestApp;
  let caseId: number;

  const approvals = async () =>
    (
      await t.database.query<ApprovalRow>(
        'select id, band, approver_role, decision, decided_by, reason, amount_fen::int as ' +
          'amount_fen from exceptions_approvals where case_id = $1 order by id',
        [caseId],
      )
    ).rows;
  const request = async (amount: string, purpose = 'refund', openId = 'ou_agent_1') =>
    click(
      t,
      { action: 'exceptions.request-approval', ...(await fresh(t, caseId)), purpose },
      { openId, formValue: { amount } },
    );
  const approvalCardsTo = (openId: string) => t.feishu.to(openId).filter((s) => cardText(s.card).includes('待你审批'));

  beforeAll(async () => {
    t = await exceptionsApp();
    const res = await apiPost(t, '/api/exceptions', {
      externalId: 'R1',
      kind: 'lost',
      orderNo: 'JD-R1',
      trackingNumber: 'SF1234567890123',
      amountAtRiskFen: 2_000_00,
    });
    caseId = res.json().case.id;
    await settle(t);
    await click(t, { action: 'exceptions.act', ...(await fresh(t, caseId)), verb: 'start' }, { openId: 'ou_agent_1' });
    await settle(t);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('lets an amount within the automatic band through at once, recorded and audited', async () => {
    const res = await request('¥100');
    expect(res.toast?.content).toContain('自动通过');
    const c = await caseRow(t, caseId);
    expect(c).toMatchObject({ state: 'in_progress', refundedFen: 100_00 });
    expect(await approvals()).toMatchObject([
      { band: 'auto', decision: 'approved', decided_by: 'system', amount_fen: 100_00 },
    ]);
    await settle(t);
    expect(approvalCardsTo('ou_lead_lg')).toEqual([]);
  });

  it('refuses negative or unreadable amounts', async () => {
    for (const amount of ['-5', 'abc', '1.234', '']) {
      const res = await request(amount);
      expect(res.toast?.type).toBe('error');
    }
    expect(await approvals()).toHaveLength(1);
  });

  it('sends ¥500 to the team lead with 同意 / 驳回 / 升级 and holds the case', async () => {
    const res = await request('500');
    expect(res.toast?.content).toContain('已提交审批');
    await settle(t);
    expect((await caseRow(t, caseId)).state).toBe('pending_approval');
    const [card] = approvalCardsTo('ou_lead_lg');
    const pending = (await approvals()).at(-1)!;
    expect(pending).toMatchObject({ band: 'lead', approver_role: 'lead', decision: 'pending' });
    expect(buttons(card!.card).map((b) => b.action)).toEqual([
      'exceptions.approve',
      'exceptions.reject',
      'exceptions.escalate-approval',
    ]);
    expect(cardText(card!.card)).toContain('¥500.00');
  });

  it('lets only the designated approver decide', async () => {
    const { id } = (await approvals()).at(-1)!;
    for (const openId of ['ou_agent_1', 'ou_agent_2', 'ou_mgr']) {
      const res = await click(t, { action: 'exceptions.approve', approvalId: id }, { openId });
      expect(res.toast?.type).toBe('error');
      expect(res.toast?.content).toMatch(/指定审批人|没有权限/);
    }
    const noReason = await click(
      t,
      { action: 'exceptions.reject', approvalId: id },
      { openId: 'ou_lead_lg', formValue: { reason: ' ' } },
    );
    expect(noReason.toast?.content).toContain('原因');
    expect((await approvals()).at(-1)!.decision).toBe('pending');
  });

  it('makes one decision when two leads click at once, applies the money once and audits it', async () => {
    const { id } = (await approvals()).at(-1)!;
    const [a, b] = await Promise.all([
      click(t, { action: 'exceptions.approve', approvalId: id }, { openId: 'ou_lead_lg' }),
      click(
        t,
        { action: 'exceptions.reject', approvalId: id },
        { openId: 'ou_lead_2', formValue: { reason: '证据不足 Not enough evidence' } },
      ),
    ]);
    expect([a.toast?.type, b.toast?.type].sort()).toEqual(['info', 'success']);
    const decided = (await approvals()).at(-1)!;
    const approved = decided.decision === 'approved';
    expect(decided.decided_by).toBe(approved ? 'ou_lead_lg' : 'ou_lead_2');
    const c = await caseRow(t, caseId);
    expect(c.state).toBe('in_progress');
    expect(c.refundedFen).toBe(100_00 + (approved ? 500_00 : 0));
    const { rows } = await t.database.query<{ n: number }>(
      `select count(*)::int as n from exceptions_audit where case_id = $1 and action in ('approve', 'reject')`,
      [caseId],
    );
    expect(rows[0]).toEqual({ n: 1 });
    const again = await click(t, { action: 'exceptions.approve', approvalId: id }, { openId: 'ou_lead_lg' });
    expect(again.toast?.content).toContain('已处理');
    await settle(t);
    expect(t.feishu.to('ou_agent_1').some((s) => cardText(s.card).includes(approved ? '已同意' : '已驳回'))).toBe(true);
  });

  it('moves an approval up to the manager on 升级, who then decides', async () => {
    await request('1,500');
    await settle(t);
    const first = (await approvals()).at(-1)!;
    const res = await click(
      t,
      { action: 'exceptions.escalate-approval', approvalId: first.id },
      { openId: 'ou_lead_lg' },
    );
    expect(res.toast?.type).toBe('success');
    await settle(t);
    const [escalated, next] = (await approvals()).slice(-2);
    expect(escalated).toMatchObject({ id: first.id, decision: 'escalated' });
    expect(next).toMatchObject({ approver_role: 'manager', decision: 'pending', amount_fen: 1_500_00 });
    expect(approvalCardsTo('ou_mgr')).toHaveLength(1);
    const lead = await click(t, { action: 'exceptions.approve', approvalId: next!.id }, { openId: 'ou_lead_lg' });
    expect(lead.toast?.type).toBe('error');
    const mgr = await click(t, { action: 'exceptions.approve', approvalId: next!.id }, { openId: 'ou_mgr' });
    expect(mgr.toast?.type).toBe('success');
    expect(cardText(mgr.card!.data)).toContain('已同意');
  });

  it('sends large compensation to the finance director', async () => {
    await request('50000', 'compensation');
    await settle(t);
    expect((await approvals()).at(-1)).toMatchObject({
      band: 'finance_director',
      approver_role: 'finance_director',
      decision: 'pending',
    });
    expect(approvalCardsTo('ou_fd')).toHaveLength(1);
    expect(cardText(approvalCardsTo('ou_fd')[0]!.card)).toContain('赔付 Compensation');
  });

  it('refuses a second request while one is pending', async () => {
    const res = await request('300');
    expect(res.toast?.type).toBe('error');
  });
});
