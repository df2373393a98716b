import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../../src/core/settings.js';
import { sweep } from '../../../src/domains/exceptions/jobs.js';
import { apiPost, click, exceptionsApp, fresh, serviceOf, settle, sh, type ExceptionsTestApp } from './helpers.js';

// Reports count an open case as breached once its stored breach time has passed. When a lead
// edits the SLA, open cases must follow the new rule (within one sweep), not keep the old one
// until they next change.
describe('an SLA rule change and the stored clocks of open cases', () => {
  let t: ExceptionsTestApp;
  const stored = async (id: number) => {
    const { rows } = await t.database.query<{ due_at: Date | null; breach_at: Date | null }>(
      'select due_at, breach_at from exceptions_case_results where case_id = $1',
      [id],
    );
    return rows[0]!;
  };
  const open = async (externalId: string) => {
    const res = await apiPost(t, '/api/exceptions', {
      externalId,
      kind: 'refund_dispute',
      orderNo: `TM-${externalId}`,
      returnTrackingNumber: 'SF1234567890123',
    });
    expect(res.statusCode).toBe(201);
    await settle(t);
    return res.json().case.id as number;
  };
  let running: number;
  let paused: number;

  beforeAll(async () => {
    t = await exceptionsApp({ start: '2026-11-23T10:00' });
    running = await open('S1');
    paused = await open('S2');
    await click(
      t,
      { action: 'exceptions.act', ...(await fresh(t, paused)), verb: 'wait_customer' },
      { openId: 'ou_rd_1' },
    );
    await settle(t);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('moves due and breach times of open cases on the next sweep; the report counts the new breach', async () => {
    // P1 dispute: 120 working minutes from 10:00.
    expect((await stored(running)).due_at).toEqual(sh('2026-11-23T12:00'));
    const pausedBefore = await stored(paused);

    const store = new SettingsStore({ database: t.database, log: t.log });
    await store.save(
      'exceptions.sla',
      { default: { P1: 240, P2: 480, P3: 960 }, byKind: { refund_dispute: { P1: 45, P2: 240, P3: 480 } } },
      'ou_lead_rd',
    );
    const svc = serviceOf(t);
    expect((await svc.report({ days: 30 }, sh('2026-11-23T11:00'))).sla.openBreached).toBe(0);

    t.clock.set('2026-11-23T10:05');
    await sweep(svc, sh('2026-11-23T10:05'));
    expect(await stored(running)).toMatchObject({ due_at: sh('2026-11-23T10:45') });
    expect((await stored(running)).breach_at!.getTime()).toBeGreaterThanOrEqual(sh('2026-11-23T10:45').getTime());
    expect((await svc.report({ days: 30 }, sh('2026-11-23T11:00'))).sla.openBreached).toBe(1);
    // The paused case's SLA is frozen: its breach time (none) stands; it is not rewritten.
    expect(await stored(paused)).toEqual(pausedBefore);
  });

  it('leaves stored clocks alone when the rules did not change', async () => {
    const before = await t.database.query(
      'select case_id, due_at, breach_at, computed_at from exceptions_case_results order by case_id',
    );
    t.clock.set('2026-11-23T10:20');
    await sweep(serviceOf(t), sh('2026-11-23T10:20'));
    const after = await t.database.query(
      'select case_id, due_at, breach_at, computed_at from exceptions_case_results order by case_id',
    );
    expect(after.rows).toEqual(before.rows);
  });
});
