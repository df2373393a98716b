import { z } from 'zod';
import type { CaseRow } from './repository.js';

/**
 * The seam for the Bitable mirror (异常件工单), built elsewhere. The module calls
 * `onCaseChanged` from the queue after every committed change, with the case as stored; the
 * mirror writes it to Bitable. Until one is wired, `noMirror` does nothing.
 */
export interface CaseMirror {
  onCaseChanged(change: CaseChanged): Promise<void>;
}

export interface CaseChanged {
  caseNo: string;
  case: CaseRow;
  /** Idempotency key for the mirror's write (client_token), stable across retries. */
  key: string;
}

export const noMirror: CaseMirror = { onCaseChanged: async () => undefined };

/**
 * A field staff edited in Bitable, decoded by the Bitable module (record id → case, field id →
 * field key). The exceptions module accepts it through the `exceptions.bitable-edit` job or
 * `service.applyBitableEdit()`; the same validation as the card and the chat reply applies.
 */
export const BitableCaseEdit = z.object({
  caseId: z.number().int().positive(),
  field: z.enum(['tracking_number', 'return_tracking_number', 'state', 'resolution']),
  value: z.string().max(500),
  /** The editor (operator_id.open_id of the record-changed event). */
  operatorOpenId: z.string().min(1).max(100),
});
export type BitableCaseEdit = z.infer<typeof BitableCaseEdit>;
