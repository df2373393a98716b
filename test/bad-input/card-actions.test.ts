import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardVerb } from '../../src/domains/exceptions/service/act.js';
import {
  apiPost,
  caseRow,
  click,
  exceptionsApp,
  settle,
  type ExceptionsTestApp,
  fresh,
} from '../domains/exceptions/helpers.js';

// Every exceptions card action, clicked by people who may not and with values nobody rendered:
// each gets an error toast (never a 500), and the case stays exactly as it was.
describe('card actions from the wrong people or with forged values', () => {
  let t: ExceptionsTestApp;
  let caseId: number;
  let before: string;
  const snapshot = async () => JSON.stringify(await caseRow(t, caseId));

  beforeAll(async () => {
    t = await exceptionsApp();
    const res = await apiPost(t, '/api/exceptions', {
      source: 'oms',
      externalId: 'BAD-1',
      kind: 'lost',
      orderNo: 'JD-BAD-1',
      trackingNumber: 'SF1234567890123',
      amountAtRiskFen: 10_000,
    });
    caseId = res.json().case.id;
    await settle(t);
    before = await snapshot();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  const strangers = ['ou_not_in_directory', 'ou_agent_2', 'ou_rd_1'];

  it('refuses every state move by someone who is not the owner or a lead', async () => {
    for (const openId of strangers) {
      for (const verb of CardVerb.options) {
        const res = await click(t, { action: 'exceptions.act', ...(await fresh(t, caseId)), verb }, { openId });
        expect(res.toast?.type, `${openId} ${verb}`).toBe('error');
      }
      for (const action of ['exceptions.escalate', 'exceptions.fill']) {
        expect(
          (await click(t, { action, ...(await fresh(t, caseId)) }, { openId })).toast?.type,
          `${openId} ${action}`,
        ).toBe('error');
      }
      const approval = await click(
        t,
        { action: 'exceptions.request-approval', ...(await fresh(t, caseId)), purpose: 'refund' },
        { openId },
      );
      expect(approval.toast?.type).toBe('error');
    }
    expect(await snapshot()).toBe(before);
  });

  it('refuses decisions on approvals that do not exist or by people who are not the approver', async () => {
    for (const action of ['exceptions.approve', 'exceptions.reject', 'exceptions.escalate-approval']) {
      for (const approvalId of [1, 999_999, 2 ** 31]) {
        const res = await click(t, { action, approvalId }, { openId: 'ou_agent_1' });
        expect(res.toast?.type, `${action} ${approvalId}`).toBe('error');
      }
    }
    expect(await snapshot()).toBe(before);
  });

  it('answers forged, SQL-like, huge and malformed values with an error toast', async () => {
    const values: unknown[] = [
      { action: 'exceptions.act', caseId: '1; drop table exceptions_cases; --', verb: 'close' },
      { action: 'exceptions.act', caseId: '1 or 1=1', verb: 'resolve' },
      { action: 'exceptions.act', caseId: -1, verb: 'start' },
      { action: 'exceptions.act', caseId: 1e300, verb: 'start' },
      { action: 'exceptions.act', caseId, verb: "start'; update exceptions_cases set state='closed'; --" },
      { action: 'exceptions.act', caseId, verb: 'x'.repeat(200_000) },
      { action: 'exceptions.approve', approvalId: "' or ''='" },
      { action: 'exceptions.' + 'a'.repeat(10_000) },
      { action: null },
      { action: ['exceptions.act'] },
      '{"action": "exceptions.act", "caseId": ',
      'not json at all',
      [1, 2, 3],
      null,
      42,
    ];
    for (const value of values) {
      const res = await click(t, value as Record<string, unknown>, { openId: 'ou_lead_lg' });
      expect(res.toast?.type, JSON.stringify(value).slice(0, 80)).toBe('error');
      expect(res.toast?.content.length).toBeLessThan(300);
    }
    expect(await snapshot()).toBe(before);
    const { rows } = await t.database.query<{ n: number }>('select count(*)::int as n from exceptions_cases');
    expect(rows[0]!.n).toBe(1);
  });

  it('keeps a create form with huge and SQL-like fields within bounds', async () => {
    const formValue = {
      order_no: `JD'; drop table exceptions_cases; --${'9'.repeat(50_000)}`,
      kind: 'x'.repeat(100_000),
      description: '\u0000'.repeat(1000),
    };
    const res = await click(t, { action: 'exceptions.create' }, { openId: 'ou_agent_1', formValue });
    expect(res.toast?.type).toBe('error');
    const { rows } = await t.database.query<{ n: number }>('select count(*)::int as n from exceptions_cases');
    expect(rows[0]!.n).toBe(1);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
