import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExceptions, type Generated } from '../../bench/exceptions/generate.js';
import { TERMINAL_STATES } from '../../src/domains/exceptions/logic/case.js';
import {
  buttons,
  caseRow,
  click,
  exceptionsApp,
  serviceOf,
  type ExceptionsTestApp,
} from '../domains/exceptions/helpers.js';

// The reports bench's data generator (bench/exceptions/generate.ts) writes straight into the
// tables; the numbers it feeds are only worth something if what it writes is what the workflow
// would have written. No timing here: `npm run bench -- --scenario exceptions` measures.
describe('the exceptions bench generator', () => {
  let t: ExceptionsTestApp;
  let g: Generated;
  const CASES = 600;
  beforeAll(async () => {
    t = await exceptionsApp({ start: '2026-11-27T16:20' });
    g = await generateExceptions(t.database, { cases: CASES, now: t.clock.now(), batch: 250, openShare: 0.1 });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('writes cases whose state, version and clocks agree with their histories, about 6.5 changes each', async () => {
    const { rows } = await t.database.query<{
      id: string;
      state: string;
      version: number;
      last: string;
      n: number;
      latest: Date;
      opened_at: Date;
      first_at: Date;
    }>(`
      select c.id, c.state, c.version, c.opened_at, count(h.id)::int as n, max(h.at) as latest, min(h.at) as first_at,
        (array_agg(h.state order by h.at, h.id))[count(h.id)] as last
      from exceptions_cases c join exceptions_state_history h on h.case_id = c.id group by c.id`);
    expect(rows).toHaveLength(CASES);
    expect(g).toMatchObject({ cases: CASES, lastId: g.firstId + CASES - 1 });
    const now = t.clock.now().getTime();
    for (const r of rows) {
      expect(r.last, `case ${r.id}`).toBe(r.state);
      expect(r.version).toBe(r.n);
      expect(new Date(r.first_at).getTime()).toBe(new Date(r.opened_at).getTime());
      expect(new Date(r.latest).getTime()).toBeLessThan(now);
    }
    const perCase = g.history / g.cases;
    expect(perCase).toBeGreaterThan(6);
    expect(perCase).toBeLessThan(7);
    const open = rows.filter((r) => !TERMINAL_STATES.includes(r.state as never)).length;
    expect(open).toBe(g.open);
    expect(open).toBeGreaterThan(CASES * 0.05);
    expect(open).toBeLessThan(CASES * 0.15);
  });

  it('is read by the app: the backfill stores every case and the report counts them', async () => {
    const svc = serviceOf(t);
    expect(await svc.backfillResults(t.clock.now())).toBe(CASES);
    const report = await svc.report({ days: 366 }, t.clock.now());
    expect(report.openCount).toBe(g.open);
    expect(report.sla.finished).toBe(CASES - g.open);
    expect(report.claimCounts.open).toBe(g.openClaims);
  });

  it('writes open cases a case card click moves on the real path, card rebuilt', async () => {
    const { rows } = await t.database.query<{ id: string }>(
      `select id from exceptions_cases where state = 'in_progress' order by id limit 1`,
    );
    const id = Number(rows[0]!.id);
    const before = await caseRow(t, id);
    const answer = await click(
      t,
      { action: 'exceptions.act', caseId: id, version: before.version, verb: 'wait_customer' },
      { openId: 'ou_lead_lg', messageId: `om_bench_case_${id}` },
    );
    expect(answer.toast?.type).toBe('success');
    expect(buttons(answer.card).some((b) => JSON.stringify(b).includes('"resume"'))).toBe(true);
    const after = await caseRow(t, id);
    expect(after).toMatchObject({ state: 'waiting_customer', version: before.version + 1 });
  });
});
