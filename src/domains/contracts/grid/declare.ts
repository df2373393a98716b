import type { Db } from '../../../db/client.js';
import type { BitableMirror } from '../../../mirror/index.js';
import { BUDGET_TABLE, budgetTableSpec } from './budgets.js';
import { COUNTERPARTY_TABLE, counterpartyTableSpec } from './counterparties.js';

/** 相对方 and 预算, rows only, for `feishu-ops sync` (which repairs bot-owned columns; people's edits are the bot's). */
export function declareContractGrids(mirror: BitableMirror, db: Db, timeZone: string): void {
  const grid = { db, timeZone, tell: async () => undefined };
  mirror.table(COUNTERPARTY_TABLE, counterpartyTableSpec(grid, { withEdits: false }));
  mirror.table(BUDGET_TABLE, budgetTableSpec(grid, { withEdits: false }));
}
