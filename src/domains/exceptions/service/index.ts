import type { BitableCaseEdit } from '../mirror.js';
import type { CaseState } from '../logic/case.js';
import type { CaseAction } from '../logic/state-machine.js';
import { act, applyAction, loadCase, type ActInput } from './act.js';
import { decide, escalateApproval, requestApproval, type ApprovalRequest, type Decision } from './approvals.js';
import { actorFor, commitChange, SYSTEM_ACTOR, type EffectsJob, type ExceptionDeps } from './context.js';
import { createCase, type NewCaseInput } from './create.js';
import { runEffects } from './effects.js';
import { escalateByHand, sweepEscalations } from './escalate.js';
import { fillFields, fillFromChat } from './fill.js';
import { openClaim, recordMoney, recordRecovery, type MoneyEntry, type NewClaim, type Recovery } from './money.js';
import { sweepNudges } from './nudge.js';
import { lookup, report, type ReportQuery } from './report.js';
import { viewOf } from './view.js';
import { repo } from '../repository.js';

// A state set in Bitable, as the action that reaches it from wherever the case is.
const ACTIONS_TO: Partial<Record<CaseState, Array<CaseAction['type']>>> = {
  in_progress: ['start', 'resume', 'field_filled'],
  waiting_warehouse: ['wait_warehouse'],
  waiting_customer: ['wait_customer'],
  waiting_platform: ['wait_platform'],
  resolved: ['resolve'],
  closed: ['close'],
};

/** The exception use cases, each taking `now`; handlers, jobs and routes call only these. */
export function createExceptionService(x: ExceptionDeps) {
  return {
    deps: x,
    create: (input: NewCaseInput, now: Date) => createCase(x, input, now),
    get: (id: number) => loadCase(x, id),
    view: async (id: number, now: Date) => viewOf(x, await loadCase(x, id), now),
    act: (id: number, input: ActInput, operator: string, now: Date) => act(x, id, input, operator, now),
    fill: async (id: number, values: Record<string, string | undefined>, operator: string, now: Date) =>
      fillFields(x, id, values, { actor: await actorFor(x, operator, await loadCase(x, id)), source: 'card' }, now),
    /** Tracking pushes and order systems, authenticated at the API edge. */
    fillFromApi: (id: number, values: Record<string, string | undefined>, now: Date) => fillFields(x, id, values, { actor: SYSTEM_ACTOR, source: 'api' }, now),
    list: (filter: { state?: string | undefined; kind?: string | undefined; limit: number }) => repo.listCases(x.database.db, filter),
    fillFromChat: (text: string, sender: string, repliedTo: string | undefined, now: Date) => fillFromChat(x, text, sender, repliedTo, now),
    requestApproval: (id: number, req: ApprovalRequest, operator: string, now: Date) => requestApproval(x, id, req, operator, now),
    decide: (approvalId: number, decision: Decision, reason: string | undefined, operator: string, now: Date) => decide(x, approvalId, decision, reason, operator, now),
    escalateApproval: (approvalId: number, operator: string, now: Date) => escalateApproval(x, approvalId, operator, now),
    escalate: (id: number, operator: string, now: Date) => escalateByHand(x, id, operator, now),
    recordMoney: (id: number, entry: MoneyEntry, by: string, now: Date) => recordMoney(x, id, entry, by, now),
    openClaim: (id: number, input: NewClaim, by: string, now: Date) => openClaim(x, id, input, by, now),
    recordRecovery: (claimId: number, input: Recovery, by: string, now: Date) => recordRecovery(x, claimId, input, by, now),
    report: (query: ReportQuery, now: Date) => report(x, query, now),
    lookup: (needle: string) => lookup(x, needle),
    detail: async (id: number, now: Date) => {
      const c = await loadCase(x, id);
      const db = x.database.db;
      const [history, approvals, claims, audit, view] = await Promise.all([repo.history(db, [id]), repo.approvalsOf(db, id), repo.claimsOf(db, [id]), repo.auditOf(db, id), viewOf(x, c, now)]);
      return { case: c, history, approvals, claims, audit, clock: view.clock, caseNo: view.no };
    },
    sweepNudges: (now: Date) => sweepNudges(x, now),
    sweepEscalations: (now: Date) => sweepEscalations(x, now),
    runEffects: (job: EffectsJob, now: Date) => runEffects(x, job, now),

    /** The Bitable seam: a field staff changed in 异常件工单, decoded by the Bitable module. */
    async applyBitableEdit(edit: BitableCaseEdit, now: Date) {
      const c = await loadCase(x, edit.caseId);
      const actor = await actorFor(x, edit.operatorOpenId, c);
      if (edit.field === 'tracking_number' || edit.field === 'return_tracking_number') {
        return (await fillFields(x, c.id, { [edit.field]: edit.value }, { actor, source: 'bitable' }, now)).case;
      }
      if (edit.field === 'resolution') return recordNote(c.id, edit.value, actor.userId, now);
      const target = edit.value as CaseState;
      if (target === c.state) return c;
      const candidates = ACTIONS_TO[target] ?? [];
      let lastError: unknown = new Error(`cannot move a case to ${edit.value} from Bitable`);
      for (const type of candidates) {
        try {
          return (await applyAction(x, c, { type } as CaseAction, actor, now)).case;
        } catch (err) {
          lastError = err;
        }
      }
      throw lastError;
    },
  };

  async function recordNote(id: number, resolution: string, by: string, now: Date) {
    return commitChange(x, { current: await loadCase(x, id), patch: { resolution }, action: 'resolution', actor: by, now });
  }
}

export type ExceptionService = ReturnType<typeof createExceptionService>;
