import { z } from 'zod';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  nextWorkingInstant,
  type BusinessCalendar,
} from '../../shared/business-calendar.js';
import type { CaseState, Priority, StateChange } from './case.js';
import { clockStatusIn, DEFAULT_CLOCK_POLICY, type ClockPolicy, type ClockStatus } from './state-machine.js';

const MS_PER_MINUTE = 60_000;

const Budget = z.number().int().positive();
const PriorityBudgets = z.object({ P1: Budget, P2: Budget, P3: Budget });

/**
 * Internal SLA in business minutes per kind × priority. A kind may set some priorities;
 * the rest fall back to `default`. A business day here is 480 minutes (09:00–18:30 less lunch).
 */
export const SlaMatrix = z.object({
  default: PriorityBudgets.default({ P1: 240, P2: 480, P3: 960 }),
  byKind: z.record(z.string(), PriorityBudgets.partial()).default({
    refund_dispute: { P1: 120, P2: 240, P3: 480 },
    loss_recovery: { P3: 2400 },
  }),
});
export type SlaMatrix = z.infer<typeof SlaMatrix>;
export const DEFAULT_SLA_MATRIX: SlaMatrix = SlaMatrix.parse({});

export function slaBudgetMinutes(sla: SlaMatrix, kind: string, priority: Priority): number {
  return sla.byKind[kind]?.[priority] ?? sla.default[priority];
}

/** The part of a case its clocks read. */
export interface ClockedCase {
  readonly kind: string;
  readonly priority: Priority;
  readonly openedAt: Date;
  /** The marketplace's own deadline (e.g. 48 h to handle a refund); absolute, never paused. */
  readonly platformDueAt: Date | null;
}

export interface ClockReading {
  readonly dueAt: Date;
  /** Business minutes for the SLA, calendar minutes for the platform; negative once overdue. */
  readonly remainingMinutes: number;
  readonly fractionUsed: number;
  readonly breached: boolean;
}

export interface CaseClock extends ClockReading {
  /** Which clock is shown: the one due sooner (the platform's on a tie). */
  readonly which: 'platform' | 'sla';
  /** Status of the SLA clock in the current state. */
  readonly status: ClockStatus;
  readonly sla: ClockReading & { readonly budgetMinutes: number; readonly usedMinutes: number };
  readonly platform: ClockReading | null;
}

interface Segment {
  readonly state: CaseState;
  readonly from: number;
  readonly to: number;
}

/** The history as back-to-back segments; the current state runs on without end. */
function segmentsOf(c: ClockedCase, history: readonly StateChange[]): Segment[] {
  const sorted = [...history].sort((a, b) => a.at.getTime() - b.at.getTime());
  // Time between opening and the first recorded change was spent as a new case.
  if (sorted.length === 0 || sorted[0]!.at > c.openedAt) sorted.unshift({ state: 'new', at: c.openedAt });
  return sorted.map((h, i) => ({
    state: h.state,
    from: Math.max(h.at.getTime(), c.openedAt.getTime()),
    to: i + 1 < sorted.length ? sorted[i + 1]!.at.getTime() : Infinity,
  }));
}

// Business time is summed in whole milliseconds (exact integers): adding fractional minutes
// segment by segment drifted by ~1e-13, so budget − used could come out as −1.1e-13 for a
// budget that was not used up, and addBusinessMinutes refused the negative span (issue 16).
const businessMsBetween = (cal: BusinessCalendar, from: number, to: number): number =>
  Math.round(businessMinutesBetween(cal, new Date(from), new Date(to)) * MS_PER_MINUTE);

