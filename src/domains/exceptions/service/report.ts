import { z } from 'zod';
import type { CaseState } from '../logic/case.js';
import { summarizeCases, type CaseRecord, type CaseSummary } from '../logic/metrics.js';
import { repo, type CaseRow, type ClaimRow, type HistoryRow } from '../repository.js';
import { caseNo, parseCaseNo, rulesOf, type ExceptionDeps } from './context.js';
import { clockOf } from './escalate.js';
import type { Rules } from '../rules.js';
import { normalizeTrackingNumber } from '../logic/tracking-numbers.js';

export const ReportQuery = z.object({
  /** Finished cases opened within this many days are counted (open ones always are). */
  days: z.coerce.number().int().min(1).max(366).default(30),
  kind: z.string().max(64).optional(),
});
export type ReportQuery = z.infer<typeof ReportQuery>;

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

export interface Report extends CaseSummary {
  generatedAt: Date;
  days: number;
  openCount: number;
  claims: ClaimAge[];
}

export function recordOf(c: CaseRow, history: readonly HistoryRow[], rules: Rules, now: Date): CaseRecord {
  const own = history.filter((h) => h.caseId === c.id);
  return {
    id: String(c.id),
    kind: c.kind,
    openedAt: c.openedAt,
    history: own.map((h) => ({ state: h.state as CaseState, at: h.at })),
    slaBreached: clockOf(c, own, rules, now).breached,
    money: { atRiskFen: c.amountAtRiskFen, refundedFen: c.refundedFen, recoveredFen: c.recoveredFen, writtenOffFen: c.writtenOffFen },
    disputeOutcome: c.kind === 'refund_dispute' ? ((c.disputeOutcome as 'won' | 'lost' | null) ?? (c.state === 'cancelled' ? null : 'pending')) : null,
  };
}

const DAY = 86_400_000;

function claimAge(claim: ClaimRow, now: Date): ClaimAge {
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

/** The dashboard's and the daily card's numbers: open by age and kind, SLA, cycle time, money, disputes. */
export async function report(x: ExceptionDeps, query: ReportQuery, now: Date): Promise<Report> {
  const rules = await rulesOf(x);
  const cases = (await repo.casesForReport(x.database.db, new Date(now.getTime() - query.days * DAY))).filter((c) => !query.kind || c.kind === query.kind);
  const history = await repo.history(x.database.db, cases.map((c) => c.id));
  const records = cases.map((c) => recordOf(c, history, rules, now));
  const claims = (await repo.openClaims(x.database.db)).map((c) => claimAge(c, now));
  const openCount = cases.filter((c) => !['resolved', 'closed', 'cancelled'].includes(c.state)).length;
  return { ...summarizeCases(records, now), generatedAt: now, days: query.days, openCount, claims };
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
