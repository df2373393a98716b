import { z } from 'zod';
import { ValidationError } from '../../core/errors.js';
import { Priority } from './logic/case.js';
import { parseAmountToFen } from './logic/money.js';
import { line } from './service/fields.js';
import type { NewCaseInput } from './service/create.js';
import { Counterparty } from './service/money.js';

/** Boundary schemas: card forms and API bodies are parsed here once; inside, types are trusted. */

const Text = (max: number) => z.string().trim().max(max);
const Fen = z.number().int('须为整数分 · must be whole fen').nonnegative('不能为负数 · must not be negative').max(1_000_000_000_00);

export const CreateForm = z.object({
  kind: Text(64).min(1),
  order_no: Text(64).min(1),
  tracking_number: Text(40).optional(),
  amount: Text(20).optional(),
  description: Text(1000).optional(),
});

/** The 新建异常件 card form; a bad amount or a missing kind is the user's to fix. */
export function parseCreateForm(form: Record<string, unknown>): Omit<NewCaseInput, 'source' | 'reporterOpenId'> {
  const parsed = CreateForm.safeParse(form);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? '');
    throw new ValidationError(`请填写完整：${field} · Please complete the form: ${field}`, { field });
  }
  const f = parsed.data;
  let amountAtRiskFen: number | undefined;
  if (f.amount) {
    const amount = parseAmountToFen(f.amount);
    if (!amount.ok) throw new ValidationError(line(amount.error.message), { field: 'amount' });
    amountAtRiskFen = amount.value;
  }
  return { kind: f.kind, orderNo: f.order_no, fields: { tracking_number: f.tracking_number }, amountAtRiskFen, description: f.description ?? '' };
}

export const CreateCaseBody = z.object({
  source: z.string().trim().min(1).max(40).regex(/^[a-z0-9_.-]+$/i, '只能用字母、数字和 _ . - · letters, digits, _ . - only').default('api'),
  externalId: Text(128).min(1),
  kind: Text(64).min(1),
  priority: Priority.optional(),
  title: Text(200).optional(),
  description: Text(2000).optional(),
  orderNo: Text(64).optional(),
  channel: Text(40).optional(),
  shop: Text(100).optional(),
  trackingNumber: Text(40).optional(),
  returnTrackingNumber: Text(40).optional(),
  amountAtRiskFen: Fen.optional(),
  platformDeadline: z.iso.datetime({ offset: true }).optional(),
  reporterOpenId: Text(100).optional(),
});
export type CreateCaseBody = z.infer<typeof CreateCaseBody>;

export function newCaseFromApi(b: CreateCaseBody): NewCaseInput {
  return {
    source: b.source,
    externalId: b.externalId,
    kind: b.kind,
    priority: b.priority,
    title: b.title,
    description: b.description,
    orderNo: b.orderNo,
    channel: b.channel,
    shop: b.shop,
    fields: { tracking_number: b.trackingNumber, return_tracking_number: b.returnTrackingNumber },
    amountAtRiskFen: b.amountAtRiskFen,
    platformDueAt: b.platformDeadline ? new Date(b.platformDeadline) : null,
    reporterOpenId: b.reporterOpenId ?? null,
  };
}

export const CaseParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
export const ClaimParams = z.object({ claimId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

export const FieldsBody = z.object({
  trackingNumber: Text(40).optional(),
  returnTrackingNumber: Text(40).optional(),
});

export const MoneyBody = z
  .object({ amountAtRiskFen: Fen.optional(), refundedFen: Fen.optional(), writtenOffFen: Fen.optional(), by: Text(100).default('api') })
  .refine((b) => b.amountAtRiskFen !== undefined || b.refundedFen !== undefined || b.writtenOffFen !== undefined, '至少填写一个金额 · give at least one amount');

export const ClaimBody = z.object({
  counterpartyType: Counterparty,
  counterparty: Text(100).optional(),
  claimFen: Fen.min(1),
  ownerOpenId: Text(100).optional(),
  by: Text(100).default('api'),
});

export const RecoveryBody = z.object({ recoveredFen: Fen, writtenOffFen: Fen.optional(), by: Text(100).default('api') });

export const ListQuery = z.object({
  state: Text(40).optional(),
  kind: Text(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
