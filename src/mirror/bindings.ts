import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { TableTemplate, TemplateField } from '../bitable/template-schema.js';
import { mirrorBase, mirrorFields, mirrorTables, mirrorViews } from './schema.js';

/** Template keys resolved to Feishu ids, as provisioning stored them. */
export interface BoundField {
  fieldId: string;
  /** The field's name in Bitable now. */
  name: string;
  type: number;
}

export interface BoundTable {
  tableKey: string;
  tableId: string;
  name: string;
  fields: Map<string, BoundField>;
  views: Map<string, { viewId: string; name: string }>;
}

export interface Bindings {
  appToken: string;
  name: string;
  url: string | null;
  defaultTableId: string | null;
  subscribedAt: Date | null;
  tables: Map<string, BoundTable>;
}

export async function loadBindings(db: Db): Promise<Bindings | undefined> {
  const [base] = await db.select().from(mirrorBase).limit(1);
  if (!base) return undefined;
  const tables = new Map<string, BoundTable>();
  for (const t of await db.select().from(mirrorTables)) {
    if (t.appToken !== base.appToken) continue;
    tables.set(t.tableKey, {
      tableKey: t.tableKey,
      tableId: t.tableId,
      name: t.name,
      fields: new Map(),
      views: new Map(),
    });
  }
  for (const f of await db.select().from(mirrorFields)) {
    tables.get(f.tableKey)?.fields.set(f.fieldKey, { fieldId: f.fieldId, name: f.fieldName, type: f.type });
  }
  for (const v of await db.select().from(mirrorViews))
    tables.get(v.tableKey)?.views.set(v.viewKey, { viewId: v.viewId, name: v.viewName });
  return {
    appToken: base.appToken,
    name: base.name,
    url: base.url,
    defaultTableId: base.defaultTableId,
    subscribedAt: base.subscribedAt,
    tables,
  };
}

/** Upserts everything provisioning knows; rows of keys no longer in the templates are left alone. */
export async function saveBindings(db: Db, b: Bindings): Promise<void> {
  await db
    .insert(mirrorBase)
    .values({
      id: 'default',
      appToken: b.appToken,
      name: b.name,
      url: b.url,
      defaultTableId: b.defaultTableId,
      subscribedAt: b.subscribedAt,
    })
    .onConflictDoUpdate({
      target: mirrorBase.id,
      set: {
        appToken: b.appToken,
        name: b.name,
        url: b.url,
        defaultTableId: b.defaultTableId,
        subscribedAt: b.subscribedAt,
        provisionedAt: sql`now()`,
      },
    });
  for (const t of b.tables.values()) {
    await db
      .insert(mirrorTables)
      .values({ tableKey: t.tableKey, appToken: b.appToken, tableId: t.tableId, name: t.name })
      .onConflictDoUpdate({
        target: mirrorTables.tableKey,
        set: { appToken: b.appToken, tableId: t.tableId, name: t.name, updatedAt: sql`now()` },
      });
    const fields = [...t.fields].map(([fieldKey, f]) => ({
      tableKey: t.tableKey,
      fieldKey,
      fieldId: f.fieldId,
      fieldName: f.name,
      type: f.type,
    }));
    if (fields.length > 0) {
      await db
        .insert(mirrorFields)
        .values(fields)
        .onConflictDoUpdate({
          target: [mirrorFields.tableKey, mirrorFields.fieldKey],
          set: {
            fieldId: sql`excluded.field_id`,
            fieldName: sql`excluded.field_name`,
            type: sql`excluded.type`,
            updatedAt: sql`now()`,
          },
        });
    }
    const views = [...t.views].map(([viewKey, v]) => ({
      tableKey: t.tableKey,
      viewKey,
      viewId: v.viewId,
      viewName: v.name,
    }));
    if (views.length > 0) {
      await db
        .insert(mirrorViews)
        .values(views)
        .onConflictDoUpdate({
          target: [mirrorViews.tableKey, mirrorViews.viewKey],
          set: { viewId: sql`excluded.view_id`, viewName: sql`excluded.view_name`, updatedAt: sql`now()` },
        });
    }
  }
}

export async function markSubscribed(db: Db, at: Date): Promise<void> {
  await db.update(mirrorBase).set({ subscribedAt: at });
}

/**
 * The template as it stands in Bitable: each field under the name it has there, so a column staff
 * renamed still decodes. Fields provisioning could not make keep their template name (always empty).
 */
export function boundTemplate(template: TableTemplate, table: BoundTable | undefined): TableTemplate {
  if (!table) return template;
  const fields = template.fields.map((f): TemplateField => {
    const bound = table.fields.get(f.key);
    return bound && bound.name !== f.name ? { ...f, name: bound.name } : f;
  });
  return { ...template, fields };
}

/** field_id → template field, for decoding record-changed events. */
export function fieldsById(template: TableTemplate, table: BoundTable): Map<string, TemplateField> {
  const out = new Map<string, TemplateField>();
  for (const field of template.fields) {
    const bound = table.fields.get(field.key);
    if (bound) out.set(bound.fieldId, field);
  }
  return out;
}
