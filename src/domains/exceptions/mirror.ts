import type { CaseRow } from './repository.js';

/**
 * Where a case goes after every committed change (from the queue, with the case as stored): the
 * 异常件工单 table declared in bitable.ts, or a recorder in tests. `noMirror` does nothing.
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
