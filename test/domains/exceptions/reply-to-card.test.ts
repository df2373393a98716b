import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseNo } from '../../../src/domains/exceptions/service/context.js';
import { apiPost, cardText, caseRow, exceptionsApp, say, settle, type ExceptionsTestApp } from './helpers.js';

describe('a tracking number typed as a reply to a case card', () => {
  let t: ExceptionsTestApp;
  beforeAll(async () => {
    t = await exceptionsApp({ start: '2026-11-23T10:00' });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  const open = async (externalId: string) => {
    const res = await apiPost(t, '/api/exceptions', {
      source: 'oms',
      externalId,
      kind: 'refund_dispute',
      orderNo: `TM-${externalId}`,
      amountAtRiskFen: 12_900,
    });
    expect(res.statusCode).toBe(201);
    await settle(t);
    return res.json().case.id as number;
  };

  it('fills the case whose card was replied to, when the warehouse has several waiting', async () => {
    const first = await open('R1');
    const second = await open('R2');
    const card = (await caseRow(t, second)).cardMessageId;
    expect(card).toBeTruthy();
    expect((await caseRow(t, first)).state).toBe('waiting_warehouse');
    const reply = await say(t, '单号 SF1234567890123', 'ou_wh_1', undefined, card!);
    await settle(t);
    // The answer names the case whose card was replied to (a refund dispute waits on one more field).
    const [answer] = t.feishu.replies(reply);
    expect(cardText(answer!.card)).toContain(`已回填 ${caseNo(second)}`);
    expect(JSON.stringify((await caseRow(t, second)).fields)).toContain('SF1234567890123');
    const other = await caseRow(t, first);
    expect(other.state).toBe('waiting_warehouse');
    expect(JSON.stringify(other.fields)).not.toContain('SF1234567890123');
  });
});
