// The report as it was computed before stored results (issue 16): every case's history replayed
// at `now`. Kept here, outside src/, as the reference the stored-results report is compared with
// (report-equivalence.test.ts) and as the plain definition of each number.
import { isTerminal, type CaseState, type StateChange } from '../../../src/domains/exceptions/logic/case.js';

const MS_PER_MINUTE = 60_000;
const MINUTES_PER_DAY = 1440;

/** A case as reporting sees it; `slaBreached` comes from caseClock (at finish, or now). */
export interface CaseRecord {
  readonly id: string;
  readonly kind: string;
  readonly openedAt: Date;
  readonly history: readonly StateChange[];
  readonly slaBreached: boolean;
  readonly money?: {
    readonly atRiskFen: number;
    readonly refundedFen: number;
    readonly recoveredFen: number;
    readonly writtenOffFen: number;
  };
  readonly disputeOutcome?: 'won' | 'lost' | 'pending' | null;
}

const sortedHistory = (r: CaseRecord): StateChange[] => [...r.history].sort((a, b) => a.at.getTime() - b.at.getTime());

export function currentState(r: CaseRecord): CaseState {
  return sortedHistory(r).at(-1)?.state ?? 'new';
}

/**
 * When the case finished: the start of its trailing run of resolved/closed entries, so a
 * reopened case counts from its last resolution. Null while open, and for cancelled cases.
 */
export function finishedAt(r: CaseRecord): Date | null {
  const h = sortedHistory(r);
  const done = (s: CaseState | undefined): boolean => s === 'resolved' || s === 'closed';
  let i = h.length - 1;
  if (!done(h[i]?.state)) return null;
  while (i > 0 && done(h[i - 1]!.state)) i--;
  return h[i]!.at;
}

/** Linear interpolation between closest ranks (Excel PERCENTILE.INC); null for no data. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

import { ageBuckets, type AgeBucket } from '../../../src/domains/exceptions/logic/age-buckets.js';

export { ageBuckets };
/** Open cases counted by kind and age bucket (calendar hours since opening). */
export interface OpenCasesByAge {
  readonly buckets: readonly AgeBucket[];
  /** Kind → count per bucket, in bucket order. */
  readonly byKind: Record<string, number[]>;
  readonly total: number[];
}

export function openCasesByAgeAndKind(
  records: readonly CaseRecord[],
  now: Date,
  buckets: readonly AgeBucket[] = ageBuckets(),
): OpenCasesByAge {
  const byKind: Record<string, number[]> = {};
  const total = buckets.map(() => 0);
  for (const r of records) {
    if (isTerminal(currentState(r))) continue;
    const ageHours = (now.getTime() - r.openedAt.getTime()) / 3_600_000;
    const i = buckets.findIndex((b) => ageHours >= b.fromHours && (b.toHours === null || ageHours < b.toHours));
    if (i < 0) continue;
    const row = (byKind[r.kind] ??= buckets.map(() => 0));
    row[i]!++;
    total[i]!++;
  }
  return { buckets, byKind, total };
}

/** SLA attainment over finished cases; breaches among open cases are counted apart. */
export interface SlaAttainment {
  readonly finished: number;
  readonly met: number;
  readonly breached: number;
  readonly openBreached: number;
  /** met ÷ finished; null when nothing finished. */
  readonly attainment: number | null;
}

export function slaAttainment(records: readonly CaseRecord[]): SlaAttainment {
  const finished = records.filter((r) => finishedAt(r) !== null);
  const breached = finished.filter((r) => r.slaBreached).length;
  const openBreached = records.filter((r) => !isTerminal(currentState(r)) && r.slaBreached).length;
  return {
    finished: finished.length,
    met: finished.length - breached,
    breached,
    openBreached,
    attainment: finished.length === 0 ? null : (finished.length - breached) / finished.length,
  };
}

/** Cycle time (opening to resolution, calendar minutes) against the target (default 1 day). */
export interface CycleTimeStats {
  readonly count: number;
  readonly targetMinutes: number;
  readonly medianMinutes: number | null;
  readonly p90Minutes: number | null;
  readonly withinTarget: number;
  readonly withinTargetShare: number | null;
}

