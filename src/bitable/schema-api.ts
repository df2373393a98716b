import { z } from 'zod';
import { isSafeLink } from '../core/cards/markdown.js';
import { FeishuApiError } from '../feishu/errors.js';
import { clientToken } from '../feishu/idempotency.js';
import type { OpenApi } from '../feishu/index.js';
import { KeyedRateLimiter } from '../feishu/rate-limit.js';
import type { FieldPayload } from './field-payload.js';

/**
 * The Bitable schema calls provisioning needs (FEISHU.md §e): bases, tables, fields, views, the
 * drive subscription, and batch_get for single records. Responses pass zod once, here.
 * Schema writes are paced (table-create and field-create limits are UNCONFIRMED in §d; 5/s is the
 * common "level 6" and keeps a provision of 17 tables under a minute).
 */

const ApiApp = z.object({
  app_token: z.string(),
  name: z.string().optional(),
  url: z.string().optional(),
  default_table_id: z.string().optional(),
});
export type ApiApp = z.infer<typeof ApiApp>;
const ApiTable = z.object({ table_id: z.string(), name: z.string() });
export type ApiTable = z.infer<typeof ApiTable>;
const ApiField = z.object({
  field_id: z.string(),
  field_name: z.string(),
  type: z.number(),
  is_primary: z.boolean().optional(),
});
export type ApiField = z.infer<typeof ApiField>;
const ViewPropertyAnswer = z
  .object({ filter_info: z.unknown().optional(), hidden_fields: z.array(z.string()).nullish() })
  .passthrough();
const ApiView = z.object({
  view_id: z.string(),
  view_name: z.string(),
  view_type: z.string().optional(),
  property: ViewPropertyAnswer.nullish(),
});
export type ApiView = z.infer<typeof ApiView>;
const ApiMember = z.object({ member_type: z.string().optional(), member_id: z.string(), perm: z.string().optional() });
const ApiRecord = z.object({
  record_id: z.string(),
  fields: z.record(z.string(), z.unknown()),
  last_modified_time: z.number().optional(),
  last_modified_by: z.unknown().optional(),
});
export type ApiRecord = z.infer<typeof ApiRecord>;

const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.object({
      items: z.array(item).nullish(),
      has_more: z.boolean().optional(),
      page_token: z.string().nullish(),
    }),
  });

/** 1063003: not allowed — among its causes "existing perm higher" (FEISHU.md §m.1). */
const PERMISSION_NOT_ALLOWED = 1063003;

export class BitableSchemaError extends Error {
  override name = 'BitableSchemaError';
}

