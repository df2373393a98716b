import { joinMarkdown, md } from '../../../core/cards/markdown.js';
import { contractCards, type ContractCards } from '../cards.js';
import { yuan } from '../card-text.js';
import { repo, type BudgetRow } from '../repository.js';
import type { ContractDeps } from './context.js';
import { budgetCrossings, type BudgetAlert } from './budget-crossings.js';
import type { Db } from '../../../db/client.js';

/** The owner's DM of a line changed outside any contract (a 预算 edit): queued in the change's transaction. */
export const BUDGET_ALERT_JOB = 'contracts.budget-alert';

/**
 * A budget line changed from its 预算 row (a new 预算金额): the change and the 90 % check in one transaction, the
 * owner's DM queued with it — the same crossing rule as a contract's or payment's change, so a lower amount that takes
 * the line to 90 % tells the owner once and a higher one that takes it back below re-arms it.
 */
export async function changeBudgetLine(
  x: ContractDeps,
  change: (db: Db) => Promise<BudgetRow | undefined>,
): Promise<BudgetRow | undefined> {
  return x.database.transaction(async (tx) => {
    const row = await change(tx.db);
    if (row)
      for (const alert of await budgetCrossings(tx, [row.id])) await x.jobs.send(BUDGET_ALERT_JOB, alert, { tx });
    return row;
  });
}

/** The DM to the line's owner, with the numbers; a line without an owner is logged. Keyed by the crossing. */
export async function tellBudgetOwner(x: ContractDeps, alert: BudgetAlert): Promise<void> {
  const b = await repo.budget(x.database.db, alert.budgetId);
  if (!b) return;
  if (!b.ownerOpenId) return void x.log.warn({ budgetId: b.id }, 'budget line over 90 % has no owner to tell');
  const card = budgetAlertCard(contractCards(x.cards), b);
  await x.feishu.messages.send({
    to: { openId: b.ownerOpenId },
    card,
    key: ['contracts', 'budget', b.id, 'alert', alert.crossing].join(':'),
  });
  x.log.info({ budgetId: b.id, crossing: alert.crossing }, 'budget owner told of 90 % used');
}

/** The owner's card: the line, how much of it is used, and what that means; names as typed are escaped. */
export function budgetAlertCard(cards: ContractCards, b: BudgetRow) {
  const used = Math.max(b.committedFen, b.reservedFen);
  const share = b.amountFen > 0 ? Math.round((used / b.amountFen) * 1000) / 10 : 0;
  const content = joinMarkdown([
    md`**${b.name}**（${b.code}）· ${b.department} · ${b.periodStart} → ${b.periodEnd}`,
    md`**已使用 Used ${share}%** · 预算 budget ${yuan(b.amountFen)} · 剩余 left ${yuan(b.amountFen - used)}`,
    md`已占用 committed ${yuan(b.committedFen)} · 已申请付款 requested ${yuan(b.reservedFen)} · 已支付 paid ${yuan(
      b.spentFen,
    )}`,
    md`
预算使用已达 90%，超出预算的付款需要财务特批。The line is 90 % used or more; a payment over budget needs finance's
extra approval.
    `,
  ]);
  return cards.notice(`预算已用 ${share}% · Budget ${share}% used: ${b.code}`, content, 'orange');
}
