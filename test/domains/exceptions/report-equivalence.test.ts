import fc from 'fast-check';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseState, TERMINAL_STATES } from '../../../src/domains/exceptions/logic/case.js';
import { exceptionsCases, exceptionsStateHistory } from '../../../src/domains/exceptions/schema.js';
import { rulesOf } from '../../../src/domains/exceptions/service/context.js';
import { clockOf } from '../../../src/domains/exceptions/service/case-clock.js';
import type { Report } from '../../../src/domains/exceptions/service/report.js';
import type { CaseRow, HistoryRow } from '../../../src/domains/exceptions/repository.js';
import { summarizeCases, type CaseRecord, type CaseSummary } from './reference-report.js';
import { exceptionsApp, serviceOf, sh, type ExceptionsTestApp } from './helpers.js';

// The stored-results report must answer what replaying every history answered (the report
// before issue 16), on a random history written around the workflow (then backfilled) and
// after live changes through the workflow.
const MIN = 60_000;
const now0 = sh('2026-11-27T16:20:00.500');
const KINDS = [
  ['refund_dispute', 'refund_dispute'],
  ['lost', 'warehouse'],
  ['damaged', 'warehouse'],
] as const;

const caseSpec = fc.record({
  kind: fc.integer({ min: 0, max: KINDS.length - 1 }),
  priority: fc.constantFrom('P1', 'P2', 'P3'),
  channel: fc.constantFrom(null, 'tmall', 'jd', 'douyin'),
  openedMinutesAgo: fc.integer({ min: 0, max: 50 * 1440 }),
  steps: fc.array(
    fc.record({ state: fc.constantFrom(...CaseState.options), gapMs: fc.integer({ min: 0, max: 3 * 1440 * MIN }) }),
    { maxLength: 8 },
  ),
  platformDueMinutes: fc.option(fc.integer({ min: 60, max: 4 * 1440 })),
  money: fc.tuple(fc.nat(100_000), fc.nat(100_000), fc.nat(100_000), fc.nat(50_000)),
  outcome: fc.constantFrom(null, 'won', 'lost'),
});

function recordOf(
  c: CaseRow,
  own: readonly HistoryRow[],
  rules: Awaited<ReturnType<typeof rulesOf>>,
  now: Date,
): CaseRecord {
  return {
    id: String(c.id),
    kind: c.kind,
    openedAt: c.openedAt,
    history: own.map((h) => ({ state: h.state, at: h.at })),
    slaBreached: clockOf(c, own, rules, now).breached,
    money: {
      atRiskFen: c.amountAtRiskFen,
      refundedFen: c.refundedFen,
      recoveredFen: c.recoveredFen,
      writtenOffFen: c.writtenOffFen,
    },
    disputeOutcome:
      c.kind === 'refund_dispute'
        ? ((c.disputeOutcome as 'won' | 'lost' | null) ?? (c.state === 'cancelled' ? null : 'pending'))
        : null,
  };
}

