import { z } from 'zod';
import { badInput } from './service/context.js';
import type { NewContractInput } from './service/create.js';

/**
 * Boundary schemas: API bodies and card values parsed once; semantic checks (dates, currency, sign) give 400s in the
 * service.
 */
const Text = (max: number) => z.string().trim().max(max);
const Id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Version = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional();

export const CreateContractBody = z.object({
  source: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .regex(/^[a-z0-9_.-]+$/i, '只能用字母、数字和 _ . - · letters, digits, _ . - only')
    .default('api'),
  externalId: Text(120).min(1),
  contractNo: Text(60).min(1).optional(),
  title: Text(200),
  counterparty: Text(200),
  creditCode: Text(18).optional(),
  type: Text(40),
  productType: Text(60).optional(),
  shopType: Text(60).optional(),
  custom: z.record(z.string().max(60), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()])).optional(),
  amountFen: z.number().int('金额须为整数分 · amountFen is whole fen'),
  currency: Text(10).default('CNY'),
  signDate: Text(10).optional(),
  startDate: Text(10),
  endDate: Text(10),
  noticeDays: z.number().int().optional(),
  autoRenew: z.boolean().optional(),
  ownerOpenId: Text(64).min(1),
  department: Text(40).optional(),
  budgetCode: Text(40).optional(),
  files: z.array(z.url().max(500)).max(20).optional(),
  requesterOpenId: Text(64).optional(),
  submit: z.boolean().optional(),
});
export type CreateContractBody = z.infer<typeof CreateContractBody>;

export const newContractFromApi = (b: CreateContractBody): NewContractInput => ({ ...b, source: b.source });

export const ContractParams = z.object({ id: Id });
export const NoParams = z.object({ no: Text(60).min(1) });
export const PaymentBody = z.object({
  amountFen: z.number().int(),
  plannedDate: Text(10).optional(),
  externalId: Text(120).optional(),
  by: Text(64).default('api'),
});

export const PaymentParams = z.object({ paymentId: Id });
export const PaidBody = z.object({ paidDate: Text(10).optional() });

export const DecideValue = z.object({
  action: z.literal('contracts.decide'),
  stepId: Id,
  version: Version,
  decision: z.enum(['approve', 'reject', 'return']),
});
export const ResubmitValue = z.object({ action: z.literal('contracts.resubmit'), contractId: Id, version: Version });
export const RenewalValue = z.object({
  action: z.literal('contracts.renewal'),
  contractId: Id,
  version: Version,
  choice: z.enum(['renew', 'let_expire', 'later']),
});
export const PaymentDecideValue = z.object({
  action: z.literal('contracts.payment-decide'),
  paymentId: Id,
  decision: z.enum(['approve', 'reject']),
});
/** 撤回: names the version the card was drawn with (a contract in approval), so a repeat or an old card does nothing. */
export const WithdrawValue = z.object({ action: z.literal('contracts.withdraw'), contractId: Id, version: Version });
/** 终止 on a card: opens the reason form for the version the card was drawn with. */
export const TerminateFormValue = z.object({
  action: z.literal('contracts.terminate-form'),
  contractId: Id,
  version: Version,
});
/** The form's 确认终止 (the reason arrives as the form's `reason`): the version again, so a double click ends it once. */
export const TerminateValue = z.object({ action: z.literal('contracts.terminate'), contractId: Id, version: Version });
/** The form's 返回: the contract's card again, nothing changed. */
export const TerminateBackValue = z.object({ action: z.literal('contracts.terminate-back'), contractId: Id });
export const CreateValue = z.object({ action: z.literal('contracts.create') });
export const NewFormValue = z.object({ action: z.literal('contracts.new-form') });
export const MyApprovalsValue = z.object({ action: z.literal('contracts.my-approvals') });
export const ExpiringValue = z.object({ action: z.literal('contracts.expiring-next-month') });

/** 1234.5 / ¥1,234.50 → fen; refuses more than two decimals, signs kept (negative is refused by the service). */
export function amountToFen(text: string): number {
  const t = text.replace(/[¥,，\s元]/g, '');
  if (!/^-?\d+(\.\d{1,2})?$/.test(t))
    throw badInput(`无法识别金额「${text.slice(0, 20)}」 · Unreadable amount`, 'amount');
  return Math.round(Number(t) * 100);
}

/**
 * A card date picker's value. The form value format is not confirmed in FEISHU.md (the docs show
 * "2024-01-01 +0800"); the first YYYY-MM-DD in the value is taken, and a bare date works too.
 */
export function dateOf(value: unknown, field: string): string {
  const m = typeof value === 'string' ? /(\d{4}-\d{2}-\d{2})/.exec(value) : null;
  if (!m) throw badInput(`请选择日期 · Pick a date (${field})`, field);
  return m[1]!;
}

/** The 新建合同 card form → an intake. */
export function contractFromForm(form: Record<string, unknown>, operator: string): NewContractInput {
  const str = (k: string, max: number): string => {
    const v = form[k];
    if (typeof v !== 'string') return '';
    if (v.trim().length > max) throw badInput(`${k} 超过 ${max} 字 · too long`, k);
    return v.trim();
  };
  const notice = str('notice_days', 4);
  if (notice && !/^\d+$/.test(notice))
    throw badInput('通知天数须为整数 · Notice days is a whole number', 'notice_days');
  return {
    source: 'card',
    title: str('title', 200),
    counterparty: str('counterparty', 200),
    type: str('type', 40) || 'other',
    amountFen: amountToFen(str('amount', 20)),
    currency: str('currency', 10) || 'CNY',
    startDate: dateOf(form.start_date, 'start_date'),
    endDate: dateOf(form.end_date, 'end_date'),
    noticeDays: notice ? Number(notice) : null,
    budgetCode: str('budget', 40) || null,
    ownerOpenId: operator,
    requesterOpenId: operator,
  };
}
