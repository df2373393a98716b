import type { DecodedRecord } from '../bitable/codec.js';
import type { TableTemplate } from '../bitable/template-schema.js';
import type { SqlExecutor } from '../db/client.js';
import { fromDb, sqlType, toJsonCell } from './columns.js';
import { mirrorTableName, quote } from './mirror-ddl.js';

/** One mirrored record: its decoded values by field key and where they came from. */
export interface MirrorRow {
  recordId: string;
  values: DecodedRecord;
  /** Bitable's modified time of the values as mirrored (for "last write wins"). */
  modifiedAt: Date | null;
  syncedAt: Date;
  source: MirrorSource;
}

/** bot = written by the bot; event = a person's edit; reconcile = found by comparing. */
export type MirrorSource = 'bot' | 'event' | 'reconcile';

export interface RowWrite {
  recordId: string;
  /** Only these keys are written (an incremental update); a new row gets defaults for the rest. */
  values: DecodedRecord;
  modifiedAt: Date | null;
  source: MirrorSource;
}

export async function readRows(
  sql: SqlExecutor,
  template: TableTemplate,
  recordIds: readonly string[],
): Promise<Map<string, MirrorRow>> {
  if (recordIds.length === 0) return new Map();
  const { rows } = await sql.query<Record<string, unknown>>(
    `select * from ${quote(mirrorTableName(template.key))} where record_id = any($1::text[])`,
    [recordIds],
  );
  return new Map(rows.map((r) => [String(r.record_id), toRow(template, r)]));
}

export function toRow(template: TableTemplate, raw: Record<string, unknown>): MirrorRow {
  const values: DecodedRecord = {};
  for (const field of template.fields) values[field.key] = fromDb(field, raw[field.key]);
  return {
    recordId: String(raw.record_id),
    values,
    modifiedAt: raw._modified_at ? new Date(raw._modified_at as string | Date) : null,
    syncedAt: new Date(raw._synced_at as string | Date),
    source: raw._source as MirrorSource,
  };
}

/**
 * Inserts or updates rows in one statement per distinct set of keys (jsonb_to_recordset: one
 * parameter however many rows). `onlyIfNewer` keeps a row whose mirrored modified time is later
 * than the write's — the conflict rule: the last write by Bitable's clock wins.
 */
export async function upsertRows(
  sql: SqlExecutor,
  template: TableTemplate,
  writes: readonly RowWrite[],
  options: { onlyIfNewer: boolean },
): Promise<number> {
  const groups = new Map<string, RowWrite[]>();
  for (const w of writes) {
    const keys = Object.keys(w.values).sort().join(',');
    groups.set(keys, [...(groups.get(keys) ?? []), w]);
  }
  let written = 0;
  for (const [keyList, group] of groups)
    written += await upsertGroup(sql, template, keyList ? keyList.split(',') : [], group, options.onlyIfNewer);
  return written;
}

async function upsertGroup(
  sql: SqlExecutor,
  template: TableTemplate,
  keys: string[],
  group: RowWrite[],
  onlyIfNewer: boolean,
): Promise<number> {
  const table = quote(mirrorTableName(template.key));
  const fields = keys.map((k) => {
    const field = template.fields.find((f) => f.key === k);
    if (!field) throw new Error(`${template.key} has no field ${k}`);
    return field;
  });
  const json = group.map((w) => {
    const row: Record<string, unknown> = {
      record_id: w.recordId,
      _modified_at: w.modifiedAt?.toISOString() ?? null,
      _source: w.source,
    };
    for (const f of fields) row[f.key] = toJsonCell(w.values[f.key]);
    return row;
  });
  const cols = fields.map((f) => quote(f.key));
  const defs = [
    'record_id text',
    '_modified_at timestamp with time zone',
    '_source text',
    ...fields.map((f) => `${quote(f.key)} ${sqlType(f)}`),
  ];
  const sets = [
    '_modified_at = excluded._modified_at',
    '_synced_at = now()',
    '_source = excluded._source',
    ...cols.map((c) => `${c} = excluded.${c}`),
  ];
  const guard = onlyIfNewer
    ? `where ${table}._modified_at is null or excluded._modified_at is null or ${table}._modified_at <=
        excluded._modified_at`
    : '';
  const { rows } = await sql.query<{ record_id: string }>(
    `insert into ${table} (record_id, _modified_at, _source${cols.map((c) => `, ${c}`).join('')})
     select r.record_id, r._modified_at, r._source${cols.map((c) => `, r.${c}`).join('')}
       from jsonb_to_recordset($1::jsonb) as r(${defs.join(', ')})
     on conflict (record_id) do update set ${sets.join(', ')} ${guard}
     returning record_id`,
    [JSON.stringify(json)],
  );
  return rows.length;
}

export async function deleteRows(
  sql: SqlExecutor,
  template: TableTemplate,
  recordIds: readonly string[],
): Promise<void> {
  if (recordIds.length === 0) return;
  await sql.query(`delete from ${quote(mirrorTableName(template.key))} where record_id = any($1::text[])`, [recordIds]);
}

/** Record ids mirrored before `at` (reconcile deletes only those: anything newer may not be in its scan). */
export async function idsSyncedBefore(sql: SqlExecutor, template: TableTemplate, at: Date): Promise<string[]> {
  const { rows } = await sql.query<{ record_id: string }>(
    `select record_id from ${quote(mirrorTableName(template.key))} where _synced_at < $1`,
    [at],
  );
  return rows.map((r) => r.record_id);
}
