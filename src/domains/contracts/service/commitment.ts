import type { Tx } from '../../../db/client.js';
import { yuan } from '../card-text.js';
import type { ContractState } from '../logic/contract.js';
import { repo, type ContractRow } from '../repository.js';

/** The follow-up that writes the 预算 row's bot cells (an `Effect` of context.ts, which imports this file). */
export interface BudgetWritten {
  type: 'budget';
  budgetId: number;
}

const IN_FORCE: readonly ContractState[] = ['active', 'expiring'];
const ENDED: readonly ContractState[] = ['expired', 'terminated', 'renewed'];

/**
 * What a contract holds of its budget line's 已占用 (committed) in `state`: its amount while in force; once it has
 * ended (expired, terminated, renewed) only its standing payments — paid, approved or waiting for approval, since
 * those are still paid out of the line; nothing before it is approved. Pure.
 */
export function commitmentOf(state: ContractState, amountCnyFen: number, standingFen: number): number {
  if (IN_FORCE.includes(state)) return amountCnyFen;
  if (ENDED.includes(state)) return Math.min(amountCnyFen, standingFen);
  return 0;
}

/**
 * Brings the budget line's 已占用 to what the contract holds now, inside the transaction of the change that moved it
 * (the contract row is locked by that change, so a payment request on the same contract waits or has committed):
 * approval commits the amount, the end releases the remainder the payments do not use, a renewal commits its own.
 * The move is a history entry (the audit); the effect writes the 预算 row's bot cells.
 */
export async function settleCommitment(
  tx: Tx,
  c: ContractRow,
  actor: string | null,
  now: Date,
): Promise<BudgetWritten[]> {
  if (!c.budgetId) return [];
  const standing = ENDED.includes(c.state) ? await repo.standingTotal(tx.db, c.id) : 0;
  const delta = commitmentOf(c.state, c.amountCnyFen, standing) - c.budgetCommittedFen;
  if (delta === 0) return [];
  await repo.commit(tx.db, c.budgetId, c.id, delta);
  const b = await repo.budget(tx.db, c.budgetId);
  const line = b ? `${b.name}（${b.code}）` : String(c.budgetId);
  await repo.addHistory(tx.db, {
    contractId: c.id,
    state: c.state,
    action: delta > 0 ? 'budget_committed' : 'budget_released',
    actorOpenId: actor,
    note:
      delta > 0
        ? `预算 ${line} 占用 ${yuan(delta)} · committed`
        : `预算 ${line} 释放 ${yuan(-delta)} · released (committed ${yuan(c.budgetCommittedFen)} → ${yuan(
            c.budgetCommittedFen + delta,
          )})`,
    at: now,
  });
  return [{ type: 'budget', budgetId: c.budgetId }];
}
