import { decodeRecord, type DecodedRecord } from '../bitable/codec.js';
import { RecordCodecError } from '../bitable/codec-errors.js';
import { decodeRecordChanges, RecordChangedEvent, type RecordChange } from '../bitable/record-changed.js';
import type { EventContext } from '../core/contexts.js';
import { PermanentError } from '../core/errors.js';
import { audit, type AuditEntry } from './audit.js';
import { fieldsById } from './bindings.js';
import type { MirrorChange } from './changes.js';
import { diffRecords, emptyValue, pick } from './columns.js';
import { deleteRows, readRows, upsertRows, type MirrorRow, type RowWrite } from './mirror-rows.js';
import type { MirrorContext, MirrorTable } from './mirror-context.js';

export const RECORD_CHANGED = 'drive.file.bitable_record_changed_v1';

/**
 * A person's edit in Bitable (FEISHU.md §e): apply it to the mirror — unless the mirrored row is
 * newer by Bitable's clock (then it is audited as stale and dropped) — and hand it to the
 * workflows as typed changes. Safe to run twice: the second run finds nothing to overwrite and
 * dispatches the same changes with the same keys.
 */
export async function handleRecordChanged(ctx: MirrorContext, event: EventContext): Promise<void> {
  const parsed = RecordChangedEvent.safeParse(event.event);
  if (!parsed.success) throw new PermanentError(`malformed record-changed event: ${parsed.error.issues[0]?.message}`);
  const e = parsed.data;
  const table = await ctx.tableById(e.file_token, e.table_id);
  if (!table) {
    event.log.info(
      { appToken: e.file_token, tableId: e.table_id },
      'record change in a table the mirror does not know, ignored',
    );
    return;
  }
  let changes: RecordChange[];
  try {
    // Lenient: a value the template cannot read is handed on as unreadable (and put back), not a failed event.
    changes = decodeRecordChanges(e, fieldsById(table.template, table.bound), { lenient: true });
  } catch (err) {
    if (err instanceof RecordCodecError) throw new PermanentError(err.message);
    throw err;
  }
  // Feishu gives seconds: the change happened somewhere in that second.
  const at = e.update_time ? new Date(e.update_time * 1000 + 999) : event.now;
  const operator = e.operator_id?.open_id;
  const rows = await readRows(
    ctx.deps.database,
    table.template,
    changes.map((c) => c.recordId),
  );
  const fetched = await fetchMissing(ctx, table, changes, rows);

  const applied: MirrorChange[] = [];
  const entries: AuditEntry[] = [];
  const writes: RowWrite[] = [];
  const deletions: string[] = [];
  const base = { tableKey: table.template.key, operatorOpenId: operator, at, source: 'event' as const };
  for (const change of changes) {
    const row = rows.get(change.recordId);
    const key = `${event.eventId}:${change.recordId}`;
    const common = { ...base, recordId: change.recordId, key };
    if (change.action === 'record_deleted') {
      if (row) {
        deletions.push(change.recordId);
        entries.push({
          ...common,
          action: 'delete',
          before: row.values,
          after: null,
          bitableModifiedAt: at,
          eventId: event.eventId,
        });
      }
      applied.push({
        ...common,
        action: 'deleted',
        before: row?.values ?? change.before.values,
        after: {},
        changedKeys: Object.keys(change.before.values),
        record: undefined,
      });
      continue;
    }
    // A cell emptied by the edit is left out of after_value (and an empty one out of before_value).
    const unreadable = change.after.unreadable ?? {};
    const keys = [...new Set([...Object.keys(change.before.values), ...Object.keys(change.after.values)])].filter(
      (k) => !(k in unreadable),
    );
    const after = withEmpties(table, change.after.values, keys);
    const before = withEmpties(table, change.before.values, change.action === 'record_added' ? [] : keys);
    if (row?.modifiedAt && row.modifiedAt > at) {
      entries.push({
        ...common,
        action: 'stale',
        before: pick(row.values, keys),
        after,
        bitableModifiedAt: at,
        eventId: event.eventId,
      });
      continue;
    }
    const full = fetched.get(change.recordId);
    writes.push(full ?? { recordId: change.recordId, values: after, modifiedAt: at, source: 'event' });
    const overwritten = row ? diffRecords(table.template, row.values, { ...row.values, ...after }, keys).edited : [];
    if (overwritten.length > 0) {
      entries.push({
        ...common,
        action: 'update',
        before: pick(row!.values, overwritten),
        after: pick(after, overwritten),
        bitableModifiedAt: at,
        eventId: event.eventId,
      });
    }
    const action = change.action === 'record_added' ? 'added' : 'edited';
    applied.push({
      ...common,
      action,
      before,
      after,
      changedKeys: keys,
      record: undefined,
      ...(Object.keys(unreadable).length > 0 ? { unreadable } : {}),
    });
  }

  await ctx.deps.database.transaction(async (tx) => {
    await upsertRows(tx, table.template, writes, { onlyIfNewer: true });
    await deleteRows(tx, table.template, deletions);
    await audit(tx.db, entries);
  });
  event.log.info(
    {
      tableKey: table.template.key,
      applied: writes.length,
      deleted: deletions.length,
      stale: entries.filter((x) => x.action === 'stale').length,
    },
    'bitable change mirrored',
  );
  if (applied.length === 0) return;
  const after = await readRows(
    ctx.deps.database,
    table.template,
    applied.map((c) => c.recordId),
  );
  for (const change of applied) {
    if (change.action !== 'deleted') change.record = after.get(change.recordId)?.values;
    await ctx.changes.dispatch(change, event.log);
  }
}

function withEmpties(table: MirrorTable, values: DecodedRecord, keys: readonly string[]): DecodedRecord {
  const out: DecodedRecord = { ...values };
  for (const key of keys) {
    const field = table.template.fields.find((f) => f.key === key);
    if (!(key in out) && field) out[key] = emptyValue(field);
  }
  return out;
}

/** A record the mirror never saw (new, or an add it missed): read all of it so the row is complete. */
async function fetchMissing(
  ctx: MirrorContext,
  table: MirrorTable,
  changes: RecordChange[],
  rows: Map<string, MirrorRow>,
): Promise<Map<string, RowWrite>> {
  // New records too: their formulas, auto numbers and created time are not in the event.
  const missing = changes.filter((c) => c.action !== 'record_deleted' && !rows.has(c.recordId)).map((c) => c.recordId);
  const out = new Map<string, RowWrite>();
  if (missing.length === 0) return out;
  for (const record of await ctx.api.getRecords(table.ref.appToken, table.ref.tableId, missing)) {
    const values: DecodedRecord = decodeRecord(table.template, record.fields);
    const modifiedAt = record.last_modified_time ? new Date(record.last_modified_time) : null;
    out.set(record.record_id, { recordId: record.record_id, values, modifiedAt, source: 'event' });
  }
  return out;
}
