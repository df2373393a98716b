import { bitableError } from '../api/errors.js';
import type { SandboxContext } from '../context.js';
import { newId } from '../ids.js';
import type { BitableApp, BitableRecord, BitableTable } from '../state/types.js';
import { toStored } from './codec.js';
import { emitRecordChanges, snapshot, type RecordChange } from './record-events.js';
import type { Writer } from './write-locks.js';

export type { Writer } from './write-locks.js';

const MAX_RECORDS_PER_TABLE = 20_000;

function fieldsByName(
  table: BitableTable,
  fields: Record<string, unknown>,
  ctx: SandboxContext,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const field = table.fields.find((f) => f.field_name === name);
    if (!field) throw bitableError(1254045, `FieldNameNotFound: ${name}`);
    out[field.field_id] = toStored(field, value, ctx.store.data);
  }
  return out;
}

function operatorId(ctx: SandboxContext, writer: Writer): string {
  return writer.kind === 'user' ? writer.open_id : ctx.store.data.bot.open_id;
}

export function findRecord(table: BitableTable, recordId: string): BitableRecord {
  const record = table.records.find((r) => r.record_id === recordId);
  if (!record) throw bitableError(1254043, 'RecordIdNotFound');
  return record;
}

/** Echo of a write: fields as written (write format), as in records.batch_create.response.json. */
export function writeEcho(table: BitableTable, record: BitableRecord): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const f of table.fields) {
    const v = record.fields[f.field_id];
    if (v !== undefined && v !== null) fields[f.field_name] = v;
  }
  return { fields, record_id: record.record_id, id: record.record_id };
}

function finish(
  ctx: SandboxContext,
  app: BitableApp,
  table: BitableTable,
  writer: Writer,
  changes: RecordChange[],
): void {
  table.revision += 1;
  app.revision += 1;
  ctx.store.touch({ kind: 'bitable', appToken: app.app_token, tableId: table.table_id });
  // Feishu does not echo an app's own writes back to it; people's edits reach subscribers.
  if (writer.kind === 'user') emitRecordChanges(ctx, app, table, writer.open_id, changes);
}

export function createRecords(
  ctx: SandboxContext,
  app: BitableApp,
  table: BitableTable,
  inputs: Array<Record<string, unknown>>,
  writer: Writer,
): BitableRecord[] {
  if (table.records.length + inputs.length > MAX_RECORDS_PER_TABLE)
    throw bitableError(1254103, 'RecordExceedLimit, limited to 20000');
  const converted = inputs.map((fields) => fieldsByName(table, fields, ctx));
  const at = ctx.now().getTime();
  const who = operatorId(ctx, writer);
  const created = converted.map((fields) => ({
    record_id: newId.record(),
    fields,
    created_by: who,
    created_time: at,
    last_modified_by: who,
    last_modified_time: at,
    auto_number: table.next_auto_number++,
  }));
  table.records.push(...created);
  finish(
    ctx,
    app,
    table,
    writer,
    created.map((r) => ({ record_id: r.record_id, action: 'record_added', after: snapshot(table, r) })),
  );
  return created;
}

/** Incremental update: only the passed fields change. */
export function updateRecords(
  ctx: SandboxContext,
  app: BitableApp,
  table: BitableTable,
  inputs: Array<{ record_id: string; fields: Record<string, unknown> }>,
  writer: Writer,
): BitableRecord[] {
  const planned = inputs.map((i) => ({
    record: findRecord(table, i.record_id),
    fields: fieldsByName(table, i.fields, ctx),
  }));
  const at = ctx.now().getTime();
  const changes: RecordChange[] = planned.map(({ record, fields }) => {
    const before = snapshot(table, record);
    for (const [id, v] of Object.entries(fields)) {
      if (v === null) delete record.fields[id];
      else record.fields[id] = v;
    }
    record.last_modified_by = operatorId(ctx, writer);
    record.last_modified_time = at;
    return {
      record_id: record.record_id,
      action: 'record_edited',
      before,
      after: snapshot(table, record),
      touched: Object.keys(fields),
    };
  });
  finish(ctx, app, table, writer, changes);
  return planned.map((p) => p.record);
}

export function deleteRecords(
  ctx: SandboxContext,
  app: BitableApp,
  table: BitableTable,
  ids: string[],
  writer: Writer,
): Array<{ deleted: boolean; record_id: string }> {
  const records = ids.map((id) => findRecord(table, id));
  table.records = table.records.filter((r) => !records.includes(r));
  finish(
    ctx,
    app,
    table,
    writer,
    records.map((r) => ({ record_id: r.record_id, action: 'record_deleted', before: snapshot(table, r) })),
  );
  return records.map((r) => ({ deleted: true, record_id: r.record_id }));
}
