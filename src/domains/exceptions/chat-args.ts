import { ValidationError } from '../../core/errors.js';
import type { NewCaseInput } from './service/create.js';
import { findKind, type CaseKindsConfig } from './logic/kinds.js';
import { parseAmountToFen } from './logic/money.js';
import { parseTrackingNumber } from './logic/tracking-numbers.js';
import { line } from './service/fields.js';
import { LIMITS, tooLongMessage } from './limits.js';

export const USAGE =
  '异常件 <类型> <订单号> [快递单号] [金额] [描述] · exception <kind> <order no> [tracking no] [amount] [description]';

export type ChatRequest =
  | { type: 'form' }
  | { type: 'lookup'; needle: string }
  | { type: 'create'; input: Omit<NewCaseInput, 'source' | 'reporterOpenId'> };

const AMOUNT = /^(?:[¥￥]|RMB|CNY)|(?:元|块)$|^\d+\.\d{1,2}$/i;

/**
 * What `异常件 …` asks for: nothing → the form; one word → a lookup (order, tracking or case
 * number); a kind first → a new case. Anything else names an unknown kind.
 */
export function parseChatRequest(args: string, kinds: CaseKindsConfig): ChatRequest {
  const tokens = args.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return { type: 'form' };
  const kind = findKind(kinds, tokens[0]!);
  if (!kind.ok) {
    if (tokens.length === 1) return { type: 'lookup', needle: tokens[0]!.slice(0, LIMITS.orderNo) };
    throw new ValidationError(line(kind.error.message), { field: 'kind' });
  }
  const orderNo = tokens[1];
  if (!orderNo) throw new ValidationError(`请写上订单号。用法：${USAGE} · Add the order number`);
  if (orderNo.length > LIMITS.orderNo) throw new ValidationError('订单号过长 · The order number is too long');
  const fields: Record<string, string> = {};
  let amountAtRiskFen: number | undefined;
  const words: string[] = [];
  for (const token of tokens.slice(2)) {
    if (!fields.tracking_number && parseTrackingNumber(token).ok) {
      fields.tracking_number = token;
    } else if (amountAtRiskFen === undefined && (AMOUNT.test(token) || token.startsWith('-'))) {
      const amount = parseAmountToFen(token);
      if (!amount.ok) throw new ValidationError(line(amount.error.message), { field: 'amount' });
      amountAtRiskFen = amount.value;
    } else {
      words.push(token);
    }
  }
  const description = words.join(' ');
  // Refused, not cut: the sender is right there and can shorten it (see limits.ts).
  if (description.length > LIMITS.description)
    throw new ValidationError(tooLongMessage('description', description.length), { field: 'description' });
  return { type: 'create', input: { kind: kind.value.id, orderNo, fields, amountAtRiskFen, description } };
}
