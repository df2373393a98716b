import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { readFields } from '../bitable/codec.js';
import { FilterGroup, matches, SortSpec, sortRecords } from '../bitable/filter.js';
import { createRecords, deleteRecords, findRecord, updateRecords, writeEcho } from '../bitable/records.js';
import { findTable } from '../bitable/tables.js';
import type { SandboxContext } from '../context.js';
import type { BitableRecord, BitableTable } from '../state/types.js';
import { page } from './contact.js';
import { bitableError, parseWith, rateLimited } from './errors.js';

/** The host of the sandbox's record links; the console turns such a link into its own Base view at the row. */
export const SANDBOX_LINK_HOST = 'sandbox.feishu.invalid';
export const sandboxRecordUrl = (appToken: string, tableId: string, recordId: string): string =>
  `https://${SANDBOX_LINK_HOST}/base/${encodeURIComponent(appToken)}?` +
  new URLSearchParams({ table: tableId, record: recordId }).toString();

const bad = (detail: string) => bitableError(1254001, `WrongRequestBody: ${detail}`);
const Fields = z.record(z.string(), z.unknown());
const WriteQuery = z.object({ client_token: z.string().optional(), user_id_type: z.string().optional() });
const PageQuery = z.object({
  page_size: z.coerce.number().int().min(1, 'page_size must be > 0').max(500, 'page_size must be <= 500').default(20),
  page_token: z.string().optional(),
});
const SearchBody = z.object({
  view_id: z.string().optional(),
  field_names: z.array(z.string()).optional(),
  sort: SortSpec.optional(),
  filter: FilterGroup.nullable().optional(),
  automatic_fields: z.boolean().optional(),
});
type TableParams = { app_token: string; table_id: string };

