import { decodeField, encodeField, type DecodedRecord } from '../bitable/codec.js';
import { FieldCodecError } from '../bitable/codec-errors.js';
import type { FieldValue } from '../bitable/codec-values.js';
import { isReadOnlyKind, kindOf } from '../bitable/field-kinds.js';
import { TemplateError } from '../bitable/load-templates.js';
import type { TableTemplate, TemplateField } from '../bitable/template-schema.js';
import { AppError } from '../core/errors.js';
import type { MirrorChange } from './changes.js';
import { comparable } from './columns.js';
import { mirrorTableName, quote } from './mirror-ddl.js';
import { NotProvisionedError, type MirrorContext, type MirrorTable } from './mirror-context.js';
import { readRows } from './mirror-rows.js';
import { reconcile } from './reconcile.js';
import { refuseAddedRow } from './refuse-added-row.js';
import { refusalMessage } from './refusal-message.js';
import type { EditedField, Refusal, TableSeam, TableSpec } from './table-spec.js';
import { writeRecords } from './writes.js';

const BOT_FIELD =
  '该列由机器人按流程维护，请在工单卡片或聊天中操作 · This column is kept by the bot; use the card or the chat';
const UNREADABLE = '无法识别该值 · The value could not be read';

/**
 * The kit's side of one declared table: writes what the bot owns and changed, turns people's
 * changes into `onEdit` / `onAdd`, and puts refused values back (one DM to the editor).
 */
export class DeclaredTable<T> implements TableSeam<T> {
  constructor(
    readonly key: string,
    readonly spec: TableSpec<T>,
    private readonly context: () => MirrorContext,
  ) {}

  /** Every field has an owner; the record number is the bot-owned primary field. */
  check(template: TableTemplate): void {
    const problems: string[] = [];
    for (const f of template.fields) if (!this.spec.owner[f.key]) problems.push(`field "${f.key}" has no owner`);
    for (const k of Object.keys(this.spec.owner))
      if (!template.fields.some((f) => f.key === k)) problems.push(`owner names unknown field "${k}"`);
    const recordNo = this.spec.recordNo;
    if (recordNo !== undefined && template.primaryField !== recordNo)
      problems.push(`the record number "${recordNo}" must be the primary field (${template.primaryField})`);
    if (recordNo !== undefined && this.spec.owner[recordNo] !== 'bot')
      problems.push('the record number must be bot-owned');
    const refusal = this.spec.refusalField;
    if (
      refusal !== undefined &&
      (this.spec.owner[refusal] !== 'bot' || !template.fields.some((f) => f.key === refusal))
    )
      problems.push(`the refusal field "${refusal}" must be a bot-owned field of the table`);
    if (problems.length > 0) throw new TemplateError(template.key, problems);
  }

  async write(
    entity: T,
    options: { recordId?: string; force?: readonly string[]; only?: readonly string[] } = {},
  ): Promise<{ recordId: string; created: boolean } | undefined> {
    const ctx = this.context();
    let table: MirrorTable;
    try {
      table = await ctx.table(this.key);
    } catch (err) {
      if (err instanceof NotProvisionedError)
        return void ctx.log.debug({ tableKey: this.key }, 'bitable not provisioned, row not written');
      throw err;
    }
    const no = this.spec.numberOf(entity);
    const recordNo = this.spec.recordNo;
    const desired = { ...(await this.desiredOf(entity)), ...(recordNo ? { [recordNo]: no } : {}) };
    const recordId =
      options.recordId ??
      this.spec.recordIdOf?.(entity) ??
      (recordNo ? await this.findBy(this.key, recordNo, no) : undefined);
    let written: { recordId: string; created: boolean };
    if (!recordId) {
      const values = this.writable(table.template, desired, (field, value) => !isEmpty(field, value));
      // Keyed by the record number: a retry or a racing writer gets the same row back (client_token).
      const [row] = await writeRecords(ctx, this.key, [{ values }], { key: `${this.key}:${no}:row` });
      written = row!;
    } else {
      const held = (await readRows(ctx.deps.database, table.template, [recordId])).get(recordId)?.values ?? {};
      const force = new Set(options.force ?? []);
      const only = options.only ? new Set(options.only) : undefined;
      const values = this.writable(table.template, desired, (field, value) => {
        if (only && !only.has(field.key)) return false;
        if (force.has(field.key)) return true;
        if (same(field, value, held[field.key])) return false;
        // Never an empty value over what a person typed in their own column.
        return this.spec.owner[field.key] === 'bot' || !isEmpty(field, value);
      });
      for (const k of force) if (!(k in values) && k in held) values[k] = held[k] ?? null;
      if (Object.keys(values).length > 0)
        await writeRecords(ctx, this.key, [{ recordId, values }], { key: `${this.key}:${no}:update` });
      written = { recordId, created: false };
    }
    await this.spec.onWritten?.(entity, written, { link: () => this.rowLink(table, written.recordId) });
    return written;
  }

