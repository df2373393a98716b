import { ForbiddenError, NotFoundError } from '../../../core/errors.js';
import { chainFor } from '../logic/chain.js';
import { nextState, type ApproverRole } from '../logic/contract.js';
import type { RiskSummary } from '../logic/risk.js';
import { repo, type ContractRow, type StepRow } from '../repository.js';
import { badInput, commitChange, type ContractDeps, type Effect } from './context.js';

/** Directory roles that hold each chain role, first match wins. */
const DIRECTORY_ROLES: Readonly<Record<ApproverRole, readonly string[]>> = {
  legal: ['legal'],
  risk_override: ['risk_officer', 'general_manager'],
  finance: ['finance', 'finance_director'],
  manager: ['manager'],
  general_manager: ['general_manager', 'ceo'],
};

/**
 * The person who approves `role` for this contract: the department team's manager for `manager`, else the first holder
 * of the role.
 */
export async function approverFor(
  x: ContractDeps,
  role: ApproverRole,
  c: Pick<ContractRow, 'department'>,
): Promise<string | null> {
  if (role === 'manager' && c.department) {
    const team = await x.directory.team(c.department);
    if (team?.managerOpenId) return team.managerOpenId;
  }
  for (const r of DIRECTORY_ROLES[role]) {
    const people = (await x.directory.people({ role: r }))
      .filter((p) => p.active)
      .sort((a, b) => a.openId.localeCompare(b.openId));
    if (people[0]) return people[0].openId;
  }
  return null;
}

/**
 * Sends a draft into its chain: the steps for its type, amount band and risk as rows of a new round; the first is
 * pending.
 */
export async function startApproval(
  x: ContractDeps,
  c: ContractRow,
  actor: string | null,
  now: Date,
): Promise<ContractRow> {
  const to = nextState(c.state, 'submit');
  if (!to) throw badInput('只有草稿可以提交审批 · Only a draft can be submitted', 'state');
  const s = await x.settings.snapshot();
  const risk = c.risk as unknown as RiskSummary | null;
  const roles = chainFor(s.get(x.settings.chain), c.type, c.amountCnyFen, {
    riskOverride: risk?.needsOverride ?? false,
  });
  const approvers = await Promise.all(roles.map((role) => approverFor(x, role, c)));
  const round = c.round + 1;
  let first: StepRow | undefined;
  const updated = await commitChange(x, {
    current: c,
    patch: { state: to, round },
    action: c.round === 0 ? 'submitted' : 'resubmitted',
    actor,
    now,
    effects: [],
    async also(tx, u) {
      const steps = await repo.insertSteps(
        tx.db,
        roles.map((role, i) => ({
          contractId: u.id,
          round,
          seq: i + 1,
          role,
          approverOpenId: approvers[i],
          decision: i === 0 ? 'pending' : 'waiting',
          pendingSince: i === 0 ? now : null,
        })),
      );
      first = steps[0];
      return [{ type: 'requester_card' }, ...(first ? [{ type: 'approval_card' as const, stepId: first.id }] : [])];
    },
  });
  if (first && !first.approverOpenId)
    x.log.warn({ contractId: c.id, role: first.role }, 'no approver in the directory for the step');
  return updated;
}

export type Decision = 'approve' | 'reject' | 'return';

export interface Decided {
  changed: boolean;
  contract: ContractRow;
  step: StepRow;
}

/**
 * The step's approver decides. A step that is no longer pending (a double click, Feishu's retry,
 * an old card) changes nothing and says so; anyone else is refused. Approve moves to the next
 * step or makes the contract active (commitChange commits its budget); reject ends it; return sends it back
 * to the requester as a draft, to be changed and submitted again as a new round.
 */
export async function decide(
  x: ContractDeps,
  stepId: number,
  decision: Decision,
  reason: string | undefined,
  operator: string,
  now: Date,
): Promise<Decided> {
  const db = x.database.db;
  const step = await repo.step(db, stepId);
  if (!step) throw new NotFoundError('审批步骤 approval step', String(stepId));
  const c = (await repo.get(db, step.contractId))!;
  if (step.decision !== 'pending' || c.round !== step.round || c.state !== 'in_approval')
    return { changed: false, contract: c, step };
  // After an escalation the person it went to may decide as well (approval-reminders.ts).
  if (step.approverOpenId !== operator && step.escalatedTo !== operator)
    throw new ForbiddenError('只有本步骤的审批人可以处理 · Only this step’s approver can decide');
  if (decision !== 'approve' && !reason?.trim())
    throw badInput('驳回或退回时请填写原因 · Give a reason to reject or return', 'reason');

  const steps = await repo.steps(db, c.id, c.round);
  const next = steps.find((s) => s.seq === step.seq + 1);
  const to =
    decision === 'approve' ? (next ? 'in_approval' : 'active') : decision === 'reject' ? 'terminated' : 'draft';
  const outcome = { approve: 'approved', reject: 'rejected', return: 'returned' } as const;
  const effects: Effect[] = [{ type: 'requester_card' }];
  if (decision === 'approve' && next) effects.push({ type: 'approval_card', stepId: next.id });
  let won = true;
  const updated = await commitChange(x, {
    current: c,
    patch: { state: to },
    action:
      decision === 'approve' ? (next ? 'step_approved' : 'approved') : decision === 'reject' ? 'rejected' : 'returned',
    actor: operator,
    note: reason?.trim() || null,
    now,
    effects,
    async also(tx) {
      won = await repo.decideStep(tx.db, step.id, 'pending', {
        decision: outcome[decision],
        reason: reason?.trim() || null,
        decidedBy: operator,
        decidedAt: now,
      });
      if (!won) throw new Error('step decided concurrently');
      if (decision === 'approve' && next)
        await repo.decideStep(tx.db, next.id, 'waiting', { decision: 'pending', pendingSince: now });
      if (decision !== 'approve')
        for (const s of steps.filter((s) => s.decision === 'waiting'))
          await repo.decideStep(tx.db, s.id, 'waiting', { decision: 'cancelled' });
      return []; // the budget is committed by commitChange when the contract becomes active
    },
  }).catch(async (err: unknown) => {
    // The other click of a double click committed first: nothing changed twice.
    const latest = await repo.step(db, stepId);
    if (latest && latest.decision !== 'pending') return null;
    throw err;
  });
  if (!updated) return { changed: false, contract: (await repo.get(db, c.id))!, step: (await repo.step(db, stepId))! };
  return { changed: true, contract: updated, step: (await repo.step(db, stepId))! };
}

/** 重新提交: the requester (or owner) sends a returned draft into a new round of the chain. */
export async function resubmit(
  x: ContractDeps,
  contractId: number,
  version: number | null,
  operator: string,
  now: Date,
): Promise<{ changed: boolean; contract: ContractRow }> {
  const c = await repo.get(x.database.db, contractId);
  if (!c) throw new NotFoundError('合同 contract', String(contractId));
  if (c.state !== 'draft' || (version !== null && version !== c.version)) return { changed: false, contract: c };
  if (operator !== c.requesterOpenId && operator !== c.ownerOpenId)
    throw new ForbiddenError('只有申请人或经办人可以提交 · Only the requester or owner can submit');
  return { changed: true, contract: await startApproval(x, c, operator, now) };
}
