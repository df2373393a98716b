import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../core/errors.js';
import { APPROVER_LABELS, mayDecide, nextApproverRole, requiredApprover } from '../logic/approvals.js';
import type { ApproverRole } from '../logic/case.js';
import { transition } from '../logic/state-machine.js';
import { repo, type ApprovalRow, type CaseRow } from '../repository.js';
import {
  actorFor,
  commitChange,
  isStale,
  lostRace,
  rulesOf,
  type ExceptionDeps,
  type ExpectedVersion,
} from './context.js';
import { line } from './fields.js';
import { loadCase, refusalError, snapshot } from './act.js';

export const ApprovalPurpose = z.enum(['refund', 'compensation']);
export type ApprovalPurpose = z.infer<typeof ApprovalPurpose>;

export interface ApprovalRequest {
  purpose: ApprovalPurpose;
  amountFen: number;
  note?: string | undefined;
  /** The case version the button was drawn for (see ExpectedVersion). */
  version?: ExpectedVersion;
}

export interface ApprovalOutcome {
  case: CaseRow;
  approval: ApprovalRow;
}

/** A request made from an outdated card (a repeat): nothing was requested. */
export interface NotRequested {
  case: CaseRow;
  approval: null;
}

/**
 * A refund or compensation: the amount band names the approver. Below the first band it goes
 * through at once (recorded and audited all the same); above, the case waits for the approver.
 */
export async function requestApproval(
  x: ExceptionDeps,
  caseId: number,
  req: ApprovalRequest,
  operator: string,
  now: Date,
): Promise<ApprovalOutcome | NotRequested> {
  const c = await loadCase(x, caseId);
  if (isStale(c, req.version)) return { case: c, approval: null };
  const rules = await rulesOf(x);
  const band = requiredApprover(rules.approvals[req.purpose], req.amountFen);
  if (!band.ok) throw new ValidationError(line(band.error.message), { field: 'amount' });
  const actor = await actorFor(x, operator, c);
  const role: ApproverRole = band.value === 'auto' ? 'lead' : band.value;
  const check = transition(snapshot(c), { type: 'request_approval', approverRole: role }, actor, now);
  if (!check.ok) throw refusalError(check.refusal);
  const auto = band.value === 'auto';
  let approval: ApprovalRow | null = null;
  const updated = await commitChange(x, {
    current: c,
    patch: auto ? { refundedFen: c.refundedFen + req.amountFen } : { state: 'pending_approval', approverRole: role },
    action: auto ? 'approve_auto' : 'request_approval',
    actor: operator,
    now,
    details: { purpose: req.purpose, amountFen: req.amountFen, band: band.value },
    also: async (tx, row) => {
      approval = await repo.insertApproval(tx.db, {
        caseId: row.id,
        purpose: req.purpose,
        amountFen: req.amountFen,
        band: band.value,
        approverRole: auto ? 'auto' : role,
        decision: auto ? 'approved' : 'pending',
        note: req.note ?? null,
        requestedBy: operator,
        requestedAt: now,
        ...(auto ? { decidedBy: 'system', decidedAt: now } : {}),
      });
      if (!approval) throw new ConflictError('已有待审批的申请 · An approval is already pending');
      return auto ? [{ type: 'card' }] : [{ type: 'card' }, { type: 'approval_request', approvalId: approval.id }];
    },
  }).catch(async (err: unknown) => {
    if (req.version !== undefined && lostRace(err)) return null;
    throw err;
  });
  if (!updated) return { case: await loadCase(x, caseId), approval: null };
  return { case: updated, approval: approval! };
}

export const Decision = z.enum(['approve', 'reject']);
export type Decision = z.infer<typeof Decision>;

async function pendingApproval(x: ExceptionDeps, approvalId: number): Promise<{ approval: ApprovalRow; c: CaseRow }> {
  const approval = await repo.getApproval(x.database.db, approvalId);
  if (!approval) throw new NotFoundError('审批 approval', approvalId);
  if (approval.decision !== 'pending') throw alreadyDecided(approval);
  return { approval, c: await loadCase(x, approval.caseId) };
}

