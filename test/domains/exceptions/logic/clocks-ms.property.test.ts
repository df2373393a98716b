import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaseState, type StateChange } from '../../../../src/domains/exceptions/logic/case.js';
import { breachInstant, caseClock, DEFAULT_SLA_MATRIX } from '../../../../src/domains/exceptions/logic/clocks.js';
import { buildBusinessCalendar } from '../../../../src/domains/shared/business-calendar.js';
import { sh } from './factories.js';

const cal = buildBusinessCalendar();
const MIN = 60_000;
const openedAt = sh('2026-09-28T10:00:00.123');

// Histories stamped to the millisecond, as real events are: fractional business minutes.
const histories = fc
  .array(
    fc.record({ state: fc.constantFrom(...CaseState.options), gapMs: fc.integer({ min: 1, max: 2 * 1440 * MIN }) }),
    { minLength: 1, maxLength: 9 },
  )
  .map((steps) => {
    let t = openedAt.getTime();
    return steps.map(({ state, gapMs }, i): StateChange => {
      if (i > 0) t += gapMs;
      return { state, at: new Date(t) };
    });
  });
const platformDue = fc.option(
  fc.integer({ min: -1440 * MIN, max: 6 * 1440 * MIN }).map((d) => new Date(openedAt.getTime() + d)),
);
const priority = fc.constantFrom('P1' as const, 'P2' as const, 'P3' as const);
const kind = fc.constantFrom('lost', 'refund_dispute', 'loss_recovery');

describe('case clock over millisecond histories', () => {
  it('never throws, and used + remaining is exactly the budget', () => {
    fc.assert(
      fc.property(
        histories,
        platformDue,
        priority,
        kind,
        fc.integer({ min: 0, max: 20 * 1440 * MIN }),
        (h, due, p, k, afterMs) => {
          const now = new Date(openedAt.getTime() + afterMs);
          const clock = caseClock(
            { kind: k, priority: p, openedAt, platformDueAt: due },
            h,
            DEFAULT_SLA_MATRIX,
            cal,
            now,
          );
          expect(Math.round(clock.sla.usedMinutes * MIN) + Math.round(clock.sla.remainingMinutes * MIN)).toBe(
            clock.sla.budgetMinutes * MIN,
          );
          expect(clock.sla.breached).toBe(clock.sla.remainingMinutes < 0);
          expect(Number.isFinite(clock.dueAt.getTime())).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('stores a breach instant that agrees with the clock at every later moment', () => {
    fc.assert(
      fc.property(
        histories,
        platformDue,
        priority,
        kind,
        fc.integer({ min: 0, max: 3 * 1440 * MIN }),
        fc.array(fc.integer({ min: 0, max: 15 * 1440 * MIN }), { minLength: 1, maxLength: 6 }),
        (h, due, p, k, settleMs, laterMs) => {
          const c = { kind: k, priority: p, openedAt, platformDueAt: due };
          const at = new Date(h.at(-1)!.at.getTime() + settleMs);
          const clock = caseClock(c, h, DEFAULT_SLA_MATRIX, cal, at);
          if (clock.status === 'stopped') return;
          const breachAt = breachInstant(clock, cal, at);
          for (const later of [0, ...laterMs]) {
            const now = new Date(at.getTime() + later);
            const expected = caseClock(c, h, DEFAULT_SLA_MATRIX, cal, now).breached;
            expect(
              breachAt !== null && now > breachAt,
              `at ${now.toISOString()} (breach ${breachAt?.toISOString()})`,
            ).toBe(expected);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('answers for the histories that crashed the clock in issue 16', () => {
    // Two running segments whose fractional minutes summed just past the budget in floating point.
    const h: StateChange[] = [
      { state: 'new', at: new Date(openedAt.getTime()) },
      { state: 'in_progress', at: new Date(openedAt.getTime() + 1234567) },
      { state: 'waiting_customer', at: new Date(openedAt.getTime() + 7654321) },
    ];
    for (let i = 0; i < 2000; i++) {
      const now = new Date(openedAt.getTime() + 7654321 + i * 997);
      expect(() =>
        caseClock({ kind: 'lost', priority: 'P1', openedAt, platformDueAt: null }, h, DEFAULT_SLA_MATRIX, cal, now),
      ).not.toThrow();
    }
  });
});
