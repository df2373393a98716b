import { calendarDay } from '../../../core/zoned-time.js';
import type { ContractDeps } from './context.js';
import type { DashboardFilter } from './dashboard.js';

/** A payment still to be made: requested or approved, not paid, rejected or cancelled. */
export interface PlannedPayment {
  paymentId: number;
  contractId: number;
  contractNo: string;
  title: string;
  counterparty: string;
  budgetCode: string | null;
  budgetName: string | null;
  amountFen: number;
  state: 'pending_approval' | 'approved';
  /** The planned date; null = not scheduled yet. */
  dueDate: string | null;
  overdue: boolean;
  ownerOpenId: string;
}

export interface PlanTotal {
  key: string;
  label: string;
  payments: number;
  totalFen: number;
  overdueFen: number;
}

export const PLAN_DEFINITION =
  '待付款 = 已申请或已批准、尚未付款（未驳回、未取消）的付款，按计划付款日排列，逾期（计划日早于今天）在前，未排期在后。' +
  'To pay: payments requested or approved and not yet paid, by planned date; overdue (planned before today) first, ' +
  'unscheduled last.';

/**
 * The payment plan: what is due when, overdue first, with totals by contract, counterparty and budget line — one
 * query, narrowed in SQL by the same filter as the contracts tab (a handler sees the contracts they own).
 */
export async function paymentPlan(x: ContractDeps, now: Date, filter: DashboardFilter = {}) {
  const today = calendarDay(now, x.config.timeZone);
  const { rows } = await x.database.query<{
    id: number;
    contract_id: number;
    contract_no: string;
    title: string;
    counterparty: string;
    budget_code: string | null;
    budget_name: string | null;
    amount_fen: string;
    state: 'pending_approval' | 'approved';
    due: string | null;
    owner_open_id: string;
  }>(
    `select p.id::int as id, c.id::int as contract_id, c.contract_no, c.title, cp.name as counterparty,
       b.code as budget_code, b.name as budget_name, p.amount_fen::text, p.state, p.planned_date::text as due,
       c.owner_open_id
     from contracts_payments p
     join contracts_contracts c on c.id = p.contract_id
     join contracts_counterparties cp on cp.id = c.counterparty_id
     left join contracts_budgets b on b.id = p.budget_id
     where p.state in ('pending_approval', 'approved')
       and ($1::text is null or c.department = $1) and ($2::text is null or c.owner_open_id = $2)
     order by (p.planned_date < $3::date) desc nulls last, p.planned_date nulls last, p.id
     limit 500`,
    [filter.department ?? null, filter.owner ?? null, today],
  );
  const items: PlannedPayment[] = rows.map((r) => ({
    paymentId: r.id,
    contractId: r.contract_id,
    contractNo: r.contract_no,
    title: r.title,
    counterparty: r.counterparty,
    budgetCode: r.budget_code,
    budgetName: r.budget_name,
    amountFen: Number(r.amount_fen),
    state: r.state,
    dueDate: r.due,
    overdue: r.due !== null && r.due < today,
    ownerOpenId: r.owner_open_id,
  }));
  const by = (key: (p: PlannedPayment) => [string, string]): PlanTotal[] => {
    const out = new Map<string, PlanTotal>();
    for (const p of items) {
      const [k, label] = key(p);
      const t = out.get(k) ?? { key: k, label, payments: 0, totalFen: 0, overdueFen: 0 };
      t.payments++;
      t.totalFen += p.amountFen;
      if (p.overdue) t.overdueFen += p.amountFen;
      out.set(k, t);
    }
    return [...out.values()].sort((a, b) => b.overdueFen - a.overdueFen || b.totalFen - a.totalFen);
  };
  const overdue = items.filter((p) => p.overdue);
  return {
    today,
    definition: PLAN_DEFINITION,
    totalFen: items.reduce((s, p) => s + p.amountFen, 0),
    overdue: { payments: overdue.length, totalFen: overdue.reduce((s, p) => s + p.amountFen, 0) },
    items,
    byContract: by((p) => [p.contractNo, p.title]),
    byCounterparty: by((p) => [p.counterparty, p.counterparty]),
    byBudget: by((p) => [p.budgetCode ?? '-', p.budgetName ?? '无预算 No budget']),
  };
}

export type PaymentPlan = Awaited<ReturnType<typeof paymentPlan>>;
