import { z } from 'zod';
import type { Refusal } from '../../../mirror/index.js';
import { DEPARTMENT_NAME } from '../bitable.js';
import {
  BUDGET_CATEGORIES,
  BUDGET_CATEGORY_LABELS,
  BUDGET_STATE_LABELS,
  BUDGET_STATES,
  type BudgetCategory,
  type BudgetState,
} from '../logic/budget.js';
import type { BudgetRow } from '../repository.js';
import { dayOf, textOf, type Cells } from './cells.js';

/** What a 预算 row says about its budget line: the people-owned columns the workflow reads. */
export type BudgetLine = Pick<
  BudgetRow,
  | 'code'
  | 'name'
  | 'department'
  | 'periodStart'
  | 'periodEnd'
  | 'amountFen'
  | 'fiscalYear'
  | 'category'
  | 'ownerOpenId'
  | 'state'
>;

const keyOfName = <K extends string>(keys: readonly K[], name: (k: K) => string) =>
  Object.fromEntries(keys.map((k) => [name(k), k])) as Record<string, K>;
const DEPARTMENT_OF_NAME = keyOfName(Object.keys(DEPARTMENT_NAME), (k) => DEPARTMENT_NAME[k]!);
const CATEGORY_OF_NAME = keyOfName(BUDGET_CATEGORIES, (k) => BUDGET_CATEGORY_LABELS[k].zh);
const STATE_OF_NAME = keyOfName(BUDGET_STATES, (k) => BUDGET_STATE_LABELS[k].zh);
export const CATEGORY_NAME = (c: BudgetCategory): string => BUDGET_CATEGORY_LABELS[c].zh;
export const STATE_NAME = (s: BudgetState): string => BUDGET_STATE_LABELS[s].zh;

const required = (what: string) => ({ error: `${what}不能为空 · This column is required` });
const oneOf = <K extends string>(of: Record<string, K>, what: string) =>
  z
    .string(required(what))
    .refine((n) => n in of, { error: `${what}须为 ${Object.keys(of).join('、')} 之一 · Pick one of the options` })
    .transform((n) => of[n]!);

/** The row's cells, read once: each column's rule and the message its editor gets. */
const BudgetCells = z.object({
  budget_name: z.string(required('预算名称')),
  code: z.string(required('预算编码')),
  department: oneOf(DEPARTMENT_OF_NAME, '部门'),
  amount: z
    .number(required('预算金额'))
    .refine((n) => Number.isFinite(n) && n >= 0, { error: '预算金额不能为负数 · The amount cannot be negative' }),
  period_start: z.string(required('开始日期')),
  period_end: z.string(required('结束日期')),
  fiscal_year: z
    .number()
    .int({ error: '年度须为四位年份，如 2026 · The fiscal year is a year like 2026' })
    .min(2000, { error: '年度须为四位年份，如 2026 · The fiscal year is a year like 2026' })
    .max(2100, { error: '年度须为四位年份，如 2026 · The fiscal year is a year like 2026' })
    .nullable(),
  category: oneOf(CATEGORY_OF_NAME, '类别').nullable(),
  owner: z.string().nullable(),
  // An empty 状态 is 生效: lines finance added before the column was read keep taking payments.
  state: oneOf(STATE_OF_NAME, '状态').nullable(),
});

/** Without these a row is not a budget line yet (a person fills a new row cell by cell: no message meanwhile). */
const REQUIRED = ['budget_name', 'code', 'department', 'amount', 'period_start', 'period_end'] as const;

const firstUser = (v: unknown): string | null => {
  const first: unknown = Array.isArray(v) ? v[0] : undefined;
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && 'id' in first && typeof first.id === 'string') return first.id;
  return null;
};

/** The row's cells → a budget line, or why not (by column). */
export function budgetLineOf(
  cells: Cells,
  timeZone: string,
): { line: BudgetLine; refusals: Refusal[]; missing: string[] } {
  const raw = {
    budget_name: textOf(cells.budget_name),
    code: textOf(cells.code),
    department: textOf(cells.department),
    amount: typeof cells.amount === 'number' ? cells.amount : undefined,
    period_start: dayOf(cells.period_start, timeZone),
    period_end: dayOf(cells.period_end, timeZone),
    fiscal_year: typeof cells.fiscal_year === 'number' ? cells.fiscal_year : null,
    category: textOf(cells.category) ?? null,
    owner: firstUser(cells.owner),
    state: textOf(cells.state) ?? null,
  };
  const missing = REQUIRED.filter((k) => raw[k] === undefined);
  const parsed = BudgetCells.safeParse(raw);
  const refusals: Refusal[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ key: String(i.path[0]), reason: i.message }));
  // Beside the columns' own rules (zod checks an object's refinements only once its columns all parse).
  if (raw.period_start && raw.period_end && raw.period_end < raw.period_start)
    refusals.push({ key: 'period_end', reason: '结束日期早于开始日期 · The period ends before it starts' });
  const year = raw.fiscal_year;
  return {
    line: {
      name: raw.budget_name ?? '',
      code: raw.code ?? '',
      department: (raw.department && DEPARTMENT_OF_NAME[raw.department]) ?? '',
      amountFen: Math.round((raw.amount ?? 0) * 100),
      periodStart: raw.period_start ?? '',
      periodEnd: raw.period_end ?? '',
      fiscalYear: year !== null && Number.isInteger(year) && year >= 2000 && year <= 2100 ? year : null,
      category: raw.category ? (CATEGORY_OF_NAME[raw.category] ?? null) : null,
      ownerOpenId: raw.owner,
      state: raw.state ? (STATE_OF_NAME[raw.state] ?? 'active') : 'active',
    },
    refusals,
    missing,
  };
}
