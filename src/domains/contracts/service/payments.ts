import { ConflictError, ForbiddenError, NotFoundError } from '../../../core/errors.js';
import { calendarDay } from '../../../core/zoned-time.js';
import { repo, type ContractRow, type PaymentRow } from '../repository.js';
import { approverFor } from './approvals.js';
import { badInput, queueEffects, type ContractDeps } from './context.js';
import { checkRisk } from './risk.js';

export interface PaymentRequest {
  amountFen: number;
  plannedDate?: string | null;
  externalId?: string | null;
}

/**
 * A payment request against a contract: the contract must be in force, the counterparty's risk
 * is checked again, the requested total stays within the contract, and the budget is reserved
 * by a conditional update (concurrent requests can never reserve more than the budget holds). The payment's date (the
 * planned date, else today in the business zone) must lie in the budget line's period.
 * Over budget or a flagged counterparty: the request waits for finance's extra approval.
 */
export async function requestPayment(
  x: ContractDeps,
  contractId: number,
  req: PaymentRequest,
  by: string,
  now: Date,
): Promise<{ created: boolean; payment: PaymentRow }> {
  if (!Number.isSafeInteger(req.amountFen) || req.amountFen <= 0)
    throw badInput('付款金额须大于 0 · The amount must be above 0', 'amount');
  const db = x.database.db;
  const c = await repo.get(db, contractId);
  if (!c) throw new NotFoundError('合同 contract', String(contractId));
  if (req.externalId) {
    const existing = await repo.paymentByExternal(db, contractId, req.externalId);
    if (existing) return { created: false, payment: existing };
  }
  if (c.state !== 'active' && c.state !== 'expiring')
    throw new ConflictError(`合同${c.contractNo}当前不可付款（${c.state}） · Payments need an active contract`, {
      state: c.state,
    });
  const cp = (await repo.counterparty(db, c.counterpartyId))!;
  const risk = await checkRisk(x, cp, now, c.id);
  const flags: string[] = [];
  if (risk.level === 'high' || risk.level === 'blocked') flags.push('risk');
  return x.database.transaction(async (tx) => {
    const locked = (await repo.lockContract(tx.db, contractId))!;
    // Requests on one contract queue at the lock: the same request sent twice at once finds the first here.
    if (req.externalId) {
      const first = await repo.paymentByExternal(tx.db, contractId, req.externalId);
      if (first) return { created: false, payment: first };
    }
    const requested = await repo.requestedTotal(tx.db, contractId);
    if (requested + req.amountFen > locked.amountCnyFen)
      throw badInput(
        `超出合同金额：已申请 ¥${requested / 100}，合同 ¥${locked.amountCnyFen / 100} · Over the contract amount`,
        'amount',
      );
    let reserved = false;
    if (locked.budgetId) {
      // Read under the contract lock, after any grid edit of the budget's period that committed before.
      const b = await repo.budget(tx.db, locked.budgetId);
      const day = req.plannedDate ?? calendarDay(now, x.config.timeZone);
      if (b && (day < b.periodStart || day > b.periodEnd))
        throw badInput(
          `付款日期 ${day} 不在预算「${b.name}」（${b.code}）的期间 ${b.periodStart} 至 ${b.periodEnd} 内，` +
            `请改用该期间的预算或调整计划付款日 · The payment date ${day} is outside the budget line's period ` +
            `${b.periodStart} – ${b.periodEnd}`,
          'plannedDate',
        );
      reserved = await repo.reserve(tx.db, locked.budgetId, req.amountFen);
      if (!reserved) flags.push('over_budget');
    }
    const p = await repo.insertPayment(tx.db, {
      contractId,
      budgetId: locked.budgetId,
      amountFen: req.amountFen,
      state: flags.length ? 'pending_approval' : 'approved',
      flags,
      reserved,
      plannedDate: req.plannedDate ?? null,
      requestedBy: by,
      externalId: req.externalId ?? null,
      createdAt: now,
    });
    if (flags.length) await queueEffects(x, tx, locked, [{ type: 'payment_card', paymentId: p.id }]);
    return { created: true, payment: p };
  });
}

/**
 * Finance decides a flagged payment; a repeat changes nothing. Approving over budget reserves it anyway (the approver
 * chose to).
 */
export async function decidePayment(
  x: ContractDeps,
  paymentId: number,
  decision: 'approve' | 'reject',
  operator: string,
): Promise<{ changed: boolean; payment: PaymentRow; contract: ContractRow }> {
  const db = x.database.db;
  const p = await repo.payment(db, paymentId);
  if (!p) throw new NotFoundError('付款 payment', String(paymentId));
  const c = (await repo.get(db, p.contractId))!;
  if (p.state !== 'pending_approval') return { changed: false, payment: p, contract: c };
  const approver = await approverFor(x, 'finance', c);
  if (operator !== approver) throw new ForbiddenError('只有财务审批人可以处理 · Only the finance approver can decide');
  const changed = await x.database.transaction(async (tx) => {
    const ok = await repo.setPayment(tx.db, p.id, 'pending_approval', {
      state: decision === 'approve' ? 'approved' : 'rejected',
      decidedBy: operator,
      reserved: decision === 'approve' ? true : false,
    });
    if (!ok) return false;
    if (p.budgetId && decision === 'approve' && !p.reserved) await repo.forceReserve(tx.db, p.budgetId, p.amountFen);
    if (p.budgetId && decision === 'reject' && p.reserved) await repo.release(tx.db, p.budgetId, p.amountFen);
    return true;
  });
  return { changed, payment: (await repo.payment(db, p.id))!, contract: c };
}
