import { calendarDay } from '../../../core/zoned-time.js';
import { addDays, addMonths } from '../logic/dates.js';
import type { ContractDeps } from './context.js';
import type { DashboardFilter } from './dashboard.js';

/** One month of a line: what was planned for it, what was paid in it, what of the planned is overdue. */
export interface MonthCell {
  /** YYYY-MM in the business time zone. */
  month: string;
  plannedFen: number;
  paidFen: number;
  overdueFen: number;
}

/** A budget line (or, for payments on contracts without one, the contract's department) across the months. */
export interface PlanLine {
  /** The budget code; `dept:<department>` for payments without a budget line. */
  key: string;
  label: string;
  department: string;
  months: MonthCell[];
  plannedFen: number;
  paidFen: number;
  overdueFen: number;
  /** Not paid and with no planned date: in no month. */
  unscheduledFen: number;
}

export const MONTHS_DEFINITION =
  '计划 = 计划付款日在该月的付款（待审批、已批准或已付款，不含驳回和取消）；实付 = 实际付款日在该月的付款；' +
  '逾期 = 计划付款日早于今天仍未付款；未排期 = 未付款且没有计划付款日。按预算行汇总，未挂预算的按合同部门。' +
  'Planned = payments (waiting, approved or paid; not rejected or cancelled) planned for the month; paid = paid in ' +
  'the month; overdue = planned before today and not paid yet; unscheduled = not paid, no planned date. Per budget ' +
  'line; payments without one by the contract department.';

/** Months shown when the query names no period: five before this one, this one, six ahead. */
const BEFORE = 5;
const AFTER = 6;

/** The months from `from`'s to `to`'s (business dates), or the default window around `today`. */
export function monthsOf(today: string, period?: { from?: string | undefined; to?: string | undefined }): string[] {
  const thisMonth = `${today.slice(0, 7)}-01`;
  const first = period?.from ? `${period.from.slice(0, 7)}-01` : addMonths(thisMonth, -BEFORE);
  const last = period?.to ? `${period.to.slice(0, 7)}-01` : addMonths(first, BEFORE + AFTER);
  const out: string[] = [];
  for (let m = first; m <= last && out.length < 24; m = addMonths(m, 1)) out.push(m.slice(0, 7));
  return out;
}

interface Row {
  code: string;
  name: string;
  department: string;
  kind: 'planned' | 'paid' | 'unscheduled';
  month: string | null;
  fen: string;
  overdue_fen: string;
}

/**
 * Planned versus paid per month, per budget line and per department: one aggregate query over the payments of the
 * window, narrowed by the contracts tab's filter (a department; a handler's own contracts).
 */
export async function paymentMonths(
  x: ContractDeps,
  now: Date,
  filter: DashboardFilter = {},
  period?: { from?: string | undefined; to?: string | undefined },
) {
  const today = calendarDay(now, x.config.timeZone);
  const months = monthsOf(today, period);
  const from = `${months[0]}-01`;
  const to = addDays(addMonths(`${months.at(-1)}-01`, 1), -1);
  // $1 department, $2 owner (null: no narrowing), $3 today, $4–$5 the window.
  const { rows } = await x.database.query<Row>(
    `with p as (
       select coalesce(b.code, 'dept:' || coalesce(c.department, '-')) as code,
         coalesce(b.name, '无预算 No budget') as name, coalesce(b.department, c.department, '-') as department,
         p.state, p.amount_fen, p.planned_date, p.paid_date
       from contracts_payments p join contracts_contracts c on c.id = p.contract_id
       left join contracts_budgets b on b.id = p.budget_id
       where p.state in ('pending_approval', 'approved', 'paid')
         and ($1::text is null or coalesce(b.department, c.department) = $1)
         and ($2::text is null or c.owner_open_id = $2))
     select code, name, department, 'planned' as kind, to_char(planned_date, 'YYYY-MM') as month,
       sum(amount_fen)::text as fen,
       coalesce(sum(amount_fen) filter (where state <> 'paid' and planned_date < $3::date), 0)::text as overdue_fen
     from p where planned_date between $4::date and $5::date group by 1, 2, 3, 5
     union all
     select code, name, department, 'paid', to_char(paid_date, 'YYYY-MM'), sum(amount_fen)::text, '0'
     from p where state = 'paid' and paid_date between $4::date and $5::date group by 1, 2, 3, 5
     union all
     select code, name, department, 'unscheduled', null, sum(amount_fen)::text, '0'
     from p where state <> 'paid' and planned_date is null group by 1, 2, 3`,
    [filter.department ?? null, filter.owner ?? null, today, from, to],
  );
  const blank = (): MonthCell[] => months.map((month) => ({ month, plannedFen: 0, paidFen: 0, overdueFen: 0 }));
  const lines = new Map<string, PlanLine>();
  for (const r of rows) {
    const line = lines.get(r.code) ?? {
      key: r.code,
      label: r.name,
      department: r.department,
      months: blank(),
      plannedFen: 0,
      paidFen: 0,
      overdueFen: 0,
      unscheduledFen: 0,
    };
    lines.set(r.code, line);
    add(line, r);
  }
  const byBudget = [...lines.values()].sort((a, b) => a.key.localeCompare(b.key));
  const byDepartment = rollUp(byBudget, blank);
  return {
    today,
    months,
    definition: MONTHS_DEFINITION,
    total: rollUp(byBudget, blank, () => 'all')[0] ?? emptyLine('all', blank()),
    byBudget,
    byDepartment,
  };
}

function add(line: PlanLine, r: Row): void {
  const fen = Number(r.fen);
  if (r.kind === 'unscheduled') {
    line.unscheduledFen += fen;
    return;
  }
  const cell = line.months.find((m) => m.month === r.month)!;
  if (r.kind === 'paid') {
    cell.paidFen += fen;
    line.paidFen += fen;
    return;
  }
  cell.plannedFen += fen;
  cell.overdueFen += Number(r.overdue_fen);
  line.plannedFen += fen;
  line.overdueFen += Number(r.overdue_fen);
}

const emptyLine = (key: string, months: MonthCell[]): PlanLine => ({
  key,
  label: key,
  department: key,
  months,
  plannedFen: 0,
  paidFen: 0,
  overdueFen: 0,
  unscheduledFen: 0,
});

/** Lines summed by department (or by `keyOf`), month by month. */
function rollUp(lines: PlanLine[], blank: () => MonthCell[], keyOf = (l: PlanLine) => l.department): PlanLine[] {
  const out = new Map<string, PlanLine>();
  for (const l of lines) {
    const k = keyOf(l);
    const sum = out.get(k) ?? emptyLine(k, blank());
    out.set(k, sum);
    sum.plannedFen += l.plannedFen;
    sum.paidFen += l.paidFen;
    sum.overdueFen += l.overdueFen;
    sum.unscheduledFen += l.unscheduledFen;
    l.months.forEach((m, i) => {
      sum.months[i]!.plannedFen += m.plannedFen;
      sum.months[i]!.paidFen += m.paidFen;
      sum.months[i]!.overdueFen += m.overdueFen;
    });
  }
  return [...out.values()].sort((a, b) => a.key.localeCompare(b.key));
}

export type PaymentMonths = Awaited<ReturnType<typeof paymentMonths>>;
