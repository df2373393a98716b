import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo } from '../../../src/domains/contracts/repository.js';
import type { EffectsJob } from '../../../src/domains/contracts/service/context.js';
import {
  activeContract,
  apiPost,
  cardText,
  contractsApp,
  one,
  settle,
  sweepExpiryOn,
  type ContractsTestApp,
} from './helpers.js';

const HOSTILE = '运营 *预算* <at id=all></at>';

// 预算.负责人 learns once when contracts and payments take the line to 90 % used (the larger of 已占用 and the
// payments reserved), again only after it fell below and crossed once more.
describe('the budget owner is told when a line reaches 90 % used', () => {
  let t: ContractsTestApp;
  let budgetId = 0;
  const toOwner = () => t.feishu.to('ou_bud').map((s) => cardText(s.card));
  const flag = () =>
    one<{ alerted: boolean; alerts: number }>(
      t,
      'select usage_alerted as alerted, usage_alerts as alerts from contracts_budgets where id = $1',
      [budgetId],
    );

  beforeAll(async () => {
    t = await contractsApp();
    const b = await repo.upsertBudget(t.deps.database.db, {
      code: 'ALERT-1',
      name: HOSTILE,
      department: 'operations',
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      amountFen: 100_000_00,
      ownerOpenId: 'ou_bud',
    });
    budgetId = b.id;
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('tells the owner once at the crossing, with the numbers and the name escaped; not again above it', async () => {
    await activeContract(t, { budgetCode: 'ALERT-1', amountFen: 50_000_00, endDate: '2026-09-30' });
    expect(toOwner()).toEqual([]);
    const b = await activeContract(t, {
      budgetCode: 'ALERT-1',
      amountFen: 40_000_00,
      counterparty: '京东物流有限公司',
    });
    await settle(t);
    expect(toOwner()).toHaveLength(1);
    const text = toOwner()[0]!;
    expect(text).toContain('预算已用 90% · Budget 90% used: ALERT-1');
    expect(text).toContain('预算 budget ¥100,000.00 · 剩余 left ¥10,000.00');
    expect(text).toContain('已占用 committed ¥90,000.00');
    const raw = JSON.stringify(t.feishu.to('ou_bud')[0]!.card);
    expect(raw).not.toContain('<at id=all>');
    expect(raw).not.toContain('*预算*');
    expect(await flag()).toEqual({ alerted: true, alerts: 1 });

    // Still above: a payment moves the line's totals, nobody is told again.
    const pay = await apiPost(t, `/api/contracts/${b}/payments`, {
      amountFen: 10_000_00,
      by: 'ou_req',
      plannedDate: '2026-05-01',
    });
    expect(pay.statusCode).toBe(201);
    await settle(t);
    expect(toOwner()).toHaveLength(1);

    // A retried follow-up (the same crossing) sends nothing new.
    await t.deps.jobs.send<EffectsJob>('contracts.effects', {
      contractId: b,
      contractNo: 'retry',
      version: 1,
      effects: [{ type: 'budget_alert', budgetId, crossing: 1 }],
    });
    await settle(t);
    expect(toOwner()).toHaveLength(1);
  });

  it('after the line falls below 90 %, the next crossing tells the owner again', async () => {
    // The ¥50,000 contract ends without payments: the line is back to ¥40,000 of ¥100,000.
    await sweepExpiryOn(t, '2026-10-01');
    expect(await flag()).toEqual({ alerted: false, alerts: 1 });
    expect(toOwner()).toHaveLength(1);
    await activeContract(t, {
      budgetCode: 'ALERT-1',
      amountFen: 60_000_00,
      startDate: '2026-10-10',
      counterparty: '中通快递股份有限公司',
    });
    await settle(t);
    expect(toOwner()).toHaveLength(2);
    expect(toOwner()[1]).toContain('预算已用 100% · Budget 100% used: ALERT-1');
    expect(await flag()).toEqual({ alerted: true, alerts: 2 });
  });
});
