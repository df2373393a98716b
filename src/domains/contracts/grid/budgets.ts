import type { FieldOwner, TableSpec } from '../../../mirror/index.js';
import { DEPARTMENT_NAME } from '../bitable.js';
import type { BudgetRow } from '../repository.js';
import { yuan } from '../card-text.js';
import { budgetLineOf, CATEGORY_NAME, STATE_NAME } from './budget-cells.js';
import { dateCell, merged, refusedAdd } from './cells.js';
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
/** The bot's cells the workflow writes after a contract or payment changes the line (the rest are formulas/links). */
export const BUDGET_TOTALS: readonly string[] = ['committed', 'spent', 'utilization'];
export const BUDGET_OWNERS: Record<string, FieldOwner> = Object.fromEntries([
  ...PEOPLE.map((k) => [k, 'people']),
  ...BOT.map((k) => [k, 'bot']),
]);
/** A budget line as its row (codec input form). */
export function budgetRow(b: BudgetRow, timeZone: string): Record<string, unknown> {
  return {
    budget_name: b.name,
    code: b.code,
    department: DEPARTMENT_NAME[b.department] ?? null,
    amount: b.amountFen / 100,
    period_start: dateCell(b.periodStart, timeZone),
    period_end: dateCell(b.periodEnd, timeZone),
    fiscal_year: b.fiscalYear,
    category: b.category ? CATEGORY_NAME(b.category) : null,
    owner: b.ownerOpenId ? [b.ownerOpenId] : [],
    state: STATE_NAME(b.state),
    committed: b.committedFen / 100,
    spent: b.spentFen / 100,
    utilization: b.amountFen > 0 ? Math.round((b.spentFen / b.amountFen) * 10_000) / 10_000 : 0,
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
            const first = budgetLineOf(merged(current, edit.fields), timeZone);
            const refusals = first.refusals.filter((r) => keys.has(r.key));
            if (first.line.code && first.line.code !== edit.entity.code)
              if (await gridRepo.codeTaken(db, first.line.code, edit.entity.id))
                refusals.push({ key: 'code', reason: '预算编码已被其他预算使用 · Another budget line has this code' });
            const kept = edit.fields.filter((f) => !refusals.some((r) => r.key === f.key));
            const { line } = budgetLineOf(merged(current, kept), timeZone);
            const saved = await deps.changeBudget((d) => gridRepo.updateBudget(d, edit.entity.id, line));
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
            const { line, refusals, missing } = budgetLineOf(row.values, timeZone);
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
