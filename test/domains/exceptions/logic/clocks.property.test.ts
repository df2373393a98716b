import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseClock, DEFAULT_SLA_MATRIX } from '../../../../src/domains/exceptions/logic/clocks.js';
import { dueEscalations, type EscalationStep } from '../../../../src/domains/exceptions/logic/escalation.js';
import { clockStatusIn } from '../../../../src/domains/exceptions/logic/state-machine.js';
import { buildBusinessCalendar, businessMinutesBetween } from '../../../../src/domains/shared/business-calendar.js';
import { randomHistories, sh } from './factories.js';

const cal = buildBusinessCalendar();
const MIN = 60_000;
const openedAt = sh('2026-09-28T10:00'); // spans National Day and its make-up Saturday

const histories = randomHistories(openedAt, 8);

describe('case clock invariants', () => {
  it('counts the business minutes spent in running states; the due time is where they reach the budget', () => {
    fc.assert(
      fc.property(
        histories,
        fc.integer({ min: 0, max: 30 * 1440 }),
        fc.constantFrom('P1' as const, 'P2' as const, 'P3' as const),
        (h, after, priority) => {
          const now = new Date(openedAt.getTime() + after * MIN);
          const clock = caseClock(
            { kind: 'lost', priority, openedAt, platformDueAt: null },
            h,
            DEFAULT_SLA_MATRIX,
            cal,
            now,
          );
          const running = h
            .map((e, i) => ({ ...e, end: h[i + 1]?.at ?? new Date(8.64e15) }))
            .filter((s) => clockStatusIn(s.state) === 'running');
          const usedUntil = (t: Date) =>
            running.reduce(
              (sum, s) => (t > s.at ? sum + businessMinutesBetween(cal, s.at, t < s.end ? t : s.end) : sum),
              0,
            );
          expect(clock.sla.usedMinutes).toBeCloseTo(usedUntil(now), 6);
          expect(clock.sla.usedMinutes + clock.sla.remainingMinutes).toBeCloseTo(clock.sla.budgetMinutes, 6);
          expect(clock.breached).toBe(clock.sla.usedMinutes > clock.sla.budgetMinutes);
          if (clock.sla.breached || clock.status === 'running') {
            expect(usedUntil(clock.dueAt)).toBeCloseTo(clock.sla.budgetMinutes, 6);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never returns an escalation step twice once it is recorded as sent', () => {
    fc.assert(
      fc.property(
        histories,
        fc.array(fc.integer({ min: 0, max: 20 * 1440 }), { minLength: 1, maxLength: 6 }),
        (h, ticks) => {
          const sent: EscalationStep[] = [];
          const state = h.at(-1)!.state;
          for (const tick of [...ticks].sort((a, b) => a - b)) {
            const now = new Date(openedAt.getTime() + tick * MIN);
            const clock = caseClock(
              { kind: 'lost', priority: 'P2', openedAt, platformDueAt: null },
              h,
              DEFAULT_SLA_MATRIX,
              cal,
              now,
            );
            for (const e of dueEscalations({ state }, clock, sent, now)) {
              expect(sent).not.toContain(e.step);
              sent.push(e.step);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
