import { z } from 'zod';
import { ValidationError } from '../../core/errors.js';
import { CaseState, Priority } from './logic/case.js';
import { parseAmountToFen } from './logic/money.js';
import { line } from './service/fields.js';
import type { NewCaseInput } from './service/create.js';
import { Counterparty } from './service/money.js';
import { CardVerb } from './service/act.js';
import { LIMITS, tooLongMessage, type LimitedField } from './limits.js';

/** Boundary schemas: card forms and API bodies are parsed here once; inside, types are trusted. */

const Text = (field: LimitedField) => z.string().trim().max(LIMITS[field]);
const Fen = z
  .number()
  .int('须为整数分 · must be whole fen')
  .nonnegative('不能为负数 · must not be negative')
  .max(1_000_000_000_00);

export const CreateForm = z.object({
  kind: Text('kind').min(1),
  order_no: Text('orderNo').min(1),
  tracking_number: Text('trackingNumber').optional(),
  amount: Text('amountText').optional(),
  description: Text('description').optional(),
});
const FORM_FIELDS: Record<string, LimitedField> = {
  kind: 'kind',
  order_no: 'orderNo',
  tracking_number: 'trackingNumber',
  amount: 'amountText',
  description: 'description',
};

/** The 新建异常件 card form; a bad amount or a missing kind is the user's to fix. */
export function parseCreateForm(form: Record<string, unknown>): Omit<NewCaseInput, 'source' | 'reporterOpenId'> {
  const parsed = CreateForm.safeParse(form);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    const limited = FORM_FIELDS[field];
    const value = form[field];
    if (issue?.code === 'too_big' && limited && typeof value === 'string')
      throw new ValidationError(tooLongMessage(limited, value.trim().length), { field });
    throw new ValidationError(`请填写完整：${field} · Please complete the form: ${field}`, { field });
  }
  const f = parsed.data;
  let amountAtRiskFen: number | undefined;
  if (f.amount) {
    const amount = parseAmountToFen(f.amount);
    if (!amount.ok) throw new ValidationError(line(amount.error.message), { field: 'amount' });
    amountAtRiskFen = amount.value;
  }
  return {
    kind: f.kind,
    orderNo: f.order_no,
    fields: { tracking_number: f.tracking_number },
    amountAtRiskFen,
    description: f.description ?? '',
  };
}

export const CreateCaseBody = z.object({
  source: z
    .string()
    .trim()
    .min(1)
    .max(LIMITS.source)
    .regex(/^[a-z0-9_.-]+$/i, '只能用字母、数字和 _ . - · letters, digits, _ . - only')
    .default('api'),
  externalId: Text('externalId').min(1),
  kind: Text('kind').min(1),
  priority: Priority.optional(),
  title: Text('title').optional(),
  description: Text('description').optional(),
  orderNo: Text('orderNo').optional(),
  channel: Text('channel').optional(),
  shop: Text('shop').optional(),
  trackingNumber: Text('trackingNumber').optional(),
  returnTrackingNumber: Text('trackingNumber').optional(),
  amountAtRiskFen: Fen.optional(),
  platformDeadline: z.iso.datetime({ offset: true }).optional(),
  reporterOpenId: Text('person').optional(),
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
  trackingNumber: Text('trackingNumber').optional(),
  returnTrackingNumber: Text('trackingNumber').optional(),
});

export const MoneyBody = z
  .object({
    amountAtRiskFen: Fen.optional(),
    refundedFen: Fen.optional(),
    writtenOffFen: Fen.optional(),
    by: Text('person').default('api'),
  })
  .refine(
    (b) => b.amountAtRiskFen !== undefined || b.refundedFen !== undefined || b.writtenOffFen !== undefined,
    '至少填写一个金额 · give at least one amount',
  );

export const ClaimBody = z.object({
  counterpartyType: Counterparty,
  counterparty: Text('counterparty').optional(),
  claimFen: Fen.min(1),
  ownerOpenId: Text('person').optional(),
  by: Text('person').default('api'),
});

export const RecoveryBody = z.object({
  recoveredFen: Fen,
  writtenOffFen: Fen.optional(),
  by: Text('person').default('api'),
});

export const ListQuery = z.object({
  state: CaseState.optional(),
  kind: Text('kind').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/**
 * Card button values. Every button that changes a case names the case version it was drawn
 * for, so a repeat (a double click, Feishu's retry, an old card) changes nothing and is answered
 * with the current state. Cards sent before versions existed carry none and count as outdated.
 */
const CaseRef = {
  caseId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  version: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
};
export const ActValue = z.object({
  action: z.literal('exceptions.act'),
  ...CaseRef,
  verb: CardVerb,
  outcome: z.enum(['won', 'lost']).optional(),
});
export const FillValue = z.object({ action: z.literal('exceptions.fill'), ...CaseRef });
export const EscalateValue = z.object({ action: z.literal('exceptions.escalate'), ...CaseRef });
export const RequestApprovalValue = z.object({
  action: z.literal('exceptions.request-approval'),
  ...CaseRef,
  purpose: z.enum(['refund', 'compensation']),
});
/** Approval buttons name the approval row; each escalation makes a new one, so the id is the step. */
export const DecisionValue = z.object({
  action: z.enum(['exceptions.approve', 'exceptions.reject', 'exceptions.escalate-approval']),
  approvalId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});
export const CreateValue = z.object({ action: z.literal('exceptions.create') });
/** The help card's 新建异常件 button: opens the new-case form in place (changes nothing, safe to repeat). */
export const NewFormValue = z.object({ action: z.literal('exceptions.new-form') });
