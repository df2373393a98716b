import { ForbiddenError, NotFoundError } from '../../../core/errors.js';
import { levelOf } from '../../../dashboard/access.js';
import { calendarDay } from '../../../core/zoned-time.js';
import { repo } from '../repository.js';
import { decide, resubmit, type Decision } from './approvals.js';
import type { ContractDeps, EffectsJob } from './context.js';
import { createContract, type NewContractInput } from './create.js';
import { runEffects } from './effects.js';
import { chooseRenewal, closeRenewed, sweepExpiry, type RenewalChoice } from './expiry.js';
import { decidePayment, markPaid, requestPayment, type PaymentRequest } from './payments.js';
import { sweepApprovals } from './approval-reminders.js';
import { checkRisk } from './risk.js';
import { viewOf } from './view.js';
import { dashboard, type DashboardFilter } from './dashboard.js';
import { paymentPlan } from './payment-plan.js';
import { paymentMonths } from './payment-months.js';
import { mayTerminate, terminate, withdraw } from './terminate.js';
import { changeBudgetLine, tellBudgetOwner } from './budget-alerts.js';
import type { BudgetAlert } from './budget-crossings.js';
import type { Db } from '../../../db/client.js';
import type { BudgetRow } from '../repository.js';

/** The contract use cases, each taking `now`; handlers, jobs and routes call only these. */
export function createContractService(x: ContractDeps) {
  const load = async (id: number) => {
    const c = await repo.get(x.database.db, id);
    if (!c) throw new NotFoundError('合同 contract', String(id));
    return c;
  };
  return {
    deps: x,
    create: (input: NewContractInput, now: Date) => createContract(x, input, now),
    get: load,
    byNo: (no: string) => repo.byNo(x.database.db, no),
    view: async (id: number) => viewOf(x, await load(id)),
    decide: async (stepId: number, decision: Decision, reason: string | undefined, operator: string, now: Date) => {
      const r = await decide(x, stepId, decision, reason, operator, now);
      if (r.changed && r.contract.state === 'active') await closeRenewed(x, r.contract, now);
      return r;
    },
    resubmit: (id: number, version: number | null, operator: string, now: Date) =>
      resubmit(x, id, version, operator, now),
    step: (id: number) => repo.step(x.database.db, id),
    /** 终止: by id (a card, naming the version) or by number (chat); the owner, legal or a manager. */
    terminate: (ref: number | string, version: number | null, reason: string, operator: string, now: Date) =>
      terminate(x, ref, version, reason, operator, now),
    /** Whether the 终止 button may open its form for `operator` (the contract's owner, legal or a manager). */
    mayTerminate: async (id: number, operator: string) => mayTerminate(x, await load(id), operator),
    /** 撤回: a contract in approval back to a draft, by its requester. */
    withdraw: (ref: number | string, version: number | null, operator: string, now: Date) =>
      withdraw(x, ref, version, operator, now),
    sweepExpiry: (now: Date) => sweepExpiry(x, now),
    sweepApprovals: (now: Date) => sweepApprovals(x, now),
    chooseRenewal: (id: number, version: number | null, choice: RenewalChoice, operator: string, now: Date) =>
      chooseRenewal(x, id, version, choice, operator, now),
    requestPayment: (id: number, req: PaymentRequest, by: string, now: Date) => requestPayment(x, id, req, by, now),
    decidePayment: (paymentId: number, decision: 'approve' | 'reject', operator: string, now: Date) =>
      decidePayment(x, paymentId, decision, operator, now),
    markPaid: (paymentId: number, paidDate: string, now: Date) => markPaid(x, paymentId, paidDate, now),
    riskOf: async (counterparty: string, now: Date) => {
      const cp = await repo.counterpartyByName(x.database.db, counterparty);
      return cp ? checkRisk(x, cp, now) : undefined;
    },
    search: (needle: string) => repo.search(x.database.db, needle),
    pendingFor: (openId: string) => repo.pendingFor(x.database.db, openId),
    endingBetween: (from: string, to: string) => repo.endingBetween(x.database.db, from, to),
    /** Budgets of a department typed as its key or name (团队), or every budget; those overlapping [from, to]. */
    budgetsFor: async (department: string | null, from: string, to: string) => {
      if (!department) return repo.budgetsFor(x.database.db, null, null, from, to);
      const needle = department.toLowerCase();
      const keys = (await x.directory.teams())
        .filter((t) => t.key.toLowerCase() === needle || t.name.toLowerCase().includes(needle))
        .map((t) => t.key);
      return repo.budgetsFor(x.database.db, [department, ...keys], department, from, to);
    },
    dashboard: (now: Date, filter?: DashboardFilter) => dashboard(x, now, filter),
    paymentPlan: (now: Date, filter?: DashboardFilter) => paymentPlan(x, now, filter),
    /** Planned versus paid per month and budget line; `period` (business dates) picks the months. */
    paymentMonths: (now: Date, filter?: DashboardFilter, period?: { from?: string; to?: string }) =>
      paymentMonths(x, now, filter, period),
    /**
     * The plan as `openId` may see it, by the contracts tab's roles (legal, finance, managers: all; a handler: the
     * contracts they own); anyone else is refused.
     */
    paymentPlanFor: async (openId: string, now: Date) => paymentPlan(x, now, await planScope(x, openId)),
    /** This month's planned versus paid as `openId` may see it (the same roles as the plan). */
    paymentMonthFor: async (openId: string, now: Date) => {
      const filter = await planScope(x, openId);
      const today = calendarDay(now, x.config.timeZone);
      return paymentMonths(x, now, filter, { from: today, to: today });
    },
    runEffects: (job: EffectsJob, now: Date) => runEffects(x, job, now),
    /** A budget line changed from its 预算 row, with the 90 % check in the same transaction. */
    changeBudget: (change: (db: Db) => Promise<BudgetRow | undefined>) => changeBudgetLine(x, change),
    tellBudgetOwner: (alert: BudgetAlert) => tellBudgetOwner(x, alert),
  };
}

/**
 * Who sees which payments, by the contracts tab's roles (legal, finance, managers: all; a handler: the contracts they
 * own); anyone else is refused.
 */
async function planScope(x: ContractDeps, openId: string): Promise<DashboardFilter> {
  const person = await x.directory.person(openId);
  const level = person?.active ? levelOf('contracts', person.roles) : null;
  if (!level)
    throw new ForbiddenError('付款计划仅限法务、财务、管理者及合同经办人查看 · Legal, finance and managers only');
  return level === 'own' ? { owner: openId } : {};
}

export type ContractService = ReturnType<typeof createContractService>;
