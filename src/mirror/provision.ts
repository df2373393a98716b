import { AppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Database } from '../db/client.js';
import { creationOrder, fieldPayload } from '../bitable/field-payload.js';
import { MAX_TABLES_PER_BASE } from '../bitable/load-templates.js';
import type { ApiApp, SchemaApi } from '../bitable/schema-api.js';
import type { TableTemplate } from '../bitable/template-schema.js';
import { FeishuApiError } from '../feishu/errors.js';
import { loadBindings, saveBindings, type Bindings, type BoundTable } from './bindings.js';
import { ensureMirrorTables } from './mirror-ddl.js';
import { provisionFields, provisionViews } from './provision-fields.js';
import { ProvisionRun, type ProvisionProgress, type ProvisionReport } from './provision-run.js';

export type { ProvisionProgress, ProvisionReport } from './provision-run.js';

export interface ProvisionOptions {
  api: SchemaApi;
  database: Database;
  templates: readonly TableTemplate[];
  timeZone: string;
  log: Logger;
  /** Name of a new Base. */
  baseName?: string;
  /** Adopt this existing Base instead of the stored one (or a new one). */
  appToken?: string;
  folderToken?: string;
  /**
   * The Base pinned in configuration (LARK_BITABLE_APP_TOKEN): always this one, so a fresh database
   * finds the Base again instead of creating a second.
   */
  pinnedAppToken?: string | undefined;
  /** People (open_id `ou_…`) and group chats the bot is in (`oc_…`) to give access to the Base. */
  shareWith?: readonly string[];
  /** Permission given to `shareWith` (default edit; full_access lets them manage the Base). */
  sharePerm?: 'view' | 'edit' | 'full_access';
  /** Make this person (open_id) the Base's owner; the app stays a full_access collaborator. */
  transferOwnerTo?: string;
  now?: () => Date;
  onProgress?: (p: ProvisionProgress) => void;
}

export const DEFAULT_BASE_NAME = '运营中台 Operations';
const NOT_FOUND = new Set([1254003, 1254040]);

/**
 * Creates — or finds and completes — the Base, its tables, fields and views from the templates,
 * then stores every id and subscribes to record changes. Idempotent: a second run lists and
 * finds everything and creates nothing; a field added to a template is added; nothing staff made
 * is renamed or deleted (the only deletion is the empty default table of a Base made in this run).
 */
export async function provision(options: ProvisionOptions): Promise<ProvisionReport> {
  const { api, templates, log } = options;
  [...(options.shareWith ?? [])].forEach(shareKind); // a typo fails before anything is written
  if (options.appToken && options.pinnedAppToken && options.appToken !== options.pinnedAppToken) {
    throw new AppError(
      'conflict',
      `LARK_BITABLE_APP_TOKEN 已固定为 ${options.pinnedAppToken} · the Base is pinned to ${options.pinnedAppToken}` +
        `; unset it to adopt ${options.appToken}`,
    );
  }
  const stored = await loadBindings(options.database.db);
  const { app, created } = await resolveBase(options, stored);
  const sameBase = stored?.appToken === app.app_token;
  const tables = sameBase ? stored.tables : new Map<string, BoundTable>();
  const report: ProvisionReport = {
    appToken: app.app_token,
    url: app.url ?? stored?.url ?? null,
    baseCreated: created,
    created: { tables: [], fields: [], views: [] },
    skipped: [],
    conflicts: [],
    subscribed: false,
    tables: [],
    filteredViews: [],
    manualViews: [],
    shared: [],
    owner: null,
  };
  const run = new ProvisionRun(
    api,
    app.app_token,
    templates,
    tables,
    report,
    templates.length * 3 + 1,
    options.onProgress,
  );

  await provisionTables(run, created ? app.default_table_id : undefined);
  await provisionFields(run);
  await provisionViews(run);
  if (created && app.default_table_id && ![...tables.values()].some((t) => t.tableId === app.default_table_id)) {
    await api.deleteTable(app.app_token, app.default_table_id);
  }
  await api.subscribe(app.app_token);
  report.subscribed = true;
  await grantAccess(options, app.app_token, report);
  const now = (options.now ?? (() => new Date()))();
  const bindings: Bindings = {
    appToken: app.app_token,
    name: app.name ?? stored?.name ?? DEFAULT_BASE_NAME,
    url: report.url,
    defaultTableId: null,
    subscribedAt: now,
    tables,
  };
  await options.database.transaction((tx) => saveBindings(tx.db, bindings));
  await ensureMirrorTables(options.database, templates, log);
  run.progress('订阅与保存 subscribe & save');

  report.tables = templates.map((t) => {
    const bound = run.table(t.key);
    return {
      key: t.key,
      name: bound.name,
      tableId: bound.tableId,
      fields: Object.fromEntries([...bound.fields].map(([k, f]) => [k, f.fieldId])),
      views: Object.fromEntries([...bound.views].map(([k, v]) => [k, v.viewId])),
    };
  });
  // Counts at info (one short line); what was created, by name, at debug.
  log.info(
    {
      appToken: app.app_token,
      created: Object.fromEntries(Object.entries(report.created).map(([k, v]) => [k, v.length])),
      skipped: report.skipped.length,
      conflicts: report.conflicts.length,
    },
    'bitable provisioned',
  );
  log.debug({ appToken: app.app_token, created: report.created }, 'bitable provisioned: names');
  return report;
}

