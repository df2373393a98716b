import { z } from 'zod';
import type { Db } from '../../../db/client.js';
import { createGate } from '../../../db/gate.js';
import type { CaseState } from '../logic/case.js';
import { ageBuckets, type AgeBucket } from '../logic/age-buckets.js';
import { CYCLE_TARGET_MINUTES, STATE_COLUMNS, type Contribution } from '../logic/results.js';
import { reportRepo, type ReportFilter } from '../report-repository.js';
import { repo, type CaseRow, type ClaimRow } from '../repository.js';
import { caseNo, parseCaseNo, type ExceptionDeps } from './context.js';
import { normalizeTrackingNumber } from '../logic/tracking-numbers.js';

const Name = z.string().max(64);

export const ReportQuery = z.object({
  /** Finished cases opened within this many days are counted (open ones always are). */
  days: z.coerce.number().int().min(1).max(366).default(30),
  kind: Name.optional(),
  team: Name.optional(),
  channel: Name.optional(),
});
export type ReportQuery = z.infer<typeof ReportQuery>;

export const ClaimsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(100),
  /** The last claim id of the previous page. */
  after: z.coerce.number().int().min(0).default(0),
});
export type ClaimsQuery = z.infer<typeof ClaimsQuery>;

export interface ClaimAge {
  id: number;
  caseNo: string;
  counterpartyType: string;
  ownerOpenId: string | null;
  claimFen: number;
  recoveredFen: number;
  ageDays: number;
  idleDays: number;
}

export interface Report {
  generatedAt: Date;
  days: number;
  openCount: number;
  openByAgeAndKind: { buckets: readonly AgeBucket[]; byKind: Record<string, number[]>; total: number[] };
  sla: { finished: number; met: number; breached: number; openBreached: number; attainment: number | null };
  cycleTime: {
    count: number;
    targetMinutes: number;
    medianMinutes: number | null;
    p90Minutes: number | null;
    withinTarget: number;
    withinTargetShare: number | null;
    sampled: boolean;
  };
  timeByState: Partial<Record<CaseState, number>>;
  money: {
    atRiskFen: number;
    refundedFen: number;
    recoveredFen: number;
    writtenOffFen: number;
    outstandingFen: number;
    recoveryRate: number | null;
  };
  disputes: { won: number; lost: number; pending: number; winRate: number | null };
  /** The first page of open recovery claims (GET /api/exceptions/claims pages on). */
  claims: ClaimAge[];
  claimCounts: { open: number; stale: number };
}

const DAY = 86_400_000;
const MS_PER_MINUTE = 60_000;
export const STALE_CLAIM_DAYS = 3;

export function claimAge(claim: ClaimRow, now: Date): ClaimAge {
  return {
    id: claim.id,
    caseNo: caseNo(claim.caseId),
    counterpartyType: claim.counterpartyType,
    ownerOpenId: claim.ownerOpenId,
    claimFen: claim.claimFen,
    recoveredFen: claim.recoveredFen,
    ageDays: Math.floor((now.getTime() - claim.openedAt.getTime()) / DAY),
    idleDays: Math.floor((now.getTime() - claim.lastActivityAt.getTime()) / DAY),
  };
}

/**
 * One report computes at a time in this process, on the database's heavy-read connection: its statements run
 * one after another there, so a report never takes a connection a card callback needs, nor more than one server
 * core (docs/card-callbacks.md, bench/RESULTS.md).
 */
const oneReportAtATime = createGate(1);

/**
 * The dashboard's and the daily card's numbers, read from stored results: finished cases from
 * the daily rollup (plus the period's first partial day), open cases from their results rows,
 * each a small aggregate query. Nothing here replays a history (docs/reports.md).
 */
export function report(x: ExceptionDeps, query: ReportQuery, now: Date, scope: ReportScope = {}): Promise<Report> {
  return oneReportAtATime(() => x.database.heavyRead((db) => computeReport(db, query, now, scope)));
}

/**
 * What the dashboard narrows beyond the API's query: a period that ends before now (finished cases
 * opened in [since, until); open cases are always as of now) and several teams at once.
 */
export interface ReportScope {
  since?: Date;
  until?: Date;
  teams?: readonly string[];
}