  /** A link to the row for people; a failure is logged and gives no link (the row is written). */
  private async rowLink(table: MirrorTable, recordId: string): Promise<string | undefined> {
    const ctx = this.context();
    try {
      return await ctx.api.recordLink(table.ref.appToken, table.ref.tableId, recordId);
    } catch (err) {
      ctx.log.warn({ tableKey: this.key, recordId, err }, 'no link to the row: batch_get with_shared_url failed');
      return undefined;
    }
  }

  async repair(): Promise<number> {
    const report = await reconcile(this.context(), { tables: [this.key] });
    return report.tables.reduce((n, t) => n + t.repaired, 0);
  }

  /** Reconcile's pass: rows as Bitable has them now; bot-owned fields that differ are rewritten. */
  async repairRows(rows: ReadonlyArray<{ id: string; values: DecodedRecord }>): Promise<number> {
    const ctx = this.context();
    const { template } = await ctx.table(this.key);
    let repaired = 0;
    for (const row of rows) {
      const no = this.spec.recordNo ? row.values[this.spec.recordNo] : row.id;
      const entity = typeof no === 'string' && no ? await this.spec.load(no) : undefined;
      if (!entity) continue;
      const desired = await this.desiredOf(entity);
      const wrong = template.fields.filter(
        (f) =>
          this.spec.owner[f.key] === 'bot' &&
          desired[f.key] !== undefined &&
          !isReadOnlyKind(kindOf(f)) &&
          !same(f, desired[f.key], row.values[f.key]),
      );
      if (wrong.length === 0) continue;
      ctx.log.info(
        { tableKey: this.key, recordId: row.id, fields: wrong.map((f) => f.key) },
        'bot-owned fields repaired from the workflow',
      );
      await this.write(entity, { recordId: row.id, force: wrong.map((f) => f.key) });
      repaired++;
    }
    return repaired;
  }

  /** A change people made (event or reconcile), after the mirror has it. */
  async onChange(change: MirrorChange): Promise<void> {
    const ctx = this.context();
    const log = ctx.log.child({ tableKey: this.key, recordId: change.recordId, key: change.key });
    if (change.action === 'deleted') return log.info('row deleted in bitable; the workflow keeps its record');
    const { template } = await ctx.table(this.key);
    const record = change.record ?? change.after;
    const no = this.spec.recordNo ? record[this.spec.recordNo] : change.recordId;
    const entity = typeof no === 'string' && no.trim() ? await this.spec.load(no.trim()) : undefined;
    if (!entity) {
      if (this.spec.recordNo && typeof no === 'string' && no.trim())
        return log.warn({ recordNo: no }, 'row carries a record number the workflow does not know; left alone');
      if (!this.spec.onAdd) return;
      let made: T | undefined;
      try {
        made = await this.spec.onAdd({
          recordId: change.recordId,
          values: record as DecodedRecord,
          operatorOpenId: change.operatorOpenId,
          at: change.at,
          key: change.key,
        });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return refuseAddedRow(ctx, this.key, this.spec, change, record as DecodedRecord, err.message);
      }
      if (made) await this.write(made, { recordId: change.recordId });
      return;
    }
    const known =
      this.spec.recordIdOf?.(entity) ??
      (this.spec.recordNo ? await this.findBy(this.key, this.spec.recordNo, no as string) : change.recordId);
    if (known && known !== change.recordId)
      return log.warn({ recordNo: no, row: known }, 'a second row with the same record number; left alone');

    const desired = await this.desiredOf(entity);
    const fieldOf = (k: string) => template.fields.find((f) => f.key === k);
    const refusals: Array<Refusal & { typed: string }> = [];
    const people: EditedField[] = [];
    for (const key of change.changedKeys) {
      const field = fieldOf(key);
      if (!field || isReadOnlyKind(kindOf(field)) || !(key in change.after)) continue;
      const after = change.after[key] ?? null;
      // Our own write coming back, or a value the workflow already holds.
      if (desired[key] !== undefined && same(field, desired[key], after)) continue;
      if (this.spec.owner[key] === 'bot')
        refusals.push({ key, reason: BOT_FIELD, typed: display(after, ctx.deps.timeZone) });
      else people.push({ key, name: field.name, before: change.before[key] ?? null, after });
    }
    for (const [key, raw] of Object.entries(change.unreadable ?? {}))
      if (fieldOf(key)) refusals.push({ key, reason: UNREADABLE, typed: raw });
    if (people.length > 0 && this.spec.onEdit) {
      try {
        const refused =
          (await this.spec.onEdit({
            entity,
            recordNo: String(no),
            recordId: change.recordId,
            fields: people,
            operatorOpenId: change.operatorOpenId,
            at: change.at,
            key: change.key,
          })) ?? [];
        for (const r of refused)
          refusals.push({
            ...r,
            typed: display(people.find((p) => p.key === r.key)?.after ?? null, ctx.deps.timeZone),
          });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        for (const p of people)
          refusals.push({ key: p.key, reason: err.message, typed: display(p.after, ctx.deps.timeZone) });
      }
    }
    const now = (await this.spec.load(String(no))) ?? entity;
    const label = this.spec.recordNo ? String(no) : this.spec.numberOf(now);
    await this.write(now, { recordId: change.recordId, force: refusals.map((r) => r.key) });
    if (refusals.length === 0) return;
    log.info(
      { refused: refusals.map((r) => r.key), operator: change.operatorOpenId },
      'bitable edit refused and put back',
    );
    const messages = ctx.deps.feishu.messages;
    if (!change.operatorOpenId || !messages) return;
    const current = await this.desiredOf(now);
    const tz = ctx.deps.timeZone;
    const lines = refusals.map((r) => ({
      field: fieldOf(r.key)!.name,
      typed: r.typed,
      reason: r.reason,
      restored: display(normalised(fieldOf(r.key)!, current[r.key]), tz),
    }));
    await messages.send({
      to: { openId: change.operatorOpenId },
      key: `${change.key}:refused`,
      text: refusalMessage(this.spec.label ?? template.name, label, lines),
    });
  }

