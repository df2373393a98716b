import type { Db } from '../../../db/client.js';
import type { BitableMirror } from '../../../mirror/index.js';
import { BUDGET_TABLE, budgetTableSpec } from './budgets.js';
import { COUNTERPARTY_TABLE, counterpartyTableSpec, type GridDeps } from './counterparties.js';
import { PAYMENT_TABLE, paymentsForSync, paymentTableSpec } from './payments.js';

/**
 * 相对方, 预算 and 付款, rows only, for `feishu-ops sync` (which repairs bot-owned columns; people's edits are the bot's).
 * Returns the pass that writes the payments with no 付款 row yet, run after the reconcile.
 */
export function declareContractGrids(mirror: BitableMirror, db: Db, timeZone: string): () => Promise<string> {
  // Rows only (no edits taken here): nothing changes a budget line.
  const grid: GridDeps = { db, timeZone, tell: async () => undefined, changeBudget: (change) => change(db) };
  mirror.table(COUNTERPARTY_TABLE, counterpartyTableSpec(grid, { withEdits: false }));
  mirror.table(BUDGET_TABLE, budgetTableSpec(grid, { withEdits: false }));
  return paymentsForSync(db, mirror.table(PAYMENT_TABLE, paymentTableSpec(db, timeZone)));
}
