import type { Database, SqlExecutor } from '../db/client.js';
import type { TableTemplate } from '../bitable/template-schema.js';
import type { Logger } from '../core/logger.js';
import { sqlType } from './columns.js';

/**
 * One Postgres table per template, `bitable_<key>`, keyed by record_id, one typed column per
 * template field key. Made from the templates at start, provision and sync rather than by a
 * drizzle migration: a field added to a template reaches Bitable at the next provision, and its
 * column must appear with it — without anyone regenerating migrations. `create … if not exists`
 * and `add column if not exists` under an advisory lock make this safe with several instances.
 * A field whose kind changed keeps its old column under another name (nothing is dropped).
 */

// Shared by every instance; distinct from the migration lock.
const DDL_LOCK = 7_245_019_402;

export const META_COLUMNS = ['record_id', '_modified_at', '_synced_at', '_source'] as const;

export function mirrorTableName(tableKey: string): string {
  const name = `bitable_${tableKey}`;
  if (name.length > 63) throw new Error(`mirror table name ${name} is longer than Postgres allows (63)`);
  return name;
}

export function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

export interface DdlReport {
  createdTables: string[];
  addedColumns: string[];
  /** `table.column was type → now type` */
  retypedColumns: string[];
}

const ensured = new WeakMap<Database, Set<string>>();

/** Creates or completes every mirror table; cheap when nothing changed (one query per table). */
export async function ensureMirrorTables(
  database: Database,
  templates: readonly TableTemplate[],
  log?: Logger,
): Promise<DdlReport> {
  const fingerprint = JSON.stringify(templates.map((t) => [t.key, t.fields.map((f) => [f.key, sqlType(f)])]));
  const done = ensured.get(database) ?? new Set<string>();
  const report: DdlReport = { createdTables: [], addedColumns: [], retypedColumns: [] };
  if (done.has(fingerprint)) return report;
  await database.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [DDL_LOCK]);
    for (const template of templates) await ensureTable(tx, template, report);
  });
  done.add(fingerprint);
  ensured.set(database, done);
  if (report.createdTables.length + report.addedColumns.length + report.retypedColumns.length > 0) {
    // Counts at info (one short line); the names at debug.
    log?.info(
      {
        tables: report.createdTables.length,
        columns: report.addedColumns.length,
        retyped: report.retypedColumns.length,
      },
      'mirror tables updated from the templates',
    );
    log?.debug({ ...report }, 'mirror tables updated: names');
  }
  if (report.retypedColumns.length > 0)
    log?.warn({ columns: report.retypedColumns }, 'field kinds changed: old columns kept under a new name');
  return report;
}

async function ensureTable(tx: SqlExecutor, template: TableTemplate, report: DdlReport): Promise<void> {
  const table = mirrorTableName(template.key);
  const existing = await columnsOf(tx, table);
  if (existing.size === 0) {
    await tx.exec(
      `create table if not exists ${quote(table)} (
        record_id text primary key,
        _modified_at timestamp with time zone,
        _synced_at timestamp with time zone not null default now(),
        _source text not null default 'reconcile'
      )`,
    );
    report.createdTables.push(table);
  }
  for (const field of template.fields) {
    const want = sqlType(field);
    const have = existing.get(field.key);
    if (have === want) continue;
    if (have !== undefined) {
      const kept = `${field.key}__was_${have.replace(/[^a-z]+/g, '_')}`.slice(0, 63);
      await tx.exec(`alter table ${quote(table)} rename column ${quote(field.key)} to ${quote(kept)}`);
      report.retypedColumns.push(`${table}.${field.key} was ${have} → now ${want}`);
    }
    await tx.exec(`alter table ${quote(table)} add column if not exists ${quote(field.key)} ${want}`);
    if (have === undefined) report.addedColumns.push(`${table}.${field.key}`);
  }
  // The primary field holds each workflow's record number (EX000123) and each link's target key:
  // the seam looks rows up by it on every write and every edit.
  const primary = template.fields.find((f) => f.key === template.primaryField);
  if (primary && sqlType(primary) === 'text') {
    await tx.exec(
      `create index if not exists ${quote(primaryIndexName(template.key))} on ${quote(table)} (${quote(primary.key)})`,
    );
  }
}

export function primaryIndexName(tableKey: string): string {
  return `${mirrorTableName(tableKey)}_primary_idx`.slice(0, 63);
}

async function columnsOf(tx: SqlExecutor, table: string): Promise<Map<string, string>> {
  const { rows } = await tx.query<{ name: string; type: string }>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where c.relname = $1 and n.nspname = current_schema() and a.attnum > 0 and not a.attisdropped`,
    [table],
  );
  return new Map(rows.map((r) => [r.name, r.type]));
}