describe('the report from stored results', () => {
  let t: ExceptionsTestApp;
  beforeAll(async () => {
    t = await exceptionsApp({ start: '2026-11-27T16:20' });
    t.clock.current = now0;
    const specs = fc.sample(caseSpec, { numRuns: 160, seed: 16 });
    let n = 0;
    for (const s of specs) {
      const [kind, team] = KINDS[s.kind]!;
      const openedAt = new Date(now0.getTime() - s.openedMinutesAgo * MIN - 123);
      let at = openedAt.getTime();
      const history: Array<{ state: CaseState; at: Date }> = [
        { state: 'new', at: new Date(at) },
        ...s.steps.map((step) => ({
          state: step.state,
          at: new Date((at = Math.min(at + step.gapMs, now0.getTime()))),
        })),
      ];
      const state = history.at(-1)!.state;
      const [c] = await t.deps.database.db
        .insert(exceptionsCases)
        .values({
          kind,
          priority: s.priority,
          state,
          title: `random ${++n}`,
          source: 'test',
          externalId: `R${n}`,
          channel: s.channel,
          teamKey: team,
          openedAt,
          platformDueAt:
            s.platformDueMinutes === null ? null : new Date(openedAt.getTime() + s.platformDueMinutes * MIN),
          amountAtRiskFen: s.money[0],
          refundedFen: s.money[1],
          recoveredFen: s.money[2],
          writtenOffFen: s.money[3],
          disputeOutcome: kind === 'refund_dispute' && TERMINAL_STATES.includes(state) ? s.outcome : null,
        })
        .returning();
      await t.deps.database.db
        .insert(exceptionsStateHistory)
        .values(history.map((h) => ({ caseId: c!.id, state: h.state, action: 'test', at: h.at })));
    }
    expect(await serviceOf(t).backfillResults(now0)).toBe(specs.length);
  }, 120_000);
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  async function reference(
    query: { days: number; kind?: string },
    now: Date,
    window?: { since: Date; until: Date },
  ): Promise<CaseSummary & { openCount: number }> {
    const rules = await rulesOf(serviceOf(t).deps);
    const since = window?.since.getTime() ?? now.getTime() - query.days * 86_400_000;
    const until = window?.until.getTime() ?? Infinity;
    const inPeriod = (at: Date) => at.getTime() >= since && at.getTime() < until;
    const cases = (await t.deps.database.db.select().from(exceptionsCases)).filter(
      (c) => (!TERMINAL_STATES.includes(c.state) || inPeriod(c.openedAt)) && (!query.kind || c.kind === query.kind),
    );
    const history = await t.deps.database.db.select().from(exceptionsStateHistory);
    history.sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
    const records = cases.map((c) =>
      recordOf(
        c,
        history.filter((h) => h.caseId === c.id),
        rules,
        now,
      ),
    );
    return {
      ...summarizeCases(records, now),
      openCount: cases.filter((c) => !TERMINAL_STATES.includes(c.state)).length,
    };
  }

  function expectSame(got: Report, want: CaseSummary & { openCount: number }) {
    expect(got.openCount).toBe(want.openCount);
    expect(got.openByAgeAndKind.total).toEqual(want.openByAgeAndKind.total);
    expect(got.openByAgeAndKind.byKind).toEqual(want.openByAgeAndKind.byKind);
    expect(got.sla).toEqual(want.sla);
    const { sampled, ...cycle } = got.cycleTime;
    expect(sampled).toBe(false);
    expect(cycle.count).toBe(want.cycleTime.count);
    expect(cycle.withinTarget).toBe(want.cycleTime.withinTarget);
    expect(cycle.withinTargetShare).toBe(want.cycleTime.withinTargetShare);
    for (const k of ['medianMinutes', 'p90Minutes'] as const) {
      if (want.cycleTime[k] === null) expect(cycle[k]).toBeNull();
      else expect(cycle[k]).toBeCloseTo(want.cycleTime[k]!, 6);
    }
    const states = new Set([...Object.keys(got.timeByState), ...Object.keys(want.timeByState)]);
    for (const s of states) {
      expect(got.timeByState[s as CaseState] ?? 0, s).toBeCloseTo(want.timeByState[s as CaseState] ?? 0, 4);
    }
    expect(got.money).toEqual(want.money);
    expect(got.disputes).toEqual(want.disputes);
  }

  it('answers the same numbers as replaying every history, for any period and kind, now and later', async () => {
    const svc = serviceOf(t);
    for (const later of [0, 37 * MIN + 411, 3 * 1440 * MIN + 5]) {
      const now = new Date(now0.getTime() + later);
      for (const query of [
        { days: 1 },
        { days: 7 },
        { days: 30 },
        { days: 30, kind: 'lost' },
        { days: 366 },
        { days: 10, kind: 'refund_dispute' },
      ]) {
        const want = await reference(query, now);
        expect(want.sla.finished + want.openCount, 'the random history has cases in the period').toBeGreaterThan(0);
        expectSame(await svc.report(query, now), want);
      }
    }
  });

  it('answers a period that ends before now: finished cases opened in it, open ones as of now', async () => {
    const svc = serviceOf(t);
    const ago = (days: number) => new Date(now0.getTime() - days * 1440 * MIN);
    // Whole weeks, periods inside one day, across a midnight, ending on a day boundary, a year back.
    for (const [from, to] of [
      [30, 7],
      [10.3, 3.3],
      [2.5, 2.2],
      [4.9, 4.1],
      [366, 180],
    ] as const) {
      const window = { since: ago(from), until: ago(to) };
      const want = await reference({ days: 1 }, now0, window);
      expectSame(await svc.report({ days: 1 }, now0, window), want);
      if (from === 30) {
        // Not vacuous: the window holds finished cases, and fewer than the same start up to now.
        const toNow = await reference({ days: 30 }, now0);
        expect(want.sla.finished).toBeGreaterThan(0);
        expect(want.sla.finished).toBeLessThan(toNow.sla.finished);
      }
    }
    // An end after now is no end.
    const open = { since: ago(7), until: new Date(now0.getTime() + 1440 * MIN) };
    expectSame(await svc.report({ days: 1 }, now0, open), await reference({ days: 7 }, now0));
  });

  it('stays the same after changes through the workflow (money on open and finished cases)', async () => {
    const svc = serviceOf(t);
    const cases = await t.deps.database.db.select().from(exceptionsCases);
    for (const c of cases.filter((_, i) => i % 7 === 0)) {
      await svc.recordMoney(
        c.id,
        { refundedFen: 1_000 + c.id, writtenOffFen: c.id % 3 === 0 ? 500 : 0, amountAtRiskFen: c.amountAtRiskFen + 7 },
        'test',
        now0,
      );
    }
    for (const query of [{ days: 7 }, { days: 60 }])
      expectSame(await svc.report(query, now0), await reference(query, now0));
  });
});
