import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addField, createApp, createTable, findApp, findTable, toApiApp, toApiField } from '../bitable/tables.js';
import type { SandboxContext } from '../context.js';
import { newId } from '../ids.js';
import { page } from './contact.js';
import { bitableError, parseWith } from './errors.js';
import { patchView, ViewPatch } from '../bitable/views.js';

const bad = (detail: string) => bitableError(1254001, `WrongRequestBody: ${detail}`);
const FieldBody = z.object({
  field_name: z.string().min(1),
  type: z.number().int(),
  ui_type: z.string().optional(),
  property: z.record(z.string(), z.unknown()).nullable().optional(),
  description: z.unknown().optional(),
});
const PageQuery = z.object({
  page_size: z.coerce.number().int().min(1).max(100).default(20),
  page_token: z.string().optional(),
});
type AppParams = { app_token: string };
type TableParams = AppParams & { table_id: string };

/** Bases, tables, fields and views (FEISHU.md §e). Schema writes take the table's write slot too. */
export function bitableSchemaRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const ok = (payload: unknown) => ({ code: 0, msg: 'success', data: payload });
  const root = '/open-apis/bitable/v1/apps';
  const touch = (appToken: string) => ctx.store.touch({ kind: 'bitable', appToken });

  app.post(root, async (request) => {
    const body = parseWith(
      z.object({
        name: z.string().default('未命名多维表格'),
        folder_token: z.string().default(''),
        time_zone: z.string().default('Asia/Shanghai'),
      }),
      request.body,
      bad,
    );
    const created = createApp(ctx, body.name, body.folder_token, body.time_zone);
    touch(created.app_token);
    return ok({ app: toApiApp(created) });
  });

  app.get(`${root}/:app_token`, async (request) =>
    ok({ app: toApiApp(findApp(ctx, (request.params as AppParams).app_token)) }),
  );

  app.get(`${root}/:app_token/tables`, async (request) => {
    const q = parseWith(PageQuery, request.query, bad);
    const base = findApp(ctx, (request.params as AppParams).app_token);
    const items = base.tables.map((t) => ({ table_id: t.table_id, revision: t.revision, name: t.name }));
    return ok({ ...page(items, q.page_size, q.page_token), total: items.length });
  });

  app.post(`${root}/:app_token/tables`, async (request) => {
    const body = parseWith(
      z.object({
        table: z.object({
          name: z.string().min(1),
          default_view_name: z.string().optional(),
          fields: z.array(FieldBody).optional(),
        }),
      }),
      request.body,
      bad,
    );
    const base = findApp(ctx, (request.params as AppParams).app_token);
    const table = createTable(base, body.table.name, body.table.fields, body.table.default_view_name);
    touch(base.app_token);
    return ok({
      table_id: table.table_id,
      default_view_id: table.views[0]!.view_id,
      field_id_list: table.fields.map((f) => f.field_id),
    });
  });

  app.post(`${root}/:app_token/tables/batch_create`, async (request) => {
    const body = parseWith(
      z.object({ tables: z.array(z.object({ name: z.string().min(1) })).min(1) }),
      request.body,
      bad,
    );
    const base = findApp(ctx, (request.params as AppParams).app_token);
    const ids = body.tables.map((t) => createTable(base, t.name).table_id);
    touch(base.app_token);
    return ok({ table_ids: ids });
  });

  app.patch(`${root}/:app_token/tables/:table_id`, async (request) => {
    const body = parseWith(z.object({ name: z.string().min(1) }), request.body, bad);
    const { table } = findTable(
      ctx,
      (request.params as TableParams).app_token,
      (request.params as TableParams).table_id,
    );
    table.name = body.name;
    touch((request.params as TableParams).app_token);
    return ok({ name: table.name });
  });

  app.delete(`${root}/:app_token/tables/:table_id`, async (request) => {
    const p = request.params as TableParams;
    const { app: base, table } = findTable(ctx, p.app_token, p.table_id);
    if (base.tables.length === 1)
      throw bitableError(1254003, 'WrongBaseToken: the last table of a base cannot be deleted');
    base.tables = base.tables.filter((t) => t !== table);
    touch(base.app_token);
    return ok({});
  });

  app.get(`${root}/:app_token/tables/:table_id/fields`, async (request) => {
    const q = parseWith(PageQuery, request.query, bad);
    const p = request.params as TableParams;
    const { table } = findTable(ctx, p.app_token, p.table_id);
    return ok({ ...page(table.fields.map(toApiField), q.page_size, q.page_token), total: table.fields.length });
  });

  app.post(`${root}/:app_token/tables/:table_id/fields`, async (request) => {
    const body = parseWith(FieldBody, request.body, bad);
    const p = request.params as TableParams;
    const { table } = findTable(ctx, p.app_token, p.table_id);
    const field = addField(table, body);
    touch(p.app_token);
    return ok({ field: toApiField(field) });
  });

  app.put(`${root}/:app_token/tables/:table_id/fields/:field_id`, async (request) => {
    const body = parseWith(FieldBody, request.body, bad);
    const p = request.params as TableParams & { field_id: string };
    const { table } = findTable(ctx, p.app_token, p.table_id);
    const field = table.fields.find((f) => f.field_id === p.field_id);
    if (!field) throw bitableError(1254044, 'FieldIdNotFound');
    if (table.fields.some((f) => f !== field && f.field_name === body.field_name))
      throw bitableError(1254014, 'FieldNameDuplicated');
    Object.assign(field, { field_name: body.field_name, type: body.type, property: body.property ?? field.property });
    if (body.ui_type) field.ui_type = body.ui_type;
    if (typeof body.description === 'string') field.description = body.description;
    table.revision += 1;
    touch(p.app_token);
    return ok({ field: toApiField(field) });
  });

  app.delete(`${root}/:app_token/tables/:table_id/fields/:field_id`, async (request) => {
    const p = request.params as TableParams & { field_id: string };
    const { table } = findTable(ctx, p.app_token, p.table_id);
    const field = table.fields.find((f) => f.field_id === p.field_id);
    if (!field) throw bitableError(1254044, 'FieldIdNotFound');
    if (field.is_primary) throw bitableError(1254001, 'WrongRequestBody: the primary field cannot be deleted');
    table.fields = table.fields.filter((f) => f !== field);
    touch(p.app_token);
    return ok({ field_id: field.field_id, deleted: true });
  });

  app.get(`${root}/:app_token/tables/:table_id/views`, async (request) => {
    const q = parseWith(PageQuery, request.query, bad);
    const p = request.params as TableParams;
    const { table } = findTable(ctx, p.app_token, p.table_id);
    return ok({ ...page(table.views, q.page_size, q.page_token), total: table.views.length });
  });

  app.post(`${root}/:app_token/tables/:table_id/views`, async (request) => {
    const body = parseWith(
      z.object({
        view_name: z.string().min(1),
        view_type: z.enum(['grid', 'kanban', 'gallery', 'gantt', 'form']).default('grid'),
      }),
      request.body,
      bad,
    );
    const p = request.params as TableParams;
    const { table } = findTable(ctx, p.app_token, p.table_id);
    if (table.views.length >= 200) throw bitableError(1254101, 'ViewExceedLimit, limited to 200');
    const view = { view_id: newId.view(), view_name: body.view_name, view_type: body.view_type };
    table.views.push(view);
    touch(p.app_token);
    return ok({ view });
  });

  app.patch(`${root}/:app_token/tables/:table_id/views/:view_id`, async (request) => {
    const body = parseWith(ViewPatch, request.body, bad);
    const p = request.params as TableParams & { view_id: string };
    const { table } = findTable(ctx, p.app_token, p.table_id);
    const view = table.views.find((v) => v.view_id === p.view_id);
    if (!view) throw bitableError(1254043, 'ViewIdNotFound'); // code UNCONFIRMED; the family is 12540xx "not found"
    patchView(table, view, body);
    touch(p.app_token);
    return ok({ view });
  });
}
