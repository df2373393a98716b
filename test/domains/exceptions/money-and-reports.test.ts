import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remindStaleClaims, sendDailySummary } from '../../../src/domains/exceptions/jobs.js';
import {
  apiGet,
  apiPost,
  cardText,
  click,
  exceptionsApp,
  serviceOf,
  settle,
  sh,
  type ExceptionsTestApp,
  fresh,
} from './helpers.js';

describe('money, recovery claims and reporting', () => {
  let t: ExceptionsTestApp;
  let lostCase: number;
  let claimId: number;

  const open = async (externalId: string, kind: string, amountAtRiskFen: number) => {
    const res = await apiPost(t, '/api/exceptions', {
      externalId,
      kind,
      orderNo: `O-${externalId}`,
      trackingNumber: 'SF1234567890123',
      returnTrackingNumber: 'SF1234567890124',
      amountAtRiskFen,
    });
    expect(res.statusCode).toBe(201);
    return res.json().case.id as number;
  };
  const move = async (caseId: number, verb: string, openId: string, extra: Record<string, unknown> = {}) => {
    const res = await click(t, { action: 'exceptions.act', ...(await fresh(t, caseId)), verb, ...extra }, { openId });
    expect(res.toast?.type).toBe('success');
  };

  beforeAll(async () => {
    t = await exceptionsApp({ start: '2026-11-23T09:00' });
    // Two disputes: one won within the morning, one lost the next day.
    const won = await open('M1', 'refund_dispute', 300_00);
    const lost = await open('M2', 'refund_dispute', 150_00);
    lostCase = await open('M3', 'lost', 200_00);
    await move(won, 'start', 'ou_rd_1');
    t.clock.set('2026-11-23T10:30');
    await move(won, 'resolve', 'ou_rd_1', { outcome: 'won' });
    await move(lost, 'start', 'ou_rd_1');
    t.clock.set('2026-11-24T15:00');
    await move(lost, 'resolve', 'ou_rd_1', { outcome: 'lost' });
    await settle(t);
    t.clock.set('2026-11-25T10:00');
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('records refunds and write-offs on a case, refusing negative amounts', async () => {
    expect((await apiPost(t, `/api/exceptions/${lostCase}/money`, { refundedFen: -100 })).statusCode).toBe(422);
    expect((await apiPost(t, `/api/exceptions/${lostCase}/money`, {})).statusCode).toBe(422);
    const res = await apiPost(t, `/api/exceptions/${lostCase}/money`, { refundedFen: 200_00, by: 'oms' });
    expect(res.statusCode).toBe(200);
    expect(res.json().case).toMatchObject({ refundedFen: 200_00, amountAtRiskFen: 200_00 });
  });

  it('opens a recovery claim against the carrier with an owner, and records partial recovery', async () => {
    const res = await apiPost(t, `/api/exceptions/${lostCase}/claims`, {
      counterpartyType: 'carrier',
      counterparty: '顺丰 SF',
      claimFen: 200_00,
    });
    expect(res.statusCode).toBe(201);
    claimId = res.json().claim.id;
    expect(res.json().claim).toMatchObject({ ownerOpenId: 'ou_agent_1', state: 'open' });
    expect(
      (await apiPost(t, `/api/exceptions/${lostCase}/claims`, { counterpartyType: 'moon', claimFen: 1 })).statusCode,
    ).toBe(422);
    const part = await apiPost(t, `/api/exceptions/claims/${claimId}/recoveries`, { recoveredFen: 50_00 });
    expect(part.json().claim).toMatchObject({ state: 'partially_recovered', recoveredFen: 50_00 });
    expect(
      (await apiPost(t, `/api/exceptions/claims/${claimId}/recoveries`, { recoveredFen: 500_00 })).statusCode,
    ).toBe(422);
  });

  it('reminds the claim owner when nobody has touched it for three days, once a day', async () => {
    const svc = serviceOf(t);
    // Last touched 2026-11-25 10:00.
    expect(await remindStaleClaims(svc, sh('2026-11-28T09:30'))).toBe(0);
    expect(await remindStaleClaims(svc, sh('2026-11-28T10:30'))).toBe(1);
    expect(await remindStaleClaims(svc, sh('2026-11-28T15:00'))).toBe(0);
    await settle(t); // sent from the outbox
    const reminder = t.feishu.to('ou_agent_1').find((s) => cardText(s.card).includes('追款待跟进'));
    expect(cardText(reminder!.card)).toContain('已 3 天无进展');
    expect(await remindStaleClaims(svc, sh('2026-11-29T10:31'))).toBe(1);
  });

  it('reports open cases by age and kind, SLA attainment, cycle time vs a day, money, dispute win rate', async () => {
    t.clock.set('2026-11-27T10:00');
    const res = await apiGet(t, '/api/exceptions/report?days=30');
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.openCount).toBe(1);
    expect(r.openByAgeAndKind.byKind.lost).toEqual([0, 0, 0, 1, 0]); // 97 hours old: the 3–7 day bucket
    expect(r.sla).toMatchObject({ finished: 2, met: 1, breached: 1 });
    expect(r.cycleTime).toMatchObject({ count: 2, targetMinutes: 1440, withinTarget: 1 });
    expect(r.cycleTime.medianMinutes).toBe((90 + 30 * 60) / 2);
    expect(r.timeByState.in_progress).toBeGreaterThan(0);
    expect(r.money).toMatchObject({ atRiskFen: 650_00, refundedFen: 200_00, recoveredFen: 50_00 });
    expect(r.disputes).toMatchObject({ won: 1, lost: 1, winRate: 0.5 });
    expect(r.claims).toMatchObject([{ id: claimId, ageDays: 2, recoveredFen: 50_00 }]);
    expect((await apiGet(t, '/api/exceptions/report?days=0')).statusCode).toBe(422);
  });

  it('sends the daily summary card to every team lead, once per day', async () => {
    const svc = serviceOf(t);
    expect(await sendDailySummary(svc, sh('2026-11-25T09:00'))).toBe(5);
    await sendDailySummary(svc, sh('2026-11-25T09:00'));
    const summaries = t.feishu.to('ou_lead_rd').filter((s) => cardText(s.card).includes('异常件日报'));
    expect(summaries).toHaveLength(1);
    const text = cardText(summaries[0]!.card);
    expect(text).toContain('2026-11-25');
    expect(text).toContain('维权胜率 Dispute win rate** 50%');
    expect(text).toContain('已追回 recovered ¥50.00');
  });
});
