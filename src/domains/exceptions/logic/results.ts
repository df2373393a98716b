import type { BusinessCalendar } from '../../shared/business-calendar.js';
import { isTerminal, type CaseState, type StateChange } from './case.js';
import { breachInstant, type CaseClock } from './clocks.js';

/** Cycle time target the reports count against: a case closed within a day. */
export const CYCLE_TARGET_MINUTES = 1440;
const MS_PER_MINUTE = 60_000;
/** Percentiles over large periods read every case whose id falls in the first n of these buckets. */
export const SAMPLE_BUCKETS = 16;

/** The working states whose time the rollup sums, with its column. */
export const STATE_COLUMNS = {
  new: 'msNew',
  assigned: 'msAssigned',
  waiting_warehouse: 'msWaitingWarehouse',
  waiting_customer: 'msWaitingCustomer',
  waiting_platform: 'msWaitingPlatform',
  in_progress: 'msInProgress',
  pending_approval: 'msPendingApproval',
} as const satisfies Partial<Record<CaseState, string>>;
export type StateColumn = (typeof STATE_COLUMNS)[keyof typeof STATE_COLUMNS];

/** The part of a case its results read. */
export interface ResultInput {
  readonly id: number;
  readonly kind: string;
  readonly teamKey: string;
  readonly channel: string | null;
  readonly state: CaseState;
  readonly openedAt: Date;
  readonly amountAtRiskFen: number;
  readonly refundedFen: number;
  readonly recoveredFen: number;
  readonly writtenOffFen: number;
  readonly disputeOutcome: string | null;
}

/** One row of exceptions_case_results. */
export interface CaseResult {
  caseId: number;
  kind: string;
  teamKey: string;
  channel: string;
  state: CaseState;
  open: boolean;
  openedAt: Date;
  openedDay: string;
  stateSince: Date | null;
  finishedAt: Date | null;
  cycleMinutes: number | null;
  cycleMs: number | null;
  slaBreached: boolean | null;
  dueAt: Date | null;
  breachAt: Date | null;
  msByState: Record<string, number>;
  atRiskFen: number;
  refundedFen: number;
  recoveredFen: number;
  writtenOffFen: number;
  outstandingFen: number;
  dispute: string | null;
  sample: number;
}

const done = (s: string | undefined): boolean => s === 'resolved' || s === 'closed';

/**
 * When the case finished: the start of its trailing run of resolved/closed entries (a reopened case counts from its
 * last resolution).
 */
export function finishedAtOf(sorted: readonly StateChange[]): Date | null {
  let i = sorted.length - 1;
  if (!done(sorted[i]?.state)) return null;
  while (i > 0 && done(sorted[i - 1]!.state)) i--;
  return sorted[i]!.at;
}

export const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * The stored results of a case at `at` (the moment of its latest change), from its history and
 * its clock read at `at`. Time per state counts each working-state entry until the next one;
 * while the case is open its current state is left out (reports add `now − stateSince`).
 */
export function caseResult(
  c: ResultInput,
  history: readonly StateChange[],
  clock: CaseClock,
  cal: BusinessCalendar,
  at: Date,
): CaseResult {
  const sorted = [...history].sort((a, b) => a.at.getTime() - b.at.getTime());
  const open = !isTerminal(c.state);
  const counted = open ? sorted.slice(0, -1) : sorted;
  const msByState: Record<string, number> = {};
  counted.forEach((entry, i) => {
    if (isTerminal(entry.state)) return;
    const end = Math.min(sorted[i + 1]?.at.getTime() ?? at.getTime(), at.getTime());
    msByState[entry.state] = (msByState[entry.state] ?? 0) + Math.max(0, end - entry.at.getTime());
  });
  const finishedAt = open ? null : finishedAtOf(sorted);
  const cycleMs = finishedAt ? finishedAt.getTime() - c.openedAt.getTime() : null;
  const cancelled = c.state === 'cancelled';
  const money = cancelled
    ? { atRiskFen: 0, refundedFen: 0, recoveredFen: 0, writtenOffFen: 0, outstandingFen: 0 }
    : {
        atRiskFen: c.amountAtRiskFen,
        refundedFen: c.refundedFen,
        recoveredFen: c.recoveredFen,
        writtenOffFen: c.writtenOffFen,
        outstandingFen: Math.max(0, c.amountAtRiskFen - c.recoveredFen - c.writtenOffFen),
      };
  return {
    caseId: c.id,
    kind: c.kind,
    teamKey: c.teamKey,
    channel: c.channel ?? '',
    state: c.state,
    open,
    openedAt: c.openedAt,
    openedDay: utcDay(c.openedAt),
    stateSince: sorted.at(-1)?.at ?? null,
    finishedAt,
    cycleMs,
    cycleMinutes: cycleMs === null ? null : cycleMs / MS_PER_MINUTE,
    slaBreached: finishedAt ? clock.breached : null,
    dueAt: open ? clock.dueAt : null,
    breachAt: open ? breachInstant(clock, cal, at) : null,
    msByState,
    ...money,
    dispute: c.kind === 'refund_dispute' ? (c.disputeOutcome ?? (cancelled ? null : 'pending')) : null,
    sample: c.id % SAMPLE_BUCKETS,
  };
}

