import type { Tx } from '../../../db/client.js';

/** The share of a budget line used at which its owner (预算.负责人) is told. */
export const ALERT_SHARE = 0.9;

/** The follow-up that tells the owner: `crossing` counts the line's crossings, so each is sent once. */
export interface BudgetAlert {
  type: 'budget_alert';
  budgetId: number;
  crossing: number;
}

/**
 * Notes, in the transaction of the change that moved a line's totals, whether the line crossed 90 % used — used being
 * the larger of 已占用 (what its contracts hold) and what its payment requests reserved — upward or back down. One
 * conditional UPDATE: `usage_alerted` flips only on a crossing, and an upward one counts `usage_alerts`, so a retried
 * job, a second instance or a restart never tells twice, and the owner is told again only after the line fell below
 * and crossed once more. The row lock orders concurrent changes of the line.
 */
export async function budgetCrossings(tx: Tx, budgetIds: number[]): Promise<BudgetAlert[]> {
  const ids = [...new Set(budgetIds)];
  if (ids.length === 0) return [];
  const { rows } = await tx.query<{ id: number; usage_alerts: number; usage_alerted: boolean }>(
    `update contracts_budgets set usage_alerted = not usage_alerted,
       usage_alerts = usage_alerts + (case when usage_alerted then 0 else 1 end)
     where id = any($1::bigint[]) and usage_alerted <>
       (amount_fen > 0 and greatest(committed_fen, reserved_fen) * 100 >= amount_fen * $2::int)
     returning id::int as id, usage_alerts, usage_alerted`,
    [ids, Math.round(ALERT_SHARE * 100)],
  );
  return rows
    .filter((r) => r.usage_alerted)
    .map((r) => ({ type: 'budget_alert', budgetId: r.id, crossing: r.usage_alerts }));
}