export function cycleTimes(records: readonly CaseRecord[], targetMinutes: number = MINUTES_PER_DAY): CycleTimeStats {
  const minutes = records.flatMap((r) => {
    const end = finishedAt(r);
    return end ? [(end.getTime() - r.openedAt.getTime()) / MS_PER_MINUTE] : [];
  });
  const within = minutes.filter((m) => m <= targetMinutes).length;
  return {
    count: minutes.length,
    targetMinutes,
    medianMinutes: percentile(minutes, 0.5),
    p90Minutes: percentile(minutes, 0.9),
    withinTarget: within,
    withinTargetShare: minutes.length === 0 ? null : within / minutes.length,
  };
}

/** Where time went: calendar minutes spent in each working state, up to now. */
export function timeByState(records: readonly CaseRecord[], now: Date): Partial<Record<CaseState, number>> {
  const totals: Partial<Record<CaseState, number>> = {};
  for (const r of records) {
    const h = sortedHistory(r);
    h.forEach((entry, i) => {
      if (isTerminal(entry.state)) return;
      const end = Math.min(h[i + 1]?.at.getTime() ?? now.getTime(), now.getTime());
      const minutes = Math.max(0, end - entry.at.getTime()) / MS_PER_MINUTE;
      totals[entry.state] = (totals[entry.state] ?? 0) + minutes;
    });
  }
  return totals;
}

/** Money recovered against money at risk; cancelled cases carry no risk. */
export interface MoneySummary {
  readonly atRiskFen: number;
  readonly refundedFen: number;
  readonly recoveredFen: number;
  readonly writtenOffFen: number;
  /** At risk and neither recovered nor written off yet. */
  readonly outstandingFen: number;
  readonly recoveryRate: number | null;
}

export function moneySummary(records: readonly CaseRecord[]): MoneySummary {
  const sum = { atRiskFen: 0, refundedFen: 0, recoveredFen: 0, writtenOffFen: 0, outstandingFen: 0 };
  for (const r of records) {
    if (!r.money || currentState(r) === 'cancelled') continue;
    const m = r.money;
    sum.atRiskFen += m.atRiskFen;
    sum.refundedFen += m.refundedFen;
    sum.recoveredFen += m.recoveredFen;
    sum.writtenOffFen += m.writtenOffFen;
    sum.outstandingFen += Math.max(0, m.atRiskFen - m.recoveredFen - m.writtenOffFen);
  }
  return { ...sum, recoveryRate: sum.atRiskFen === 0 ? null : sum.recoveredFen / sum.atRiskFen };
}

/** Disputes won over disputes decided; pending ones are not counted either way. */
export interface DisputeStats {
  readonly won: number;
  readonly lost: number;
  readonly pending: number;
  readonly winRate: number | null;
}

export function disputeWinRate(records: readonly CaseRecord[]): DisputeStats {
  const won = records.filter((r) => r.disputeOutcome === 'won').length;
  const lost = records.filter((r) => r.disputeOutcome === 'lost').length;
  const pending = records.filter((r) => r.disputeOutcome === 'pending').length;
  return { won, lost, pending, winRate: won + lost === 0 ? null : won / (won + lost) };
}

/** Everything the daily summary card and the dashboard show, in one pass of pure math. */
export interface CaseSummary {
  readonly openByAgeAndKind: OpenCasesByAge;
  readonly sla: SlaAttainment;
  readonly cycleTime: CycleTimeStats;
  readonly timeByState: Partial<Record<CaseState, number>>;
  readonly money: MoneySummary;
  readonly disputes: DisputeStats;
}

export function summarizeCases(
  records: readonly CaseRecord[],
  now: Date,
  targetMinutes: number = MINUTES_PER_DAY,
): CaseSummary {
  return {
    openByAgeAndKind: openCasesByAgeAndKind(records, now),
    sla: slaAttainment(records),
    cycleTime: cycleTimes(records, targetMinutes),
    timeByState: timeByState(records, now),
    money: moneySummary(records),
    disputes: disputeWinRate(records),
  };
}
