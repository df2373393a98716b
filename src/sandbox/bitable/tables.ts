import { bitableError } from '../api/errors.js';
import type { SandboxContext } from '../context.js';
import { newId } from '../ids.js';
import type { BitableApp, BitableField, BitableTable } from '../state/types.js';
import { FieldType } from './codec.js';

export interface FieldInput {
  field_name: string;
  type: number;
  ui_type?: string | undefined;
  property?: Record<string, unknown> | null | undefined;
  description?: unknown;
}

const MAX_TABLES = 100;

export function findApp(ctx: SandboxContext, appToken: string): BitableApp {
  const app = ctx.store.data.apps[appToken];
  if (!app) throw bitableError(1254040, 'BaseTokenNotFound');
  return app;
}

export function findTable(
  ctx: SandboxContext,
  appToken: string,
  tableId: string,
): { app: BitableApp; table: BitableTable } {
  const app = findApp(ctx, appToken);
  const table = app.tables.find((t) => t.table_id === tableId);
  if (!table) throw bitableError(1254041, 'TableIdNotFound');
  return { app, table };
}

export function makeField(input: FieldInput, isPrimary: boolean): BitableField {
  return {
    field_id: newId.field(),
    field_name: input.field_name,
    type: input.type,
    ...(input.ui_type ? { ui_type: input.ui_type } : {}),
    property: input.property ?? null,
    ...(typeof input.description === 'string' ? { description: input.description } : {}),
    is_primary: isPrimary,
  };
}

export function addField(table: BitableTable, input: FieldInput): BitableField {
  if (table.fields.some((f) => f.field_name === input.field_name)) throw bitableError(1254014, 'FieldNameDuplicated');
  const field = makeField(input, table.fields.length === 0);
  table.fields.push(field);
  table.revision += 1;
  return field;
}

export function createTable(
  app: BitableApp,
  name: string,
  fields: FieldInput[] = [],
  defaultViewName = '表格',
): BitableTable {
  if (app.tables.length >= MAX_TABLES) throw bitableError(1254100, 'TableExceedLimit, limited to 100');
  if (app.tables.some((t) => t.name === name)) throw bitableError(1254013, 'TableNameDuplicated');
  const table: BitableTable = {
    table_id: newId.table(),
    name,
    revision: 1,
    fields: [],
    views: [{ view_id: newId.view(), view_name: defaultViewName, view_type: 'grid' }],
    records: [],
    next_auto_number: 1,
  };
  const initial = fields.length > 0 ? fields : [{ field_name: '文本', type: FieldType.text }];
  for (const f of initial) addField(table, f);
  app.tables.push(table);
  app.revision += 1;
  return table;
}

/** A new Base comes with one default table, like Feishu's (default_table_id). */
export function createApp(ctx: SandboxContext, name: string, folderToken: string, timeZone: string): BitableApp {
  const app: BitableApp = {
    app_token: newId.app(),
    name,
    folder_token: folderToken,
    time_zone: timeZone,
    revision: 1,
    tables: [],
    create_time: ctx.now().getTime(),
  };
  createTable(app, '数据表');
  ctx.store.data.apps[app.app_token] = app;
  return app;
}

export function toApiField(f: BitableField): Record<string, unknown> {
  return {
    field_id: f.field_id,
    field_name: f.field_name,
    type: f.type,
    property: f.property,
    is_primary: f.is_primary,
    ...(f.ui_type ? { ui_type: f.ui_type } : {}),
    ...(f.description ? { description: f.description } : {}),
  };
}

export function toApiApp(app: BitableApp): Record<string, unknown> {
  return {
    app_token: app.app_token,
    name: app.name,
    folder_token: app.folder_token,
    time_zone: app.time_zone,
    revision: app.revision,
    url: `https://sandbox.invalid/base/${app.app_token}`,
    default_table_id: app.tables[0]?.table_id ?? '',
    is_advanced: false,
  };
}
