import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPost, caseRow, exceptionsApp, serviceOf, settle, sh, type ExceptionsTestApp } from './helpers.js';

// Found by test/chaos/workflow-kill.test.ts (CHAOS_SEED=4220800865): a number typed into the grid
// more than once while the bot was down arrives as several edit events, which two workers run at
// once. All but one lost the case's version race and were refused "changed by someone else", so
// the person got "your edit was not applied" DMs for a number that had been applied.
describe('the same number typed into the grid several times, the edits handled at once', () => {
  let t: ExceptionsTestApp;
  beforeAll(async () => {
    t = await exceptionsApp({});
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('takes the number once and refuses none of the edits', async () => {
    t.clock.set('2026-12-01T10:05');
    const res = await apiPost(t, '/api/exceptions', {
      source: 'oms',
      externalId: 'RACE1',
      kind: 'refund_dispute',
      orderNo: 'TM-RACE1',
      amountAtRiskFen: 12_900,
    });
    expect(res.statusCode).toBe(201);
    await settle(t);
    const id = res.json().case.id as number;
    expect((await caseRow(t, id)).state).toBe('waiting_warehouse');
    const edit = () =>
      serviceOf(t).editFromTable(
        id,
        { numbers: { return_tracking_number: 'JT1234567890123' } },
        'ou_wh_1',
        sh('2026-12-01T10:05'),
      );

    const refused = await Promise.all([edit(), edit(), edit()]);

    expect(refused).toEqual([[], [], []]);
    expect(await caseRow(t, id)).toMatchObject({
      state: 'in_progress',
      fields: { return_tracking_number: 'JT1234567890123' },
    });
    const { rows } = await t.database.query<{ n: number }>(
      `select count(*)::int as n from exceptions_state_history where case_id = $1 and state = 'in_progress'`,
      [id],
    );
    expect(rows[0]!.n).toBe(1);
  });
});
