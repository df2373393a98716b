import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type StateChange } from '../../../../src/domains/exceptions/logic/case.js';
import { caseClock, DEFAULT_SLA_MATRIX } from '../../../../src/domains/exceptions/logic/clocks.js';
import { DEFAULT_ESCALATION_POLICY, dueEscalations } from '../../../../src/domains/exceptions/logic/escalation.js';
import { nextLadderChange } from '../../../../src/domains/exceptions/logic/ladder-wake.js';
import { buildBusinessCalendar } from '../../../../src/domains/shared/business-calendar.js';
import { randomHistories, sh } from './factories.js';

const cal = buildBusinessCalendar();
const MIN = 60_000;
const openedAt = sh('2026-09-28T10:00'); // spans National Day and its make-up Saturday

const histories = randomHistories(openedAt, 6);

const ladderAt = (h: StateChange[], platformDueAt: Date | null, priority: 'P1' | 'P2' | 'P3', at: Date) =>
  dueEscalations(
    { state: h.at(-1)!.state },
    caseClock({ kind: 'refund_dispute', priority, openedAt, platformDueAt }, h, DEFAULT_SLA_MATRIX, cal, at),
    [],
    at,
  ).map((e) => e.step);

describe('when the sweep may skip a case', () => {
  it('no rung is due before the instant nextLadderChange names (skipping the case until then misses nothing)', () => {
    fc.assert(
      fc.property(
        histories,
        fc.option(fc.integer({ min: 60, max: 10 * 1440 }), { nil: null }),
        fc.constantFrom('P1' as const, 'P2' as const, 'P3' as const),
        fc.integer({ min: 0, max: 20 * 1440 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }),
        (h, platformAfter, priority, nowAfter, probes) => {
          const platformDueAt = platformAfter === null ? null : new Date(openedAt.getTime() + platformAfter * MIN);
          const now = new Date(Math.max(h.at(-1)!.at.getTime(), openedAt.getTime() + nowAfter * MIN));
          const clock = caseClock(
            { kind: 'refund_dispute', priority, openedAt, platformDueAt },
            h,
            DEFAULT_SLA_MATRIX,
            cal,
            now,
          );
          const wake = nextLadderChange(clock, openedAt, DEFAULT_ESCALATION_POLICY, cal, now);
          expect(wake).toBeGreaterThanOrEqual(now.getTime());
          const before = ladderAt(h, platformDueAt, priority, now);
          // Anywhere before the named instant (less the sweep's one-second margin) the ladder answers as it did at now.
          const horizon = Number.isFinite(wake) ? wake - 1_000 : now.getTime() + 60 * 1440 * MIN;
          for (const p of probes) {
            const at = new Date(now.getTime() + Math.floor(p * Math.max(0, horizon - now.getTime())));
            expect(ladderAt(h, platformDueAt, priority, at)).toEqual(before);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('names the warning instant of a running P1 dispute: not yet due a second before, due a second after', () => {
    const h: StateChange[] = [{ state: 'in_progress', at: openedAt }];
    const now = openedAt;
    const clock = caseClock(
      { kind: 'refund_dispute', priority: 'P1', openedAt, platformDueAt: null },
      h,
      DEFAULT_SLA_MATRIX,
      cal,
      now,
    );
    const wake = nextLadderChange(clock, openedAt, DEFAULT_ESCALATION_POLICY, cal, now);
    expect(Number.isFinite(wake)).toBe(true);
    expect(ladderAt(h, null, 'P1', new Date(wake - 1_000))).toEqual([]);
    expect(ladderAt(h, null, 'P1', new Date(wake + 1_000))).toEqual(['warn_owner']);
  });

  it('never reads a finished case again; a paused one with SLA shown ahead of a platform deadline every sweep', () => {
    const closed: StateChange[] = [
      { state: 'in_progress', at: openedAt },
      { state: 'closed', at: new Date(openedAt.getTime() + 60 * MIN) },
    ];
    const later = new Date(openedAt.getTime() + 120 * MIN);
    const c = {
      kind: 'refund_dispute',
      priority: 'P2' as const,
      openedAt,
      platformDueAt: new Date(openedAt.getTime() + 2880 * MIN),
    };
    const stopped = caseClock(c, closed, DEFAULT_SLA_MATRIX, cal, later);
    expect(nextLadderChange(stopped, openedAt, DEFAULT_ESCALATION_POLICY, cal, later)).toBe(Infinity);
    const waiting: StateChange[] = [
      { state: 'in_progress', at: openedAt },
      { state: 'waiting_customer', at: new Date(openedAt.getTime() + 60 * MIN) },
    ];
    const paused = caseClock(c, waiting, DEFAULT_SLA_MATRIX, cal, later);
    expect(paused.status).toBe('paused');
    expect(nextLadderChange(paused, openedAt, DEFAULT_ESCALATION_POLICY, cal, later)).toBe(later.getTime());
  });

  it("wakes a paused case showing its platform deadline at that clock's next rung, not at every sweep", () => {
    const c = {
      kind: 'refund_dispute',
      priority: 'P2' as const,
      openedAt,
      platformDueAt: new Date(openedAt.getTime() + 120 * MIN),
    };
    const waiting: StateChange[] = [
      { state: 'in_progress', at: openedAt },
      { state: 'waiting_customer', at: new Date(openedAt.getTime() + 60 * MIN) },
    ];
    const at = new Date(openedAt.getTime() + 90 * MIN);
    const clock = caseClock(c, waiting, DEFAULT_SLA_MATRIX, cal, at);
    expect([clock.status, clock.which]).toEqual(['paused', 'platform']);
    // 80 % of the platform's 120 minutes: 96 minutes after opening.
    expect(nextLadderChange(clock, openedAt, DEFAULT_ESCALATION_POLICY, cal, at)).toBe(openedAt.getTime() + 96 * MIN);
  });
});
