import { ConflictError, ForbiddenError, NotFoundError } from '../../../core/errors.js';
import { calendarDay } from '../../../core/zoned-time.js';
import { isIsoDate } from '../logic/dates.js';
import { budgetRefusal } from '../logic/budget.js';
import { repo, type ContractRow, type PaymentRow } from '../repository.js';
import { approverFor } from './approvals.js';
import { badInput, queueEffects, type ContractDeps, type Effect } from './context.js';
import { checkRisk } from './risk.js';
import { settleCommitment } from './commitment.js';

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
 * The line must take payments: not frozen, closed or a draft, of the payment's year and of the contract's category
 * (logic/budget.ts); a refusal names the line's owner to ask.
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
  // Read before the transaction (the embedded database has one connection: no reads beside it inside).
  const names = await ownerNames(x, c.budgetId);
  return x.database.transaction(async (tx) => {
    const locked = (await repo.lockContract(tx.db, contractId))!;
    // Read again under the lock: an expiry or termination that committed meanwhile has released the budget.
    if (locked.state !== 'active' && locked.state !== 'expiring')
      throw new ConflictError(
        `合同${locked.contractNo}当前不可付款（${locked.state}） · Payments need an active contract`,
        { state: locked.state },
      );
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
      const refused = b ? budgetRefusal(b, locked.type, day) : null;
      if (refused) throw badInput(`${refused}${b!.ownerOpenId ? ownerNote(b!.ownerOpenId, names) : ''}`, 'budget');
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
      riskLevel: risk.level,
      createdAt: now,
    });
    const effects: Effect[] = [{ type: 'payment', paymentId: p.id }];
    if (flags.length) effects.push({ type: 'payment_card', paymentId: p.id });
    if (reserved && locked.budgetId) effects.push({ type: 'budget', budgetId: locked.budgetId });
    await queueEffects(x, tx, locked, effects);
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
  now: Date,
): Promise<{ changed: boolean; payment: PaymentRow; contract: ContractRow }> {
  const db = x.database.db;
  const p = await repo.payment(db, paymentId);
  if (!p) throw new NotFoundError('付款 payment', String(paymentId));
  const c = (await repo.get(db, p.contractId))!;
  if (p.state !== 'pending_approval') return { changed: false, payment: p, contract: c };
  const approver = await approverFor(x, 'finance', c);
  if (operator !== approver) throw new ForbiddenError('只有财务审批人可以处理 · Only the finance approver can decide');
  const changed = await x.database.transaction(async (tx) => {
    // The contract first, as every change of it does: an expiry settling its budget waits, or has committed.
    const locked = (await repo.lockContract(tx.db, p.contractId))!;
    const ok = await repo.setPayment(tx.db, p.id, 'pending_approval', {
      state: decision === 'approve' ? 'approved' : 'rejected',
      decidedBy: operator,
      reserved: decision === 'approve' ? true : false,
    });
    if (!ok) return false;
    if (p.budgetId && decision === 'approve' && !p.reserved) await repo.forceReserve(tx.db, p.budgetId, p.amountFen);
    if (p.budgetId && decision === 'reject' && p.reserved) await repo.release(tx.db, p.budgetId, p.amountFen);
    const effects: Effect[] = [{ type: 'payment', paymentId: p.id }];
    if (p.budgetId && (decision === 'approve') !== p.reserved) effects.push({ type: 'budget', budgetId: p.budgetId });
    // Rejected on a contract that has ended: what it held for this payment is released too.
    if (decision === 'reject') effects.push(...(await settleCommitment(tx, locked, operator, now)));
    await queueEffects(x, tx, c, effects);
    return true;
  });
  return { changed, payment: (await repo.payment(db, p.id))!, contract: c };
}

/** The budget line's owner by open_id → their directory name (for the refusal's 「预算负责人」). */
async function ownerNames(x: ContractDeps, budgetId: number | null): Promise<Map<string, string>> {
  const b = budgetId ? await repo.budget(x.database.db, budgetId) : undefined;
  const person = b?.ownerOpenId ? await x.directory.person(b.ownerOpenId) : null;
  return new Map(person ? [[person.openId, person.name]] : []);
}
const ownerNote = (openId: string, names: Map<string, string>): string =>
  `（预算负责人 Budget owner: ${names.get(openId) ?? openId}）`;

/**
 * Finance's system reports an approved payment made: it counts as spent (已支付) on its budget line. A repeat, or a
 * payment not approved, changes nothing (409 for the latter: only an approved payment can be paid).
 */
export async function markPaid(
  x: ContractDeps,
  paymentId: number,
  paidDate: string,
  now: Date,
): Promise<{ changed: boolean; payment: PaymentRow }> {
  const db = x.database.db;
  const p = await repo.payment(db, paymentId);
  if (!p) throw new NotFoundError('付款 payment', String(paymentId));
  if (p.state === 'paid') return { changed: false, payment: p };
  if (p.state !== 'approved')
    throw new ConflictError(`付款尚未批准，不能标记为已付款（${p.state}） · Only an approved payment can be paid`, {
      state: p.state,
    });
  if (!isIsoDate(paidDate)) throw badInput('付款日期格式应为 YYYY-MM-DD · paidDate is YYYY-MM-DD', 'paidDate');
  const changed = await x.database.transaction(async (tx) => {
    if (!(await repo.setPayment(tx.db, p.id, 'approved', { state: 'paid', paidDate }))) return false;
    const effects: Effect[] = [{ type: 'payment', paymentId: p.id }];
    if (p.budgetId) {
      await repo.spend(tx.db, p.budgetId, p.amountFen);
      effects.push({ type: 'budget', budgetId: p.budgetId });
    }
    await queueEffects(x, tx, (await repo.get(tx.db, p.contractId))!, effects);
    return true;
  });
  void now;
  return { changed, payment: (await repo.payment(db, p.id))! };
}
