import type { FieldOwner, Refusal, TableSpec } from '../../../mirror/index.js';
import { DEPARTMENT_NAME } from '../bitable.js';
import type { BudgetRow } from '../repository.js';
import { yuan } from '../card-text.js';
import { dateCell, dayOf, merged, refusedAdd, textOf, type Cells } from './cells.js';
import type { GridDeps } from './counterparties.js';
import { gridRepo } from './repository.js';

/** 预算: budget lines finance adds and keeps; the bot keeps what contracts and payments used of them. */
export const BUDGET_TABLE = 'budgets';

const PEOPLE = [
  'budget_name',
  'code',
  'fiscal_year',
  'department',
  'category',
  'owner',
  'amount',
  'period_start',
  'period_end',
  'state',
  'note',
] as const;
const BOT = ['committed', 'spent', 'remaining', 'utilization', 'payments', 'updated_at'] as const;
export const BUDGET_OWNERS: Record<string, FieldOwner> = Object.fromEntries([
  ...PEOPLE.map((k) => [k, 'people']),
  ...BOT.map((k) => [k, 'bot']),
]);
const DEPARTMENT_OF_NAME: Record<string, string> = Object.fromEntries(
  Object.entries(DEPARTMENT_NAME).map(([k, n]) => [n, k]),
);
// Without these a row is not a budget line yet (a person fills a new row cell by cell: no message meanwhile).
const REQUIRED = ['budget_name', 'code', 'department', 'amount', 'period_start', 'period_end'] as const;
const REQUIRED_NAME: Record<(typeof REQUIRED)[number], string> = {
  budget_name: '预算名称',
  code: '预算编码',
  department: '部门',
  amount: '预算金额',
  period_start: '开始日期',
  period_end: '结束日期',
};

/** A budget line as its row (codec input form). */
export function budgetRow(b: BudgetRow, timeZone: string): Record<string, unknown> {
  return {
    budget_name: b.name,
    code: b.code,
    department: DEPARTMENT_NAME[b.department] ?? null,
    amount: b.amountFen / 100,
    period_start: dateCell(b.periodStart, timeZone),
    period_end: dateCell(b.periodEnd, timeZone),
    committed: b.committedFen / 100,
    spent: b.spentFen / 100,
    utilization: b.amountFen > 0 ? Math.round((b.spentFen / b.amountFen) * 10_000) / 10_000 : 0,
  };
}

type Line = Pick<BudgetRow, 'code' | 'name' | 'department' | 'periodStart' | 'periodEnd' | 'amountFen'>;

/** The row's cells → a budget line, or why not (by field). */
function lineOf(cells: Cells, timeZone: string): { line: Line; refusals: Refusal[]; missing: string[] } {
  const refusals: Refusal[] = [];
  const missing = REQUIRED.filter((k) => cells[k] === null || cells[k] === undefined || cells[k] === '');
  for (const k of missing) refusals.push({ key: k, reason: `${REQUIRED_NAME[k]}不能为空 · This column is required` });
  const departmentName = textOf(cells.department);
  const department = departmentName ? DEPARTMENT_OF_NAME[departmentName] : undefined;
  if (departmentName && !department)
    refusals.push({
      key: 'department',
      reason: `部门须为 ${Object.values(DEPARTMENT_NAME).join('、')} 之一 · Pick one of the departments`,
    });
  const amount = typeof cells.amount === 'number' ? cells.amount : null;
  if (amount !== null && (!Number.isFinite(amount) || amount < 0))
    refusals.push({ key: 'amount', reason: '预算金额不能为负数 · The amount cannot be negative' });
  const start = dayOf(cells.period_start, timeZone);
  const end = dayOf(cells.period_end, timeZone);
  if (start && end && end < start)
    refusals.push({ key: 'period_end', reason: '结束日期早于开始日期 · The period ends before it starts' });
  return {
    line: {
      code: textOf(cells.code) ?? '',
      name: textOf(cells.budget_name) ?? '',
      department: department ?? '',
      periodStart: start ?? '',
      periodEnd: end ?? '',
      amountFen: Math.round((amount ?? 0) * 100),
    },
    refusals,
    missing,
  };
}

/** The declaration of 预算: rows finance adds become budget lines; a bad edit is put back, the editor told why. */
export function budgetTableSpec(
  deps: GridDeps,
  options: { withEdits: boolean } = { withEdits: true },
): TableSpec<BudgetRow> {
  const { db, timeZone } = deps;
  return {
    owner: BUDGET_OWNERS,
    label: '预算',
    numberOf: (b) => b.code,
    load: async (recordId) => gridRepo.budgetByRecord(db, recordId),
    recordIdOf: (b) => b.bitableRecordId,
    toRow: (b) => budgetRow(b, timeZone),
    async onWritten(b, written) {
      if (b.bitableRecordId !== written.recordId) await gridRepo.setBudgetRecord(db, b.id, written.recordId);
    },
    ...(options.withEdits
      ? {
          async onEdit(edit) {
            const keys = new Set(edit.fields.map((f) => f.key));
            const current = budgetRow(edit.entity, timeZone);
            const first = lineOf(merged(current, edit.fields), timeZone);
            const refusals = first.refusals.filter((r) => keys.has(r.key));
            if (first.line.code && first.line.code !== edit.entity.code)
              if (await gridRepo.codeTaken(db, first.line.code, edit.entity.id))
                refusals.push({ key: 'code', reason: '预算编码已被其他预算使用 · Another budget line has this code' });
            const kept = edit.fields.filter((f) => !refusals.some((r) => r.key === f.key));
            const { line } = lineOf(merged(current, kept), timeZone);
            const saved = await gridRepo.updateBudget(db, edit.entity.id, line);
            if (!saved && keys.has('amount'))
              return [
                ...refusals,
                {
                  key: 'amount',
                  reason:
                    `预算金额不能低于已申请的付款 ${yuan(edit.entity.reservedFen)} · ` +
                    'The amount cannot go below the payments already requested',
                },
              ];
            return refusals;
          },
          async onAdd(row) {
            const { line, refusals, missing } = lineOf(row.values, timeZone);
            if (missing.length > 0) return undefined; // not a budget line yet: the row waits for its cells
            if (await gridRepo.codeTaken(db, line.code, null))
              refusals.push({
                key: 'code',
                reason: `预算编码「${line.code}」已被其他预算使用 · Another budget line has this code`,
              });
            if (refusals.length > 0) {
              if (row.operatorOpenId)
                await deps.tell(
                  row.operatorOpenId,
                  `${row.key}:refused`,
                  refusedAdd(
                    '预算',
                    line.name,
                    refusals.map((r) => r.reason),
                  ),
                );
              return undefined;
            }
            return gridRepo.insertBudget(db, { ...line, bitableRecordId: row.recordId });
          },
        }
      : {}),
  };
}
