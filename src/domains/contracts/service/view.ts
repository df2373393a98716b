import type { RiskSummary } from '../logic/risk.js';
import { repo, type BudgetRow, type ContractRow, type StepRow } from '../repository.js';
import type { ContractDeps } from './context.js';

/** What the cards show of a contract: the row, its counterparty, this round's steps, budget, similar contracts. */
export interface ContractView {
  contract: ContractRow;
  counterparty: string;
  risk: RiskSummary | null;
  steps: StepRow[];
  budget: BudgetRow | undefined;
  similar: ContractRow[];
  renewal: ContractRow | undefined;
}

export async function viewOf(x: ContractDeps, c: ContractRow): Promise<ContractView> {
  const db = x.database.db;
  const [cp, steps, budget, similar] = await Promise.all([
    repo.counterparty(db, c.counterpartyId),
    c.round > 0 ? repo.steps(db, c.id, c.round) : Promise.resolve([]),
    c.budgetId ? repo.budget(db, c.budgetId) : Promise.resolve(undefined),
    repo.similar(db, c),
  ]);
  return {
    contract: c,
    counterparty: cp?.name ?? '?',
    risk: (c.risk as unknown as RiskSummary | null) ?? null,
    steps,
    budget,
    similar,
    renewal: undefined,
  };
}
