import { decodeField, encodeRecord, type DecodedRecord } from '../bitable/codec.js';
import type { FeishuWriteValue } from '../bitable/codec-values.js';
import type { TableTemplate } from '../bitable/template-schema.js';
import type { Database } from '../db/client.js';
import { BitableBatchError } from '../feishu/bitable.js';
import { deleteRows, upsertRows, type RowWrite } from './mirror-rows.js';
import type { MirrorContext } from './mirror-context.js';

/** A record to write: with `recordId` an incremental update, without it a new record. */
export interface WriteRow {
  recordId?: string;
  /** Values by field key, as the codec takes them; `null` clears a cell, absent keys are left alone. */
  values: Readonly<Record<string, unknown>>;
}

export interface WrittenRow {
  recordId: string;
  created: boolean;
}

/**
 * Bot writes: Bitable first (batched, idempotent by `key`, one writer per table), then the mirror
 * with what Bitable accepted. If part of a batch fails, the written part still reaches the
 * mirror before the BitableBatchError (naming the failed rows) is rethrown.
 */
export async function writeRecords(
  ctx: MirrorContext,
  tableKey: string,
  rows: readonly WriteRow[],
  options: { key: string },
): Promise<WrittenRow[]> {
  const { template, ref } = await ctx.table(tableKey);
  const encoded = rows.map((r) => encodeRecord(template, r.values));
  const creates = rows.flatMap((r, i) => (r.recordId ? [] : [i]));
  const updates = rows.flatMap((r, i) => (r.recordId ? [i] : []));
  // Taken before the write, so Bitable's own modified time for it is never earlier.
  const startedAt = ctx.deps.clock.now();
  const out: (WrittenRow | undefined)[] = new Array(rows.length).fill(undefined);
  const mirror = async () => {
    const writes: RowWrite[] = [];
    out.forEach((w, i) => {
      if (w)
        writes.push({
          recordId: w.recordId,
          values: mirrorValues(template, encoded[i]!),
          modifiedAt: startedAt,
          source: 'bot',
        });
    });
    await upsertRows(ctx.deps.database, template, writes, { onlyIfNewer: false });
  };
  const { bitable } = ctx.deps.feishu;
  try {
    await withTableLock(ctx.deps.database, `${ref.appToken}/${ref.tableId}`, async () => {
      try {
        const made = await bitable.batchCreate(
          ref,
          creates.map((i) => encoded[i]!),
          { key: `${options.key}:create` },
        );
        made.forEach((r, j) => (out[creates[j]!] = { recordId: r.record_id, created: true }));
      } catch (error) {
        if (error instanceof BitableBatchError)
          collect(error, creates, out, (i) => ({
            recordId: (error.outcome.results[i] as { record_id: string }).record_id,
            created: true,
          }));
        throw error;
      }
      try {
        await bitable.batchUpdate(
          ref,
          updates.map((i) => ({ record_id: rows[i]!.recordId!, fields: encoded[i]! })),
        );
        for (const i of updates) out[i] = { recordId: rows[i]!.recordId!, created: false };
      } catch (error) {
        if (error instanceof BitableBatchError)
          collect(error, updates, out, (i) => ({ recordId: rows[updates[i]!]!.recordId!, created: false }));
        throw error;
      }
    });
  } finally {
    await mirror();
  }
  return out as WrittenRow[];
}

function collect(
  error: BitableBatchError,
  indexes: readonly number[],
  out: (WrittenRow | undefined)[],
  row: (i: number) => WrittenRow,
): void {
  error.outcome.results.forEach((r, i) => {
    if (r !== undefined) out[indexes[i]!] = row(i);
  });
}

/** Deletes in Bitable, then from the mirror (already-deleted records count as done). */
export async function deleteRecords(ctx: MirrorContext, tableKey: string, recordIds: readonly string[]): Promise<void> {
  const { template, ref } = await ctx.table(tableKey);
  await withTableLock(ctx.deps.database, `${ref.appToken}/${ref.tableId}`, () =>
    ctx.deps.feishu.bitable.batchDelete(ref, recordIds),
  );
  await deleteRows(ctx.deps.database, template, recordIds);
}

/** What the mirror keeps for a written row: the encoded cells read back through the codec. */
function mirrorValues(template: TableTemplate, encoded: Record<string, FeishuWriteValue>): DecodedRecord {
  const values: DecodedRecord = {};
  for (const field of template.fields) {
    if (field.name in encoded) values[field.key] = decodeField(field, encoded[field.name]);
  }
  return values;
}

/**
 * One writer per table across instances (Bitable answers concurrent writes with 1254291): a
 * transaction-scoped advisory lock on PostgreSQL. PGlite is one process, where the client's own
 * per-table mutex already serialises writes (and a PGlite transaction would hold its only connection).
 */
async function withTableLock<T>(database: Database, key: string, fn: () => Promise<T>): Promise<T> {
  if (database.kind === 'pglite') return fn();
  return database.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`bitable-write:${key}`]);
    return fn();
  });
}