/**
 * An app-created Base is owned by the app and no person can open it until access is granted through
 * the permission API (FEISHU.md §m.1). Subscribing first keeps the app the owner (only owners and
 * managers may subscribe), then people and chats are added, then ownership moves if asked.
 */
async function grantAccess(options: ProvisionOptions, appToken: string, report: ProvisionReport): Promise<void> {
  for (const id of options.shareWith ?? []) {
    const kind = shareKind(id);
    const result = await options.api.share(appToken, { kind, id, perm: options.sharePerm ?? 'edit' });
    report.shared.push({ id, result });
  }
  if (options.transferOwnerTo) {
    if (shareKind(options.transferOwnerTo) !== 'user') {
      throw new AppError(
        'bad_request',
        `只能把所有权转给个人 · ownership goes to a person (open_id ou_…), not ${options.transferOwnerTo}`,
      );
    }
    await options.api.transferOwner(appToken, options.transferOwnerTo);
    report.owner = options.transferOwnerTo;
  }
}

/** `ou_…` is a person's open_id, `oc_…` a group chat; departments cannot be shared with the app's identity. */
export function shareKind(id: string): 'user' | 'chat' {
  if (/^ou_[\w-]+$/.test(id)) return 'user';
  if (/^oc_[\w-]+$/.test(id)) return 'chat';
  throw new AppError(
    'bad_request',
    `无法共享给 ${id}：请用个人 open_id (ou_…) 或机器人所在群的 chat_id (oc_…) · share with an open_id or a chat id; Feishu ` +
      `refuses departments for an app`,
  );
}

async function resolveBase(
  options: ProvisionOptions,
  stored: Bindings | undefined,
): Promise<{ app: ApiApp; created: boolean }> {
  const token = options.appToken ?? options.pinnedAppToken ?? stored?.appToken;
  if (!token)
    return {
      app: await options.api.createApp(options.baseName ?? DEFAULT_BASE_NAME, options.timeZone, options.folderToken),
      created: true,
    };
  try {
    return { app: await options.api.getApp(token), created: false };
  } catch (error) {
    if (error instanceof FeishuApiError && NOT_FOUND.has(error.code)) {
      throw new AppError(
        'not_found',
        `找不到多维表格 ${token}（已删除或无权限）· Base ${token} not found or not shared with the app`,
        { appToken: token },
      );
    }
    throw error;
  }
}

/** Tables by stored id, else by name, else created with their plain fields in one call. */
async function provisionTables(run: ProvisionRun, defaultTableId: string | undefined): Promise<void> {
  const existing = await run.api.listTables(run.appToken);
  const find = (t: TableTemplate) => {
    const bound = run.tables.get(t.key);
    return (bound && existing.find((e) => e.table_id === bound.tableId)) ?? existing.find((e) => e.name === t.name);
  };
  const missing = run.templates.filter((t) => !find(t));
  // Feishu's own default table goes once ours exist, so it does not count against the limit.
  const kept = existing.filter((e) => e.table_id !== defaultTableId).length;
  if (kept + missing.length > MAX_TABLES_PER_BASE) {
    throw new AppError(
      'conflict',
      `多维表格最多 ${MAX_TABLES_PER_BASE} 张表 · a Base holds at most ${MAX_TABLES_PER_BASE} tables: ${kept} exist, ` +
        `${missing.length}` +
        ` more needed`,
      { existing: kept, missing: missing.map((t) => t.key) },
    );
  }
  for (const template of run.templates) {
    const found = find(template);
    if (found) {
      const bound = run.tables.get(template.key);
      run.tables.set(template.key, {
        tableKey: template.key,
        tableId: found.table_id,
        name: found.name,
        fields: bound?.tableId === found.table_id ? bound.fields : new Map(),
        views: bound?.tableId === found.table_id ? bound.views : new Map(),
      });
    } else {
      // Only fields without references: links need their target, formulas their inputs.
      const plain = creationOrder(template.fields).filter(
        (f, i) => i === 0 || (f.type !== 18 && f.type !== 19 && f.type !== 20 && f.type !== 21),
      );
      const fields = plain.map((f) => fieldPayload(f, { tableId: () => '', fieldRef: () => '' }));
      const made = await run.api.createTable(run.appToken, {
        name: template.name,
        default_view_name: template.views[0]!.name,
        fields,
      });
      run.tables.set(template.key, {
        tableKey: template.key,
        tableId: made.table_id,
        name: template.name,
        fields: new Map(),
        views: new Map(),
      });
      run.report.created.tables.push(template.key);
      run.report.created.fields.push(...plain.map((f) => `${template.key}.${f.key}`));
    }
    run.progress(`数据表 tables · ${template.name}`);
  }
}
