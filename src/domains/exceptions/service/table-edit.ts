import { AppError } from '../../../core/errors.js';
import type { CasePatch } from '../repository.js';
import { actorFor, commitChange, type ExceptionDeps } from './context.js';
import { fillFields } from './fill.js';
import { loadCase } from './act.js';
import { fitToLimit, LIMITS, tooLongMessage } from '../limits.js';

/** What a person may change on a case in the 异常件工单 grid (the people-owned columns it holds). */
export interface TableEdits {
  title?: string | null;
  shop?: string | null;
  orderNo?: string | null;
  channel?: string | null;
  description?: string | null;
  resolution?: string | null;
  /** Fen; null when the cell was emptied. */
  amountAtRiskFen?: number | null;
  /** tracking_number / return_tracking_number; null when emptied. */
  numbers?: Record<string, string | null>;
}

/** A field the case would not take, by its name in TableEdits (or `numbers.<id>`), and why. */
export interface EditRefusal {
  field: string;
  reason: string;
}

const MAX_AMOUNT_FEN = 10_000_000_000;

/**
 * People's edits from the grid: each field checked as on the card and in chat, the accepted ones
 * committed in one change, the refused ones returned (the kit puts them back and tells the editor).
 */
export async function editFromTable(
  x: ExceptionDeps,
  caseId: number,
  edits: TableEdits,
  operatorOpenId: string,
  now: Date,
): Promise<EditRefusal[]> {
  const refusals: EditRefusal[] = [];
  const refuse = (field: string, reason: string) => void refusals.push({ field, reason });
  const patch: CasePatch = {};
  const text = (v: string | null | undefined) => (v ?? '').trim();
  if (edits.title !== undefined) {
    if (text(edits.title)) patch.title = fitToLimit('title', text(edits.title)).text;
    else refuse('title', '摘要不能为空 · The summary cannot be empty');
  }
  if (edits.amountAtRiskFen !== undefined) {
    const fen = edits.amountAtRiskFen;
    if (fen === null)
      refuse('amountAtRiskFen', '涉及金额不能为空，请填写数字 · The amount at risk cannot be empty; enter a number');
    else if (!Number.isFinite(fen) || fen < 0 || fen > MAX_AMOUNT_FEN)
      refuse(
        'amountAtRiskFen',
        '涉及金额须为 0 至 1 亿元之间的数字 · The amount must be a number from 0 to 100,000,000',
      );
    else patch.amountAtRiskFen = Math.round(fen);
  }
  // Free text over its limit is cut and kept (the row keeps the full text, limits.ts); a reference
  // over its limit would be a different reference, so it is refused and put back.
  for (const key of ['description', 'resolution'] as const) {
    if (edits[key] === undefined) continue;
    const value = fitToLimit(key, text(edits[key])).text;
    if (key === 'description') patch.description = value;
    else patch.resolution = value || null;
  }
  for (const key of ['shop', 'orderNo', 'channel'] as const) {
    if (edits[key] === undefined) continue;
    const value = text(edits[key]);
    if (value.length > LIMITS[key]) refuse(key, tooLongMessage(key, value.length));
    else patch[key] = value || null;
  }

  const c = await loadCase(x, caseId);
  if (Object.keys(patch).length > 0) {
    await commitChange(x, {
      current: c,
      patch,
      action: 'table_edit',
      actor: operatorOpenId,
      now,
      details: { source: 'bitable', fields: Object.keys(patch) },
    });
  }
  for (const [id, value] of Object.entries(edits.numbers ?? {})) {
    if (!text(value)) {
      refuse(`numbers.${id}`, '单号不能清空 · A number cannot be cleared');
      continue;
    }
    try {
      const actor = await actorFor(x, operatorOpenId, c);
      await fillFields(x, caseId, { [id]: text(value) }, { actor, source: 'bitable' }, now);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      refuse(`numbers.${id}`, err.message);
    }
  }
  return refusals;
}
