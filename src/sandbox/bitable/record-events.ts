import type { SandboxContext } from '../context.js';
import type { BitableApp, BitableRecord, BitableTable } from '../state/types.js';
import { FieldType, toRead } from './codec.js';

export interface FieldSnapshot {
  field_id: string;
  field_value: string;
  field_identity_value?: { users: Array<Record<string, unknown>> };
}

export interface RecordChange {
  record_id: string;
  action: 'record_added' | 'record_deleted' | 'record_edited';
  before?: FieldSnapshot[];
  after?: FieldSnapshot[];
  /** field_ids the edit touched; an edit event lists only those. */
  touched?: string[];
}

/** Stored values keyed by field_id; formulas and automatic fields left out (FEISHU.md §e). */
export function snapshot(table: BitableTable, record: BitableRecord): FieldSnapshot[] {
  const out: FieldSnapshot[] = [];
  for (const field of table.fields) {
    if (field.type === FieldType.formula || field.type >= 1000) continue;
    const value = record.fields[field.field_id];
    if (value === undefined || value === null) continue;
    out.push({ field_id: field.field_id, field_value: JSON.stringify(value) });
  }
  return out;
}

function withIdentities(
  ctx: SandboxContext,
  table: BitableTable,
  values: FieldSnapshot[] | undefined,
): FieldSnapshot[] {
  return (values ?? []).map((v) => {
    const field = table.fields.find((f) => f.field_id === v.field_id);
    if (field?.type !== FieldType.user) return v;
    const ids = JSON.parse(v.field_value) as Array<{ id: string }>;
    const users = ids.map(({ id }) => {
      const u = ctx.store.data.users.find((x) => x.open_id === id);
      return {
        user_id: { union_id: u?.union_id ?? '', user_id: u?.user_id ?? '', open_id: id },
        name: u?.name ?? '',
        en_name: u?.en_name ?? '',
        avatar_url: '',
      };
    });
    return { ...v, field_identity_value: { users } };
  });
}

/** Text reads as segments in events too ("[{\"type\":\"text\",…}]" in the legacy sample). */
function readForm(
  ctx: SandboxContext,
  table: BitableTable,
  values: FieldSnapshot[] | undefined,
): FieldSnapshot[] | undefined {
  if (!values) return undefined;
  return values.map((v) => {
    const field = table.fields.find((f) => f.field_id === v.field_id);
    if (!field) return v;
    const fake = { fields: { [field.field_id]: JSON.parse(v.field_value) } } as unknown as BitableRecord;
    return { ...v, field_value: JSON.stringify(toRead(field, fake, ctx.store.data)) };
  });
}

/** drive.file.bitable_record_changed_v1 to the bot, if it subscribed to this Base. */
export function emitRecordChanges(
  ctx: SandboxContext,
  app: BitableApp,
  table: BitableTable,
  operatorOpenId: string,
  changes: RecordChange[],
): void {
  if (!ctx.store.data.subscriptions[app.app_token] || changes.length === 0) return;
  const operator = ctx.store.data.users.find((u) => u.open_id === operatorOpenId);
  const pick = (values: FieldSnapshot[] | undefined, touched?: string[]) =>
    withIdentities(
      ctx,
      table,
      readForm(ctx, table, touched ? values?.filter((v) => touched.includes(v.field_id)) : values),
    );
  const action_list = changes.map((c) => ({
    record_id: c.record_id,
    action: c.action,
    ...(c.before ? { before_value: pick(c.before, c.touched) } : {}),
    ...(c.after ? { after_value: pick(c.after, c.touched) } : {}),
  }));
  const botOwner = ctx.store.data.users.find((u) => u.role === 'manager') ?? operator;
  ctx.deliverer.emit('drive.file.bitable_record_changed_v1', {
    file_type: 'bitable',
    file_token: app.app_token,
    table_id: table.table_id,
    revision: table.revision,
    operator_id: { union_id: operator?.union_id ?? '', user_id: operator?.user_id ?? '', open_id: operatorOpenId },
    action_list,
    subscriber_id_list: botOwner
      ? [{ union_id: botOwner.union_id, user_id: botOwner.user_id, open_id: botOwner.open_id }]
      : [],
    update_time: Math.floor(ctx.now().getTime() / 1000),
  });
}
