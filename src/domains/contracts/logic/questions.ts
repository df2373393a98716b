import { addDays, addMonths } from './dates.js';

/** A question in plain words after `合同`, or null when the text is a lookup (number or counterparty). */
export type Question =
  | { kind: 'pending' }
  | { kind: 'payments' }
  | { kind: 'payment-month' }
  | { kind: 'expiring'; from: string; to: string; label: string }
  | { kind: 'budget'; department: string | null; from: string; to: string; label: string };

const monthStart = (today: string): string => `${today.slice(0, 7)}-01`;

/** The calendar quarter holding `today`: its first and last day. */
export function quarterOf(today: string): { from: string; to: string } {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const first = `${y}-${String(Math.floor((m - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
  return { from: first, to: addDays(addMonths(first, 3), -1) };
}

/**
 * 待我审批 · 付款计划 · 本月付款 · 下月到期的合同 / 本月到期 / 30天内到期 · 运营本季度预算还剩多少 / 预算 运营 / 本季度预算 —
 * read against `today` (a business-time-zone calendar day). Pure.
 */
export function parseQuestion(text: string, today: string): Question | null {
  const t = text.trim().replace(/[?？!！。]+$/, '');
  if (/^(待我审批|我的审批|pending|to approve)$/i.test(t)) return { kind: 'pending' };
  if (/^(付款计划|待付款|付款|payment plan|payments)$/i.test(t)) return { kind: 'payments' };
  if (/^(本月付款|本月付款计划|付款月报|payments this month)$/i.test(t)) return { kind: 'payment-month' };
  if (/^(下个?月到期(的合同)?|expiring next month)$/i.test(t)) {
    const from = addMonths(monthStart(today), 1);
    return { kind: 'expiring', from, to: addDays(addMonths(from, 1), -1), label: '下月到期 Expiring next month' };
  }
  if (/^(本月到期(的合同)?|expiring this month)$/i.test(t)) {
    return {
      kind: 'expiring',
      from: today,
      to: addDays(addMonths(monthStart(today), 1), -1),
      label: '本月到期 Expiring this month',
    };
  }
  const within = /^(\d{1,3})\s*天内到期(的合同)?$/.exec(t);
  if (within) {
    const days = Number(within[1]);
    return { kind: 'expiring', from: today, to: addDays(today, days), label: `${days} 天内到期 Within ${days} days` };
  }
  const budget = /^(?:预算\s*(.*)|(.*?)\s*(?:本季度|这个?季度)?\s*预算(?:还剩多少|还剩|剩余|剩多少|余额)?)$/.exec(t);
  if (budget) {
    const q = quarterOf(today);
    const dept = (budget[1] ?? budget[2] ?? '').replace(/^(本季度|这个?季度)|(本季度|这个?季度|部门)$/g, '').trim();
    return { kind: 'budget', department: dept || null, ...q, label: `本季度 ${q.from} → ${q.to}` };
  }
  return null;
}
