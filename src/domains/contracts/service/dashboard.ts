import { calendarDay } from '../../../core/zoned-time.js';
import { addDays } from '../logic/dates.js';
import type { ContractDeps } from './context.js';

/** Whose contracts the tab counts: a department (the 团队 filter) and/or one owner (a handler's own view). */
export interface DashboardFilter {
  department?: string | undefined;
  owner?: string | undefined;
}

/** Contracts ending within this many days are "expiring soon" on the tab. */
export const EXPIRING_WINDOW_DAYS = 90;

export const DEFINITIONS = {
  expiring:
    `履行中且在 ${EXPIRING_WINDOW_DAYS} 天内到期的合同（含今天）。Active or expiring contracts whose end date is within ` +
    `${EXPIRING_WINDOW_DAYS}` +
    ` days, today included.`,
  inApproval: '当前处于审批中的合同，及正在等待的审批环节。Contracts in approval now, and the step each waits on.',
  budget:
    '预算使用率 = 已占用（已申请且未驳回的付款）÷ 预算金额。已承诺 = 已生效合同的金额。Usage = reserved (payments requested and not rejected) ÷ ' +
    'budget; committed = amounts of contracts in force.',
  concentration:
    '审批中、履行中和即将到期合同按相对方的金额合计（人民币），占比为占前十名合计的份额。Total CNY amount of contracts in approval or in force per ' +
    'counterparty; share of the top ten total.',
};

/**
 * The contracts tab of the workbench dashboard: expiring soon, in approval, budget usage and
 * counterparty concentration — four aggregate queries, each narrowed in SQL by the filter.
 */
export async function dashboard(x: ContractDeps, now: Date, filter: DashboardFilter = {}) {
  const today = calendarDay(now, x.config.timeZone);
  const q = x.database;
  const dept = filter.department ?? null;
  const owner = filter.owner ?? null;
  // $1 department, $2 owner: null = no narrowing.
  const mine = `($1::text is null or c.department = $1) and ($2::text is null or c.owner_open_id = $2)`;
  const [expiring, inApproval, budgets, concentration] = await Promise.all([
    q.query<{ id: number; contract_no: string; title: string; end_date: string; state: string; counterparty: string }>(
      `select c.id, c.contract_no, c.title, c.end_date::text as end_date, c.state, p.name as counterparty
       from contracts_contracts c join contracts_counterparties p on p.id = c.counterparty_id
       where c.state in ('active', 'expiring') and c.end_date <= $3 and ${mine} order by c.end_date, c.id limit 50`,
      [dept, owner, addDays(today, EXPIRING_WINDOW_DAYS)],
    ),
    q.query<{ id: number; contract_no: string; title: string; amount_cny_fen: string; role: string | null }>(
      `select c.id, c.contract_no, c.title, c.amount_cny_fen::text, s.role from contracts_contracts c
       left join contracts_approval_steps s on s.contract_id = c.id and s.round = c.round and s.decision = 'pending'
       where c.state = 'in_approval' and ${mine} order by c.id limit 50`,
      [dept, owner],
    ),
    q.query<{
      code: string;
      name: string;
      department: string;
      amount_fen: string;
      committed_fen: string;
      reserved_fen: string;
    }>(
      `select b.code, b.name, b.department, b.amount_fen::text, b.committed_fen::text, b.reserved_fen::text
       from contracts_budgets b where ($1::text is null or b.department = $1)
       and ($2::text is null or exists (select 1 from contracts_contracts c where c.budget_id = b.id and
         c.owner_open_id = $2))
       order by b.code limit 200`,
      [dept, owner],
    ),
    q.query<{ name: string; contracts: number; total_fen: string }>(
      `select p.name, count(*)::int as contracts, sum(c.amount_cny_fen)::text as total_fen from contracts_contracts c
       join contracts_counterparties p on p.id = c.counterparty_id
       where c.state in ('active', 'expiring', 'in_approval') and ${mine}
       group by p.name order by sum(c.amount_cny_fen) desc, p.name limit 10`,
      [dept, owner],
    ),
  ]);
  const total = concentration.rows.reduce((s, r) => s + Number(r.total_fen), 0);
  const budgetRows = budgets.rows.map((r) => {
    const amount = Number(r.amount_fen);
    const reserved = Number(r.reserved_fen);
    return {
      code: r.code,
      name: r.name,
      department: r.department,
      amountFen: amount,
      committedFen: Number(r.committed_fen),
      reservedFen: reserved,
      leftFen: amount - reserved,
      usage: amount > 0 ? reserved / amount : null,
    };
  });
  const budgetTotal = budgetRows.reduce((s, b) => s + b.amountFen, 0);
  const reservedTotal = budgetRows.reduce((s, b) => s + b.reservedFen, 0);
  return {
    today,
    definitions: DEFINITIONS,
    expiringSoon: expiring.rows.map((r) => ({
      id: Number(r.id),
      contractNo: r.contract_no,
      title: r.title,
      counterparty: r.counterparty,
      endDate: r.end_date,
      state: r.state,
    })),
    inApproval: inApproval.rows.map((r) => ({
      id: Number(r.id),
      contractNo: r.contract_no,
      title: r.title,
      amountFen: Number(r.amount_cny_fen),
      waitingOn: r.role,
    })),
    budgets: budgetRows,
    budgetUsage: budgetTotal > 0 ? reservedTotal / budgetTotal : null,
    concentration: concentration.rows.map((r) => ({
      counterparty: r.name,
      contracts: r.contracts,
      totalFen: Number(r.total_fen),
      share: total > 0 ? Number(r.total_fen) / total : 0,
    })),
  };
}