/** A finished case's share of its rollup row (all zero for an open case). */
export interface Contribution {
  cases: number;
  finished: number;
  slaBreached: number;
  withinTarget: number;
  cycleMs: number;
  atRiskFen: number;
  refundedFen: number;
  recoveredFen: number;
  writtenOffFen: number;
  outstandingFen: number;
  disputesWon: number;
  disputesLost: number;
  disputesPending: number;
  msNew: number;
  msAssigned: number;
  msWaitingWarehouse: number;
  msWaitingCustomer: number;
  msWaitingPlatform: number;
  msInProgress: number;
  msPendingApproval: number;
}

export const ZERO: Readonly<Contribution> = Object.freeze({
  cases: 0,
  finished: 0,
  slaBreached: 0,
  withinTarget: 0,
  cycleMs: 0,
  atRiskFen: 0,
  refundedFen: 0,
  recoveredFen: 0,
  writtenOffFen: 0,
  outstandingFen: 0,
  disputesWon: 0,
  disputesLost: 0,
  disputesPending: 0,
  msNew: 0,
  msAssigned: 0,
  msWaitingWarehouse: 0,
  msWaitingCustomer: 0,
  msWaitingPlatform: 0,
  msInProgress: 0,
  msPendingApproval: 0,
});

export function contributionOf(
  r: Pick<
    CaseResult,
    | 'open'
    | 'finishedAt'
    | 'slaBreached'
    | 'cycleMs'
    | 'atRiskFen'
    | 'refundedFen'
    | 'recoveredFen'
    | 'writtenOffFen'
    | 'outstandingFen'
    | 'dispute'
    | 'msByState'
  >,
): Contribution {
  if (r.open) return { ...ZERO };
  const c: Contribution = {
    ...ZERO,
    cases: 1,
    finished: r.finishedAt ? 1 : 0,
    slaBreached: r.finishedAt && r.slaBreached ? 1 : 0,
    withinTarget: r.cycleMs !== null && r.cycleMs <= CYCLE_TARGET_MINUTES * MS_PER_MINUTE ? 1 : 0,
    cycleMs: r.cycleMs ?? 0,
    atRiskFen: r.atRiskFen,
    refundedFen: r.refundedFen,
    recoveredFen: r.recoveredFen,
    writtenOffFen: r.writtenOffFen,
    outstandingFen: r.outstandingFen,
    disputesWon: r.dispute === 'won' ? 1 : 0,
    disputesLost: r.dispute === 'lost' ? 1 : 0,
    disputesPending: r.dispute === 'pending' ? 1 : 0,
  };
  for (const [state, column] of Object.entries(STATE_COLUMNS)) c[column] = r.msByState[state] ?? 0;
  return c;
}

export function addContributions(a: Contribution, b: Contribution, sign = 1): Contribution {
  const out = { ...a };
  for (const k of Object.keys(ZERO) as Array<keyof Contribution>) out[k] = a[k] + sign * b[k];
  return out;
}

export const isZero = (c: Contribution): boolean =>
  (Object.keys(ZERO) as Array<keyof Contribution>).every((k) => c[k] === 0);