export function bitableRecordRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const ok = (payload: unknown) => ({ code: 0, msg: 'success', data: payload });
  const base = '/open-apis/bitable/v1/apps/:app_token/tables/:table_id/records';
  const target = (request: FastifyRequest) => {
    const p = request.params as TableParams;
    return findTable(ctx, p.app_token, p.table_id);
  };
  const readRecord = (table: BitableTable, r: BitableRecord, only?: string[], automatic = false) => {
    const users = ctx.store.data.users;
    const who = (id: string) => ({
      id,
      name: users.find((u) => u.open_id === id)?.name ?? '运营助手',
      en_name: '',
      email: '',
      avatar_url: '',
    });
    return {
      fields: readFields(table.fields, r, ctx.store.data, only),
      record_id: r.record_id,
      ...(automatic
        ? {
            created_by: who(r.created_by),
            created_time: r.created_time,
            last_modified_by: who(r.last_modified_by),
            last_modified_time: r.last_modified_time,
          }
        : {}),
    };
  };
  // records search and list: 20/s (FEISHU.md §d) → 429 with Base's own TooManyRequest code.
  const limitReads = (appToken: string) => {
    const wait = ctx.limiter.hit(`bitable-read:${appToken}`, ctx.settings.limits.bitableReads);
    if (wait !== undefined) throw rateLimited(ctx.settings.limits.bitableReads, wait, 1254290, 'TooManyRequest');
  };
  /** Same client_token → the first call's answer, nothing written twice. */
  const idempotent = async (request: FastifyRequest, op: string, write: () => Promise<unknown>) => {
    const { client_token } = parseWith(WriteQuery, request.query, bad);
    const p = request.params as TableParams;
    const key = `${op}:${p.app_token}:${p.table_id}:${client_token ?? ''}`;
    const seen = client_token ? ctx.store.data.clientTokens[key] : undefined;
    if (seen) return seen.response;
    const response = await write();
    if (client_token) {
      const at = ctx.now().getTime();
      // Feishu does not document the dedup window; a day covers any sane retry schedule.
      for (const [old, seenAt] of Object.entries(ctx.store.data.clientTokens))
        if (at - seenAt.at > 86_400_000) delete ctx.store.data.clientTokens[old];
      ctx.store.data.clientTokens[key] = { at, response };
    }
    return response;
  };
  const appWrite = <T>(table: BitableTable, fn: () => T) => ctx.locks.run(ctx, table.table_id, { kind: 'app' }, fn);
  const pageSize = (request: FastifyRequest) =>
    parseWith(PageQuery, request.query, (d) => bitableError(1254011, `WrongPageSize: ${d}`));

  app.post(`${base}/search`, async (request) => {
    const q = pageSize(request);
    const body = parseWith(SearchBody, request.body, bad);
    const { app: baseApp, table } = target(request);
    limitReads(baseApp.app_token);
    if (body.view_id && !table.views.some((v) => v.view_id === body.view_id))
      throw bitableError(1254005, 'WrongViewId');
    const unknown = body.field_names?.find((n) => !table.fields.some((f) => f.field_name === n));
    if (unknown) throw bitableError(1254024, `InvalidFieldNames: ${unknown}`);
    const now = ctx.now().getTime();
    let rows = body.filter ? table.records.filter((r) => matches(body.filter!, table.fields, r, now)) : table.records;
    if (body.sort?.length) rows = sortRecords(rows, table.fields, body.sort);
    const paged = page(rows, q.page_size, q.page_token);
    return ok({
      ...paged,
      items: paged.items.map((r) => readRecord(table, r, body.field_names, body.automatic_fields)),
      total: rows.length,
    });
  });

  app.get(base, async (request) => {
    const q = pageSize(request);
    const query = request.query as { filter?: string; field_names?: string; automatic_fields?: string };
    // The deprecated list's formula filter is not modelled: use records/search (FEISHU.md §e).
    if (query.filter)
      throw bitableError(
        1254018,
        'InvalidFilter: formula filters are not supported by the sandbox, use records/search',
      );
    const { app: baseApp, table } = target(request);
    limitReads(baseApp.app_token);
    const only = query.field_names ? (JSON.parse(query.field_names) as string[]) : undefined;
    const paged = page(table.records, q.page_size, q.page_token);
    const items = paged.items.map((r) => ({
      ...readRecord(table, r, only, query.automatic_fields === 'true'),
      id: r.record_id,
    }));
    return ok({ ...paged, items, total: table.records.length });
  });

  app.get(`${base}/:record_id`, async (request) => {
    const { table } = target(request);
    const record = findRecord(table, (request.params as { record_id: string }).record_id);
    return ok({ record: { ...readRecord(table, record), id: record.record_id } });
  });

  app.post(`${base}/batch_get`, async (request) => {
    const body = parseWith(
      z.object({
        record_ids: z.array(z.string()).min(1).max(100),
        automatic_fields: z.boolean().optional(),
        with_shared_url: z.boolean().optional(),
      }),
      request.body,
      bad,
    );
    const { app: baseApp, table } = target(request);
    const found = body.record_ids.map((id) => table.records.find((r) => r.record_id === id));
    return ok({
      records: found
        .filter((r): r is BitableRecord => Boolean(r))
        .map((r) => ({
          ...readRecord(table, r, undefined, body.automatic_fields),
          // 记录分享链接, only when asked (with_shared_url; the record structure doc: batch_get returns it).
          // The sandbox's own https form, which the console opens at the row; Feishu's real form is not modelled.
          ...(body.with_shared_url
            ? { shared_url: sandboxRecordUrl(baseApp.app_token, table.table_id, r.record_id) }
            : {}),
        })),
      absent_record_ids: body.record_ids.filter((_, i) => !found[i]),
      forbidden_record_ids: [],
    });
  });

  app.post(base, async (request) => {
    const body = parseWith(z.object({ fields: Fields }), request.body, bad);
    const { app: baseApp, table } = target(request);
    return idempotent(request, 'create', async () => {
      const [record] = await appWrite(table, () => createRecords(ctx, baseApp, table, [body.fields], { kind: 'app' }));
      return ok({ record: writeEcho(table, record!) });
    });
  });

  app.put(`${base}/:record_id`, async (request) => {
    const body = parseWith(z.object({ fields: Fields }), request.body, bad);
    const { app: baseApp, table } = target(request);
    const record_id = (request.params as { record_id: string }).record_id;
    const [record] = await appWrite(table, () =>
      updateRecords(ctx, baseApp, table, [{ record_id, fields: body.fields }], { kind: 'app' }),
    );
    return ok({ record: writeEcho(table, record!) });
  });

  app.delete(`${base}/:record_id`, async (request) => {
    const { app: baseApp, table } = target(request);
    const record_id = (request.params as { record_id: string }).record_id;
    const [result] = await appWrite(table, () => deleteRecords(ctx, baseApp, table, [record_id], { kind: 'app' }));
    return ok(result);
  });

  app.post(`${base}/batch_create`, async (request) => {
    const body = parseWith(z.object({ records: z.array(z.object({ fields: Fields })).min(1) }), request.body, bad);
    if (body.records.length > 1000) throw bitableError(1254104, 'RecordAddOnceExceedLimit, limited to 1000');
    const { app: baseApp, table } = target(request);
    return idempotent(request, 'batch_create', async () => {
      const created = await appWrite(table, () =>
        createRecords(
          ctx,
          baseApp,
          table,
          body.records.map((r) => r.fields),
          { kind: 'app' },
        ),
      );
      return ok({ records: created.map((r) => writeEcho(table, r)) });
    });
  });

  app.post(`${base}/batch_update`, async (request) => {
    const body = parseWith(
      z.object({ records: z.array(z.object({ record_id: z.string(), fields: Fields })).min(1) }),
      request.body,
      bad,
    );
    if (body.records.length > 1000) throw bitableError(1254104, 'RecordUpdateOnceExceedLimit, limited to 1000');
    const { app: baseApp, table } = target(request);
    return idempotent(request, 'batch_update', async () => {
      const updated = await appWrite(table, () => updateRecords(ctx, baseApp, table, body.records, { kind: 'app' }));
      return ok({ records: updated.map((r) => writeEcho(table, r)) });
    });
  });

  app.post(`${base}/batch_delete`, async (request) => {
    const body = parseWith(z.object({ records: z.array(z.string()).min(1) }), request.body, bad);
    if (body.records.length > 500) throw bitableError(1254104, 'RecordDeleteOnceExceedLimit, limited to 500');
    const { app: baseApp, table } = target(request);
    const records = await appWrite(table, () => deleteRecords(ctx, baseApp, table, body.records, { kind: 'app' }));
    return ok({ records });
  });
}