  /** The workflow's values of the row; a row that is an entity shows no refusal. */
  private async desiredOf(entity: T): Promise<Record<string, unknown>> {
    const row = await this.spec.toRow(entity, (t, f, v) => this.findBy(t, f, v));
    return this.spec.refusalField ? { ...row, [this.spec.refusalField]: null } : row;
  }

  /** A record id of a template table by a text field's value (the mirror's copy). */
  async findBy(tableKey: string, fieldKey: string, value: string): Promise<string | undefined> {
    const ctx = this.context();
    const template = ctx.templates.tables.find((t) => t.key === tableKey);
    if (!template?.fields.some((f) => f.key === fieldKey)) return undefined;
    const { rows } = await ctx.deps.database.query<{ record_id: string }>(
      `select record_id from ${quote(mirrorTableName(tableKey))} where ${quote(fieldKey)} = $1 order by _synced_at
        limit 1`,
      [value],
    );
    return rows[0]?.record_id;
  }

  private writable(
    template: TableTemplate,
    desired: Record<string, unknown>,
    keep: (field: TemplateField, value: unknown) => boolean,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const field of template.fields) {
      const value = desired[field.key];
      if (value === undefined || isReadOnlyKind(kindOf(field))) continue;
      if (keep(field, value)) out[field.key] = value;
    }
    return out;
  }
}

/** The workflow's value (codec input) as the codec would read it back, or null when it cannot be written. */
function normalised(field: TemplateField, value: unknown): FieldValue | null {
  if (value === undefined || value === null) return null;
  try {
    return decodeField(field, encodeField(field, value));
  } catch (err) {
    if (err instanceof FieldCodecError) return null;
    throw err;
  }
}

function same(field: TemplateField, desired: unknown, held: FieldValue | null | undefined): boolean {
  return comparable(field, normalised(field, desired)) === comparable(field, held ?? null);
}

function isEmpty(field: TemplateField, value: unknown): boolean {
  const v = normalised(field, value);
  return v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** A cell as a person reads it, for the DM. */
export function display(value: FieldValue | null | undefined, timeZone: string): string {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
    return '（空 empty）';
  if (value instanceof Date) return value.toLocaleString('zh-CN', { timeZone, hour12: false });
  if (Array.isArray(value))
    return value
      .map((v) =>
        typeof v === 'object' && v
          ? ((v as { name?: string; id?: string }).name ?? (v as { id?: string }).id ?? '')
          : String(v),
      )
      .join('、');
  if (typeof value === 'object') return (value as { text?: string }).text ?? JSON.stringify(value);
  return String(value);
}
