import type { CaseState } from '../logic/case.js';
import { act, loadCase, type ActInput } from './act.js';
import { decide, escalateApproval, requestApproval, type ApprovalRequest, type Decision } from './approvals.js';
import {
  actorFor,
  rulesOf,
  SYSTEM_ACTOR,
  type EffectsJob,
  type ExceptionDeps,
  type ExpectedVersion,
} from './context.js';
import { createCase, type NewCaseInput } from './create.js';
import { runEffects } from './effects.js';
import { queueClaimReminders } from './claim-reminders.js';
import { escalateByHand, sweepEscalations } from './escalate.js';
import { fillFields, fillFromChat } from './fill.js';
import { openClaim, recordMoney, recordRecovery, type MoneyEntry, type NewClaim, type Recovery } from './money.js';
import { sweepNudges } from './nudge.js';
import { claimsPage, lookup, report, type ClaimsQuery, type ReportQuery, type ReportScope } from './report.js';
import { backfillResults } from './results.js';
import { editFromTable, type TableEdits } from './table-edit.js';
import { viewOf } from './view.js';
import { repo, type CaseRow } from '../repository.js';

/** The exception use cases, each taking `now`; handlers, jobs and routes call only these. */
export function createExceptionService(x: ExceptionDeps) {
  return {
    deps: x,
    create: (input: NewCaseInput, now: Date) => createCase(x, input, now),
    get: (id: number) => loadCase(x, id),
    view: async (id: number, now: Date) => viewOf(x, await loadCase(x, id), now),
    /** The view of a row just read or written (no second read of the case). */
    viewCase: (c: CaseRow, now: Date) => viewOf(x, c, now),
    act: (id: number, input: ActInput, operator: string, now: Date) => act(x, id, input, operator, now),
    fill: async (
      id: number,
      values: Record<string, string | undefined>,
      operator: string,
      now: Date,
      version?: ExpectedVersion,
    ) =>
      fillFields(
        x,
        id,
        values,
        { actor: await actorFor(x, operator, await loadCase(x, id)), source: 'card', version },
        now,
      ),
    /** Tracking pushes and order systems, authenticated at the API edge. */
    fillFromApi: (id: number, values: Record<string, string | undefined>, now: Date) =>
      fillFields(x, id, values, { actor: SYSTEM_ACTOR, source: 'api' }, now),
    list: (filter: { state?: CaseState | undefined; kind?: string | undefined; limit: number }) =>
      repo.listCases(x.database.db, filter),
    fillFromChat: (text: string, sender: string, repliedTo: string | undefined, now: Date) =>
      fillFromChat(x, text, sender, repliedTo, now),
    requestApproval: (id: number, req: ApprovalRequest, operator: string, now: Date) =>
      requestApproval(x, id, req, operator, now),
    decide: (approvalId: number, decision: Decision, reason: string | undefined, operator: string, now: Date) =>
      decide(x, approvalId, decision, reason, operator, now),
    approval: (approvalId: number) => repo.getApproval(x.database.db, approvalId),
    escalateApproval: (approvalId: number, operator: string, now: Date) =>
      escalateApproval(x, approvalId, operator, now),
    /** The 升级 button; `note` is the reason typed in the case card's note field, shown to the lead. */
    escalate: (id: number, operator: string, now: Date, version?: ExpectedVersion, note?: string) =>
      escalateByHand(x, id, operator, now, version, note ?? null),
    recordMoney: (id: number, entry: MoneyEntry, by: string, now: Date) => recordMoney(x, id, entry, by, now),
    openClaim: (id: number, input: NewClaim, by: string, now: Date) => openClaim(x, id, input, by, now),
    recordRecovery: (claimId: number, input: Recovery, by: string, now: Date) =>
      recordRecovery(x, claimId, input, by, now),
    report: (query: ReportQuery, now: Date, scope?: ReportScope) => report(x, query, now, scope),
    claims: (query: ClaimsQuery, now: Date) => claimsPage(x, query, now),
    /** Stores results for cases that have none yet (cases from before the results table). */
    backfillResults: async (now: Date) => backfillResults(x, await rulesOf(x), now),
    lookup: (needle: string) => lookup(x, needle),
    detail: async (id: number, now: Date) => {
      const c = await loadCase(x, id);
      const db = x.database.db;
      const [history, approvals, claims, audit, view] = await Promise.all([
        repo.history(db, [id]),
        repo.approvalsOf(db, id),
        repo.claimsOf(db, [id]),
        repo.auditOf(db, id),
        viewOf(x, c, now),
      ]);
      return { case: c, history, approvals, claims, audit, clock: view.clock, caseNo: view.no };
    },
    sweepNudges: (now: Date) => sweepNudges(x, now),
    sweepEscalations: (now: Date) => sweepEscalations(x, now),
    /** Marks stale recovery claims reminded and queues each reminder in the same transaction. */
    queueClaimReminders: (now: Date) => queueClaimReminders(x, now),
    runEffects: (job: EffectsJob, now: Date) => runEffects(x, job, now),

    /** People's edits in the 异常件工单 grid; returns the refused fields (the kit puts them back). */
    editFromTable: (id: number, edits: TableEdits, operator: string, now: Date) =>
      editFromTable(x, id, edits, operator, now),
  };
}

export type ExceptionService = ReturnType<typeof createExceptionService>;