async function computeReport(db: Db, query: ReportQuery, now: Date, scope: ReportScope): Promise<Report> {
  const since = scope.since ?? new Date(now.getTime() - query.days * DAY);
  const until = scope.until && scope.until.getTime() < now.getTime() ? scope.until : undefined;
  const f: ReportFilter = { kind: query.kind, team: query.team, teams: scope.teams, channel: query.channel };
  const buckets = ageBuckets();
  const bounds = buckets.slice(1).map((b) => b.fromHours);
  // One after another on the heavy-read connection (Database.heavyRead): one server core, one snapshot.
  const done = await reportRepo.finishedTotals(db, since, f, until);
  const openAges = await reportRepo.openByKindAndAge(db, now, bounds, f);
  const open = await reportRepo.openTotals(db, now, f);
  const openMs = await reportRepo.openMsByState(db, now, f);
  const claimPage = await reportRepo.openClaimsPage(db, 100);
  const claimCounts = await reportRepo.openClaimCounts(db, new Date(now.getTime() - STALE_CLAIM_DAYS * DAY));
  const cycle = await reportRepo.cyclePercentiles(db, since, f, done.finished, undefined, until);

  const byKind: Record<string, number[]> = {};
  const total = buckets.map(() => 0);
  for (const row of openAges) {
    // width_bucket: 0 is opened in the future (not counted), i is buckets[i - 1].
    if (row.bucket < 1 || row.bucket > buckets.length) continue;
    (byKind[row.kind] ??= buckets.map(() => 0))[row.bucket - 1]! += row.cases;
    total[row.bucket - 1]! += row.cases;
  }
  const money = sumMoney(done, open.money);
  const won = done.disputesWon + open.disputes.won;
  const lost = done.disputesLost + open.disputes.lost;
  return {
    generatedAt: now,
    days: query.days,
    openCount: open.open,
    openByAgeAndKind: { buckets, byKind, total },
    sla: {
      finished: done.finished,
      met: done.finished - done.slaBreached,
      breached: done.slaBreached,
      openBreached: open.breached,
      attainment: done.finished === 0 ? null : (done.finished - done.slaBreached) / done.finished,
    },
    cycleTime: {
      count: done.finished,
      targetMinutes: CYCLE_TARGET_MINUTES,
      medianMinutes: cycle.median,
      p90Minutes: cycle.p90,
      withinTarget: done.withinTarget,
      withinTargetShare: done.finished === 0 ? null : done.withinTarget / done.finished,
      sampled: cycle.sampled,
    },
    timeByState: timeByState(done, openMs),
    money,
    disputes: {
      won,
      lost,
      pending: done.disputesPending + open.disputes.pending,
      winRate: won + lost === 0 ? null : won / (won + lost),
    },
    claims: claimPage.map((c) => claimAge(c, now)),
    claimCounts,
  };
}

function sumMoney(
  done: Contribution,
  open: { atRiskFen: number; refundedFen: number; recoveredFen: number; writtenOffFen: number; outstandingFen: number },
): Report['money'] {
  const atRiskFen = done.atRiskFen + open.atRiskFen;
  const recoveredFen = done.recoveredFen + open.recoveredFen;
  return {
    atRiskFen,
    refundedFen: done.refundedFen + open.refundedFen,
    recoveredFen,
    writtenOffFen: done.writtenOffFen + open.writtenOffFen,
    outstandingFen: done.outstandingFen + open.outstandingFen,
    recoveryRate: atRiskFen === 0 ? null : recoveredFen / atRiskFen,
  };
}

/** Minutes per working state; a state nobody spent time in is left out, as before. */
function timeByState(done: Contribution, openMs: Record<string, number>): Partial<Record<CaseState, number>> {
  const ms: Record<string, number> = { ...openMs };
  const seen = new Set(Object.keys(openMs));
  for (const [state, column] of Object.entries(STATE_COLUMNS)) {
    if (done[column] !== 0) seen.add(state);
    ms[state] = (ms[state] ?? 0) + done[column];
  }
  return Object.fromEntries([...seen].map((s) => [s, ms[s]! / MS_PER_MINUTE])) as Partial<Record<CaseState, number>>;
}

/** GET /api/exceptions/claims: open recovery claims, oldest first, `limit` at a time. */
export async function claimsPage(
  x: ExceptionDeps,
  query: ClaimsQuery,
  now: Date,
): Promise<{ claims: ClaimAge[]; next: number | null }> {
  const rows = await reportRepo.openClaimsPage(x.database.db, query.limit + 1, query.after);
  const page = rows.slice(0, query.limit);
  return { claims: page.map((c) => claimAge(c, now)), next: rows.length > query.limit ? page.at(-1)!.id : null };
}

/** `异常件 <order no | tracking no | EX no>`: newest matches first. */
export async function lookup(x: ExceptionDeps, needle: string): Promise<CaseRow[]> {
  const id = parseCaseNo(needle);
  if (id !== null) {
    const c = await repo.getCase(x.database.db, id);
    return c ? [c] : [];
  }
  const trimmed = needle.trim();
  const byOrder = await repo.lookup(x.database.db, trimmed);
  if (byOrder.length > 0) return byOrder;
  return repo.lookup(x.database.db, normalizeTrackingNumber(trimmed));
}
