import type { DecodedRecord } from '../bitable/codec.js';
import type { Logger } from '../core/logger.js';

/**
 * A change people made in Bitable, after the mirror has it. Edits from events carry the fields
 * the edit touched; changes reconcile found carry the fields that differed.
 */
export interface MirrorChange<R = DecodedRecord> {
  tableKey: string;
  recordId: string;
  action: 'added' | 'edited' | 'deleted';
  /** Old values by field key (the touched fields; every field for a deletion; none for an addition). */
  before: Partial<R>;
  /** New values by field key (the touched fields; none for a deletion). */
  after: Partial<R>;
  /** Keys whose value changed. */
  changedKeys: string[];
  /** Values the template could not read (e.g. text in a number column), by key, as sent: not mirrored. */
  unreadable?: Record<string, string>;
  /** The whole record as mirrored after the change; undefined after a deletion. */
  record: R | undefined;
  /** Who changed it (the event's operator, or the record's last modifier for reconcile). */
  operatorOpenId: string | undefined;
  /** When Bitable says it changed. */
  at: Date;
  /** event: delivered by Feishu; reconcile: found by comparing (the event was missed). */
  source: 'event' | 'reconcile';
  /** Stable across redeliveries: use it as the idempotency key of anything the change causes. */
  key: string;
}

export type ChangeHandler<R = DecodedRecord> = (change: MirrorChange<R>) => Promise<void>;

/**
 * Who wants to hear about which table. Domain modules register in their setup; handlers run in
 * registration order after the mirror is committed. A handler that throws makes an event's job
 * retry (so handlers must be idempotent — use `change.key`); during reconcile it is logged.
 */
export class ChangeRegistry {
  private readonly handlers = new Map<string, ChangeHandler[]>();

  on(tableKey: string, handler: ChangeHandler): () => void {
    this.handlers.set(tableKey, [...(this.handlers.get(tableKey) ?? []), handler]);
    return () =>
      this.handlers.set(
        tableKey,
        (this.handlers.get(tableKey) ?? []).filter((h) => h !== handler),
      );
  }

  has(tableKey: string): boolean {
    return (this.handlers.get(tableKey)?.length ?? 0) > 0;
  }

  /** Runs every handler of the change's table; the first error is rethrown after all have run. */
  async dispatch(change: MirrorChange, log: Logger): Promise<void> {
    let failure: unknown;
    for (const handler of this.handlers.get(change.tableKey) ?? []) {
      try {
        await handler(change);
      } catch (err) {
        log.error(
          { err, tableKey: change.tableKey, recordId: change.recordId, key: change.key },
          'bitable change handler failed',
        );
        failure ??= err;
      }
    }
    if (failure) throw failure;
  }
}
