import { bi, type Bilingual } from '../../shared/bilingual.js';
import type { ContractType } from './contract.js';

/** A budget line's state, as finance keeps it in 预算.状态 (an empty cell counts as 生效 active). */
export const BUDGET_STATES = ['draft', 'active', 'frozen', 'closed'] as const;
export type BudgetState = (typeof BUDGET_STATES)[number];
export const BUDGET_STATE_LABELS: Readonly<Record<BudgetState, Bilingual>> = {
  draft: bi('草稿', 'Draft'),
  active: bi('生效', 'Active'),
  frozen: bi('冻结', 'Frozen'),
  closed: bi('已关闭', 'Closed'),
};

/** 预算.类别: the spending categories (option names as in bitable-templates/budgets.json). */
export const BUDGET_CATEGORIES = [
  'marketing',
  'logistics',
  'procurement',
  'outsourcing',
  'it',
  'admin',
  'other',
] as const;
export type BudgetCategory = (typeof BUDGET_CATEGORIES)[number];
export const BUDGET_CATEGORY_LABELS: Readonly<Record<BudgetCategory, Bilingual>> = {
  marketing: bi('营销推广', 'Marketing'),
  logistics: bi('物流', 'Logistics'),
  procurement: bi('采购', 'Procurement'),
  outsourcing: bi('人力外包', 'Outsourcing'),
  it: bi('软件与IT', 'Software & IT'),
  admin: bi('行政', 'Admin'),
  other: bi('其他', 'Other'),
};

/**
 * The budget category a contract type spends from. Types not listed (service, framework, lease, sales, NDA, other)
 * can be charged to a line of any category; a line of category 其他 or with no category takes any contract.
 */
export const CATEGORY_OF_TYPE: Readonly<Partial<Record<ContractType, BudgetCategory>>> = {
  purchase: 'procurement',
  marketing: 'marketing',
  logistics: 'logistics',
};

const NOT_IN_FORCE: Readonly<Partial<Record<BudgetState, Bilingual>>> = {
  draft: bi('尚为草稿', 'still a draft'),
  frozen: bi('已冻结', 'frozen'),
  closed: bi('已关闭', 'closed'),
};

export interface BudgetTerms {
  name: string;
  code: string;
  state: BudgetState;
  fiscalYear: number | null;
  category: BudgetCategory | null;
}

/**
 * Why a payment dated `day` (YYYY-MM-DD, business zone) on a contract of `type` may not be charged to the line, or
 * null. The fiscal year is the calendar year (会计法 第十一条: 会计年度自公历 1 月 1 日起至 12 月 31 日止).
 */
export function budgetRefusal(b: BudgetTerms, type: string, day: string): string | null {
  const line = `预算「${b.name}」（${b.code}）`;
  const closed = NOT_IN_FORCE[b.state];
  if (closed) return `${line}${closed.zh}，不能付款 · The budget line is ${closed.en}; it takes no payments`;
  const year = Number(day.slice(0, 4));
  if (b.fiscalYear !== null && b.fiscalYear !== year)
    return (
      `${line}属于 ${b.fiscalYear} 年度，付款日期 ${day} 在 ${year} 年，请改用 ${year} 年度的预算 · ` +
      `The budget line is for ${b.fiscalYear}; the payment falls in ${year}`
    );
  const wanted = CATEGORY_OF_TYPE[type as ContractType];
  if (b.category && b.category !== 'other' && wanted && wanted !== b.category) {
    const has = BUDGET_CATEGORY_LABELS[b.category];
    const needs = BUDGET_CATEGORY_LABELS[wanted];
    return (
      `${line}的类别是「${has.zh}」，该合同应使用「${needs.zh}」类预算 · ` +
      `The line is for ${has.en}; this contract spends from ${needs.en}`
    );
  }
  return null;
}