function alreadyDecided(a: ApprovalRow): ConflictError {
  const what =
    { approved: '已同意 approved', rejected: '已驳回 rejected', escalated: '已升级 escalated' }[a.decision] ??
    a.decision;
  return new ConflictError(`该审批已处理（${what}），无需重复操作 · This approval was already decided`, {
    decision: a.decision,
    decidedBy: a.decidedBy,
  });
}

/**
 * 同意 / 驳回: only someone holding the designated role; the approval row moves from pending
 * exactly once, so two approvers clicking together make one decision.
 */
export async function decide(
  x: ExceptionDeps,
  approvalId: number,
  decision: Decision,
  reason: string | undefined,
  operator: string,
  now: Date,
): Promise<ApprovalOutcome> {
  const { approval, c } = await pendingApproval(x, approvalId);
  const actor = await actorFor(x, operator, c);
  const role = approval.approverRole as ApproverRole;
  if (!mayDecide(role, actor.roles)) {
    const label = APPROVER_LABELS[role];
    throw new ForbiddenError(
      `只有指定审批人（${label.zh}）可以审批 · Only the designated approver (${label.en}) may decide`,
    );
  }
  const action =
    decision === 'approve' ? { type: 'approve' as const } : { type: 'reject' as const, reason: reason ?? '' };
  const result = transition(snapshot(c), action, actor, now);
  if (!result.ok) throw refusalError(result.refusal);
  let decided: ApprovalRow | null = null;
  const updated = await commitChange(x, {
    current: c,
    patch: {
      state: result.case.state,
      approverRole: null,
      ...(decision === 'approve' ? { refundedFen: c.refundedFen + approval.amountFen } : {}),
    },
    action: decision,
    actor: operator,
    now,
    details: { approvalId, purpose: approval.purpose, amountFen: approval.amountFen, role, reason: reason ?? null },
    also: async (tx) => {
      decided = await repo.decideApproval(tx.db, approvalId, {
        decision: decision === 'approve' ? 'approved' : 'rejected',
        decidedBy: operator,
        reason: reason?.trim() || null,
        decidedAt: now,
      });
      if (!decided) throw alreadyDecided((await repo.getApproval(tx.db, approvalId)) ?? approval);
      return [{ type: 'card' }, { type: 'approval_decided', approvalId }];
    },
  }).catch(async (err: unknown) => {
    // Lost the race on the case row: say what the winner decided, not just "changed meanwhile".
    const latest = await repo.getApproval(x.database.db, approvalId);
    throw latest && latest.decision !== 'pending' ? alreadyDecided(latest) : err;
  });
  x.log.info({ caseId: c.id, approvalId, decision, by: operator }, 'approval decided');
  return { case: updated, approval: decided! };
}

/** 升级: the approval moves one role up (lead → manager → finance director). */
export async function escalateApproval(
  x: ExceptionDeps,
  approvalId: number,
  operator: string,
  now: Date,
): Promise<ApprovalOutcome> {
  const { approval, c } = await pendingApproval(x, approvalId);
  const next = nextApproverRole(approval.approverRole as ApproverRole);
  if (!next) throw new ValidationError('已是最高审批人，无法再升级 · Already with the top approver');
  const actor = await actorFor(x, operator, c);
  const result = transition(snapshot(c), { type: 'escalate_approval', approverRole: next }, actor, now);
  if (!result.ok) throw refusalError(result.refusal);
  let created: ApprovalRow | null = null;
  const updated = await commitChange(x, {
    current: c,
    patch: { approverRole: next },
    action: 'escalate_approval',
    actor: operator,
    now,
    details: { approvalId, from: approval.approverRole, to: next },
    also: async (tx, row) => {
      const closed = await repo.decideApproval(tx.db, approvalId, {
        decision: 'escalated',
        decidedBy: operator,
        reason: null,
        decidedAt: now,
      });
      if (!closed) throw alreadyDecided(approval);
      created = await repo.insertApproval(tx.db, {
        caseId: row.id,
        purpose: approval.purpose,
        amountFen: approval.amountFen,
        band: approval.band,
        approverRole: next,
        note: approval.note,
        requestedBy: approval.requestedBy,
        requestedAt: now,
      });
      return [{ type: 'card' }, { type: 'approval_request', approvalId: created!.id }];
    },
  });
  return { case: updated, approval: created! };
}