export interface SchemaApiOptions {
  schemaWritesPerSecond?: number | undefined;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export function createSchemaApi(client: OpenApi, options: SchemaApiOptions = {}) {
  const pace = new KeyedRateLimiter(options.schemaWritesPerSecond ?? 5, options.now, options.sleep);
  const apps = '/open-apis/bitable/v1/apps';
  const enc = encodeURIComponent;
  const parse = <S extends z.ZodType>(op: string, schema: S, body: unknown): z.infer<S> => {
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new BitableSchemaError(`多维表格响应异常 unexpected answer to ${op}: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  };
  type Req = { method: string; url: string; data?: unknown; params?: Record<string, unknown> };
  const write = async <S extends z.ZodType>(op: string, schema: S, req: Req, recover?: () => Promise<unknown>) => {
    await pace.acquire('schema.write');
    return parse(op, schema, await client.request(op, req, recover as () => Promise<{ code?: number } | undefined>));
  };
  async function listAll<T extends z.ZodType>(op: string, url: string, item: T): Promise<z.infer<T>[]> {
    const out: z.infer<T>[] = [];
    let pageToken: string | undefined;
    for (let guard = 0; guard < 1000; guard++) {
      const body = await client.request(op, {
        method: 'GET',
        url,
        params: { page_size: 100, ...(pageToken ? { page_token: pageToken } : {}) },
      });
      const page = parse(op, pageOf(item), body).data;
      out.push(...(page.items ?? []));
      if (!page.has_more || !page.page_token) return out;
      pageToken = page.page_token;
    }
    throw new BitableSchemaError(`${op}: more than 1000 pages`);
  }

  return {
    async getApp(appToken: string): Promise<ApiApp> {
      const body = await client.request('bitable.app.get', { method: 'GET', url: `${apps}/${enc(appToken)}` });
      return parse('bitable.app.get', z.object({ data: z.object({ app: ApiApp }) }), body).data.app;
    },
    async createApp(name: string, timeZone: string, folderToken?: string): Promise<ApiApp> {
      const data = { name, time_zone: timeZone, ...(folderToken ? { folder_token: folderToken } : {}) };
      return (
        await write('bitable.app.create', z.object({ data: z.object({ app: ApiApp }) }), {
          method: 'POST',
          url: apps,
          data,
        })
      ).data.app;
    },
    listTables: (appToken: string) => listAll('bitable.tables.list', `${apps}/${enc(appToken)}/tables`, ApiTable),
    /**
     * Table create takes no client_token (FEISHU.md §m.3): before a retry the tables are listed and a
     * table of this name made by the lost attempt is taken, so a retried create cannot make two.
     */
    async createTable(appToken: string, table: { name: string; default_view_name: string; fields: FieldPayload[] }) {
      const schema = z.object({
        data: z.object({
          table_id: z.string(),
          default_view_id: z.string().optional(),
          field_id_list: z.array(z.string()).optional(),
        }),
      });
      const url = `${apps}/${enc(appToken)}/tables`;
      const recover = async () => {
        const made = (await listAll('bitable.tables.list', url, ApiTable)).find((t) => t.name === table.name);
        return made ? { code: 0, data: { table_id: made.table_id } } : undefined;
      };
      return (await write('bitable.table.create', schema, { method: 'POST', url, data: { table } }, recover)).data;
    },
    async deleteTable(appToken: string, tableId: string): Promise<void> {
      await write('bitable.table.delete', z.unknown(), {
        method: 'DELETE',
        url: `${apps}/${enc(appToken)}/tables/${enc(tableId)}`,
      });
    },
    listFields: (appToken: string, tableId: string) =>
      listAll('bitable.fields.list', `${apps}/${enc(appToken)}/tables/${enc(tableId)}/fields`, ApiField),
    /** With a client_token (FEISHU.md §m.3) from the Base, table and name: a retried create makes one field. */
    async createField(appToken: string, tableId: string, payload: FieldPayload): Promise<ApiField> {
      const schema = z.object({ data: z.object({ field: ApiField }) });
      const params = { client_token: clientToken(`field:${appToken}:${tableId}:${payload.field_name}`) };
      const url = `${apps}/${enc(appToken)}/tables/${enc(tableId)}/fields`;
      return (await write('bitable.field.create', schema, { method: 'POST', url, data: payload, params })).data.field;
    },
    listViews: (appToken: string, tableId: string) =>
      listAll('bitable.views.list', `${apps}/${enc(appToken)}/tables/${enc(tableId)}/views`, ApiView),
    async createView(
      appToken: string,
      tableId: string,
      view: { view_name: string; view_type: string },
    ): Promise<ApiView> {
      const schema = z.object({ data: z.object({ view: ApiView }) });
      return (
        await write('bitable.view.create', schema, {
          method: 'POST',
          url: `${apps}/${enc(appToken)}/tables/${enc(tableId)}/views`,
          data: view,
        })
      ).data.view;
    },
    /** Sets a view's filter and hidden fields (incremental PATCH, FEISHU.md §m.2). */
    async patchView(appToken: string, tableId: string, viewId: string, property: object): Promise<ApiView> {
      const schema = z.object({ data: z.object({ view: ApiView }) });
      const url = `${apps}/${enc(appToken)}/tables/${enc(tableId)}/views/${enc(viewId)}`;
      return (await write('bitable.view.patch', schema, { method: 'PATCH', url, data: { property } })).data.view;
    },
    /**
     * Gives a person (open_id) or a group chat the bot is in (chat_id) access to the Base
     * (FEISHU.md §m.1: departments are refused for the app's identity). A member who already has
     * this or a higher permission (1063003) counts as done.
     */
    async share(
      appToken: string,
      member: { kind: 'user' | 'chat'; id: string; perm: 'view' | 'edit' | 'full_access' },
    ): Promise<'added' | 'already'> {
      const data = {
        member_type: member.kind === 'user' ? 'openid' : 'openchat',
        member_id: member.id,
        perm: member.perm,
        type: member.kind,
      };
      try {
        await write('drive.permission.member.create', z.unknown(), {
          method: 'POST',
          url: `/open-apis/drive/v1/permissions/${enc(appToken)}/members`,
          params: { type: 'bitable' },
          data,
        });
        return 'added';
      } catch (error) {
        // 1063003 also means "existing perm higher": done if the member is there, else the real refusal.
        if (!(error instanceof FeishuApiError) || error.code !== PERMISSION_NOT_ALLOWED) throw error;
        const op = 'drive.permission.members.list';
        const body = await client.request(op, {
          method: 'GET',
          url: `/open-apis/drive/v1/permissions/${enc(appToken)}/members`,
          params: { type: 'bitable' },
        });
        const members =
          parse(op, z.object({ data: z.object({ items: z.array(ApiMember).nullish() }) }), body).data.items ?? [];
        if (members.some((m) => m.member_id === member.id)) return 'already';
        throw error;
      }
    },
    /** Makes a person the owner; the app stays a full_access collaborator (the API's default, §m.1). */
    async transferOwner(appToken: string, openId: string): Promise<void> {
      await write('drive.permission.member.transfer_owner', z.unknown(), {
        method: 'POST',
        url: `/open-apis/drive/v1/permissions/${enc(appToken)}/members/transfer_owner`,
        params: { type: 'bitable', remove_old_owner: false, old_owner_perm: 'full_access' },
        data: { member_type: 'openid', member_id: openId },
      });
    },
    /** Record-changed events for this Base reach the bot only after this (FEISHU.md §e). */
    async subscribe(appToken: string): Promise<void> {
      await client.request('drive.file.subscribe', {
        method: 'POST',
        url: `/open-apis/drive/v1/files/${enc(appToken)}/subscribe`,
        params: { file_type: 'bitable' },
      });
    },
    /** Up to 100 records by id, with their modified time; absent ids are left out. */
    async getRecords(appToken: string, tableId: string, recordIds: readonly string[]): Promise<ApiRecord[]> {
      const out: ApiRecord[] = [];
      for (let i = 0; i < recordIds.length; i += 100) {
        const body = await client.request('bitable.records.batch_get', {
          method: 'POST',
          url: `${apps}/${enc(appToken)}/tables/${enc(tableId)}/records/batch_get`,
          data: { record_ids: recordIds.slice(i, i + 100), automatic_fields: true, user_id_type: 'open_id' },
        });
        out.push(
          ...(parse(
            'bitable.records.batch_get',
            z.object({ data: z.object({ records: z.array(ApiRecord).nullish() }) }),
            body,
          ).data.records ?? []),
        );
      }
      return out;
    },
    /**
     * A link to the record for people (`shared_url`), or undefined when Feishu gives none. Per the
     * record structure doc, `shared_url` (记录分享链接) is what batch_get returns when the body has
     * `with_shared_url: true` (a flag the official SDK types also carry); `record_url` belongs to the
     * single-record get and is taken only as a fallback. UNCONFIRMED: the URL's exact form and who
     * can open it (the Base's own sharing settings apply); only an https link is ever kept.
     */
    async recordLink(appToken: string, tableId: string, recordId: string): Promise<string | undefined> {
      const body = await client.request('bitable.records.batch_get', {
        method: 'POST',
        url: `${apps}/${enc(appToken)}/tables/${enc(tableId)}/records/batch_get`,
        data: { record_ids: [recordId], with_shared_url: true },
      });
      const records = parse('bitable.records.batch_get', RecordLinks, body).data.records ?? [];
      const record = records.find((r) => r.record_id === recordId);
      const url = record?.shared_url ?? record?.record_url;
      return url && isSafeLink(url) ? url : undefined;
    },
  };
}

const RecordLinks = z.object({
  data: z.object({
    records: z
      .array(
        z.object({
          record_id: z.string().optional(),
          shared_url: z.string().nullish(),
          record_url: z.string().nullish(),
        }),
      )
      .nullish(),
  }),
});

export type SchemaApi = ReturnType<typeof createSchemaApi>;
