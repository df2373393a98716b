import { addBusinessMinutes, type BusinessCalendar } from '../../shared/business-calendar.js';
import type { CaseClock } from './clocks.js';
import type { EscalationPolicy } from './escalation.js';

const MS_PER_MINUTE = 60_000;

/**
 * The earliest instant after `now` at which `dueEscalations` could answer differently for this
 * clock, as long as the case's history and the rules stay as they are; `now` itself when that
 * cannot be told cheaply, Infinity when nothing can change. The sweep reads no clock before it.
 *
 * Each rung is due once a reading crosses a threshold: the warning at `warnAtFraction` of the
 * budget, the lead at the due time, the manager `managerAfterMinutes` after it. A running SLA
 * moves in business time (the instant is found by adding the business minutes still to go), the
 * platform deadline in calendar time. Both clocks' instants are taken, whichever is shown: a
 * superset is safe. A paused case whose SLA is shown ahead of a platform deadline is read every
 * sweep (see below).
 */
export function nextLadderChange(
  clock: CaseClock,
  openedAt: Date,
  policy: EscalationPolicy,
  cal: BusinessCalendar,
  now: Date,
): number {
  if (clock.status === 'stopped') return Infinity;
  // Paused, the SLA readings are frozen, but its "due if it ran again from now" moves later with every read: the shown
  // clock can switch from the SLA to the platform deadline at any moment. Once the platform's is shown (or the SLA's
  // due time is fixed, its budget spent), nothing switches back.
  if (clock.status === 'paused' && clock.platform && clock.which === 'sla' && clock.sla.remainingMinutes > 0)
    return now.getTime();
  const candidates: number[] = [];
  if (clock.status === 'running') {
    const { budgetMinutes: budget, usedMinutes: used } = clock.sla;
    for (const target of [policy.warnAtFraction * budget, budget, budget + policy.managerAfterMinutes]) {
      if (target > used) candidates.push(addBusinessMinutes(cal, now, target - used).getTime());
    }
  }
  if (clock.platform) {
    const due = clock.platform.dueAt.getTime();
    const opened = openedAt.getTime();
    candidates.push(
      opened + policy.warnAtFraction * (due - opened),
      due,
      due + policy.managerAfterMinutes * MS_PER_MINUTE,
    );
  }
  const later = candidates.filter((t) => t > now.getTime());
  return later.length > 0 ? Math.min(...later) : Infinity;
}
