import type { Db } from '../db/client.js';
import { loadBindings } from '../mirror/bindings.js';

/** Bitable links by table key: the table's own link and one per provisioned view. */
export type BitableLinks = Record<string, { url: string; views: Record<string, string> }>;

/**
 * Where each chart's rows can be opened: the Base's link with `?table=<table_id>&view=<view_id>`.
 * UNCONFIRMED: no Feishu doc page defines this URL form; it is the address the Feishu client shows
 * for a Bitable view (base/<app_token>?table=tbl…&view=vew…). `baseUrl` overrides the stored Base
 * link (the sandbox's console opens its Base this way). Without a provisioned Base: no links.
 */
export async function bitableLinks(db: Db, baseUrl?: (appToken: string) => string): Promise<BitableLinks> {
  const bindings = await loadBindings(db);
  const base = bindings ? (baseUrl?.(bindings.appToken) ?? bindings.url) : null;
  if (!bindings || !base) return {};
  const join = (params: Record<string, string>) =>
    `${base}${base.includes('?') ? '&' : '?'}${new URLSearchParams(params).toString()}`;
  const links: BitableLinks = {};
  for (const [key, t] of bindings.tables) {
    links[key] = {
      url: join({ table: t.tableId }),
      views: Object.fromEntries(
        [...t.views].map(([viewKey, v]) => [viewKey, join({ table: t.tableId, view: v.viewId })]),
      ),
    };
  }
  return links;
}
