import { describe, expect, it } from 'vitest';
import { paymentNo, paymentRow } from '../../../src/domains/contracts/grid/payments.js';
import type { PaymentRow } from '../../../src/domains/contracts/repository.js';

// What a payment's 付款 row says (the cells the bot owns, links aside), for each state finance sees.
describe('a payment as its 付款 row', () => {
  const payment = (over: Partial<PaymentRow> = {}): PaymentRow => ({
    id: 42,
    contractId: 7,
    budgetId: 3,
    amountFen: 60_000_50,
    state: 'pending_approval',
    flags: ['over_budget', 'risk'],
    reserved: false,
    plannedDate: '2026-05-01',
    paidDate: null,
    requestedBy: 'ou_req',
    decidedBy: null,
    externalId: null,
    riskLevel: 'high',
    bitableRecordId: null,
    createdAt: new Date('2026-04-20T02:00:00Z'),
    ...over,
  });
  const midnight = (iso: string) => new Date(`${iso}T00:00:00+08:00`);

  it('waiting for finance: 待审批 with why, the risk at the request, no approver yet', () => {
    expect(paymentNo(payment())).toBe('FK000042');
    expect(paymentRow(payment(), 'Asia/Shanghai')).toEqual({
      amount: 60000.5,
      planned_date: midnight('2026-05-01'),
      paid_date: null,
      state: '待审批',
      risk_level: '高',
      approval_reason: ['超出预算', '相对方风险'],
      requester: ['ou_req'],
      approver: [],
    });
  });

  it('approved by finance and paid: 已付款 with the paid date and the approver', () => {
    const row = paymentRow(
      payment({ state: 'paid', decidedBy: 'ou_fin', paidDate: '2026-05-03', riskLevel: 'unknown' }),
      'Asia/Shanghai',
    );
    expect(row).toMatchObject({ state: '已付款', paid_date: midnight('2026-05-03'), approver: ['ou_fin'] });
    expect(row.risk_level).toBe('未知');
  });

  it('a request from another system names nobody as 申请人; rejected shows 已驳回', () => {
    expect(paymentRow(payment({ requestedBy: 'api', state: 'rejected', flags: [] }), 'Asia/Shanghai')).toMatchObject({
      requester: [],
      state: '已驳回',
      approval_reason: [],
    });
  });
});
