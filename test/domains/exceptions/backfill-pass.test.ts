import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPost, exceptionsApp, serviceOf, settle, type ExceptionsTestApp } from './helpers.js';

// The sweep repeats the results backfill every 5 minutes. After a first full pass it starts near
// the highest case id seen (the newest 1,000 ids are always checked again), so a sweep no longer
// anti-joins every case with its results; cases written around the workflow still get theirs on
// the next pass.
describe('results backfill on every sweep', () => {
  let t: ExceptionsTestApp;
  let n = 0;

  beforeAll(async () => {
    t = await exceptionsApp();
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  /** A case whose results row is missing, as for one written straight into the table. */
  const withoutResults = async (): Promise<number> => {
    const res = await apiPost(t, '/api/exceptions', {
      source: 'oms',
      externalId: `B-${++n}`,
      kind: 'lost',
      orderNo: `JD-B-${n}`,
      trackingNumber: 'SF1234567890123',
      amountAtRiskFen: 100_00,
    });
    expect(res.statusCode).toBe(201);
    await settle(t);
    const id = res.json().case.id as number;
    await t.database.query('delete from exceptions_case_results where case_id = $1', [id]);
    return id;
  };
  const hasResults = async (id: number) =>
    (await t.database.query('select 1 from exceptions_case_results where case_id = $1', [id])).rows.length === 1;

  it('stores the missing results on each pass, the first one and the later ones', async () => {
    const svc = serviceOf(t);
    const first = await withoutResults();
    expect(await svc.backfillResults(t.clock.now())).toBe(1);
    expect(await hasResults(first)).toBe(true);
    // Nothing missing: nothing stored.
    expect(await svc.backfillResults(t.clock.now())).toBe(0);
    const second = await withoutResults();
    const third = await withoutResults();
    expect(await hasResults(second)).toBe(false);
    expect(await svc.backfillResults(t.clock.now())).toBe(2);
    expect(await hasResults(second)).toBe(true);
    expect(await hasResults(third)).toBe(true);
  });
});