function slaReading(
  c: ClockedCase,
  segments: readonly Segment[],
  budget: number,
  cal: BusinessCalendar,
  now: number,
  policy: ClockPolicy,
): CaseClock['sla'] {
  const budgetMs = budget * MS_PER_MINUTE;
  let usedMs = 0;
  let dueAt: number | null = null;
  let remainingMs = budgetMs;
  for (const seg of segments) {
    if (clockStatusIn(seg.state, policy) !== 'running' || seg.to <= seg.from) continue;
    if (dueAt === null) {
      const span = seg.to === Infinity ? Infinity : businessMsBetween(cal, seg.from, seg.to);
      if (span >= remainingMs)
        dueAt = addBusinessMinutes(cal, new Date(seg.from), remainingMs / MS_PER_MINUTE).getTime();
      else remainingMs -= span;
    }
    const end = Math.min(seg.to, now);
    if (end > seg.from) usedMs += businessMsBetween(cal, seg.from, end);
  }
  // Paused or stopped before the budget ran out: the due time if the clock ran again from now.
  if (dueAt === null) {
    const resumeFrom = Math.max(now, segments.at(-1)?.from ?? c.openedAt.getTime());
    dueAt = addBusinessMinutes(cal, new Date(resumeFrom), Math.max(0, budgetMs - usedMs) / MS_PER_MINUTE).getTime();
  }
  const used = usedMs / MS_PER_MINUTE;
  return {
    dueAt: new Date(dueAt),
    budgetMinutes: budget,
    usedMinutes: used,
    remainingMinutes: (budgetMs - usedMs) / MS_PER_MINUTE,
    fractionUsed: used / budget,
    breached: usedMs > budgetMs,
  };
}

function platformReading(c: ClockedCase, due: Date, end: number): ClockReading {
  const total = due.getTime() - c.openedAt.getTime();
  const elapsed = end - c.openedAt.getTime();
  return {
    dueAt: due,
    remainingMinutes: (due.getTime() - end) / MS_PER_MINUTE,
    fractionUsed: total > 0 ? elapsed / total : end >= due.getTime() ? 1 : 0,
    breached: end > due.getTime(),
  };
}

/**
 * Both clocks of a case at `now`. The SLA counts business minutes from opening, except in
 * pausing states (waiting on customer or platform) and after the case is finished.
 * The platform deadline is absolute. The shown clock is whichever is due sooner.
 */
export function caseClock(
  c: ClockedCase,
  history: readonly StateChange[],
  sla: SlaMatrix,
  cal: BusinessCalendar,
  now: Date,
  policy: ClockPolicy = DEFAULT_CLOCK_POLICY,
): CaseClock {
  const t = now.getTime();
  const segments = segmentsOf(c, history);
  const last = segments.at(-1)!;
  const status = clockStatusIn(last.state, policy);
  const budget = slaBudgetMinutes(sla, c.kind, c.priority);
  const slaClock = slaReading(c, segments, budget, cal, t, policy);
  // A finished case is judged at the moment it finished.
  const end = status === 'stopped' ? Math.min(t, last.from) : t;
  const platform = c.platformDueAt ? platformReading(c, c.platformDueAt, end) : null;
  const shown = platform && platform.dueAt.getTime() <= slaClock.dueAt.getTime() ? platform : slaClock;
  return {
    dueAt: shown.dueAt,
    remainingMinutes: shown.remainingMinutes,
    fractionUsed: shown.fractionUsed,
    breached: shown.breached,
    which: shown === platform ? 'platform' : 'sla',
    status,
    sla: slaClock,
    platform,
  };
}

/**
 * The instant after which `caseClock(…).breached` is true for every later `now`, as long as the
 * history does not change; null when it cannot breach in the current state (paused without a
 * platform deadline, or finished). `clock` is the reading at `at`. Open cases store it so reports
 * count breaches with `breach_at < now` instead of replaying every history.
 */
export function breachInstant(clock: CaseClock, cal: BusinessCalendar, at: Date): Date | null {
  if (clock.status === 'stopped') return null;
  if (clock.breached) return new Date(Math.min(clock.dueAt.getTime(), at.getTime() - 1));
  const platformDue = clock.platform?.dueAt ?? null;
  if (clock.status === 'running') {
    if (clock.which === 'platform' && platformDue) return platformDue;
    // The SLA runs on from `at` with `remaining` left; it is exceeded once any working time
    // passes after that point (a budget used up at 12:00 breaches only after lunch). Half a
    // millisecond keeps the float division from landing one millisecond short.
    const remainingMs = Math.round(clock.sla.remainingMinutes * MS_PER_MINUTE);
    return nextWorkingInstant(cal, addBusinessMinutes(cal, at, (remainingMs + 0.5) / MS_PER_MINUTE));
  }
  // Paused: the SLA is frozen; only the platform's absolute deadline can still pass.
  if (!platformDue) return null;
  if (clock.sla.remainingMinutes <= 0 && platformDue > clock.sla.dueAt) return null;
  return platformDue;
}
