import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique } from 'drizzle-orm/pg-core';

/**
 * What provisioning found or made in Feishu, so every instance resolves template keys to ids
 * (and record-changed events' field_ids back to keys) without asking Feishu. The mirrored rows
 * themselves live in one table per template, `bitable_<table key>`, made from the templates
 * (mirror-ddl.ts): templates are data, so their tables follow them without a migration.
 */

/** The one Base the bot provisions into. */
export const mirrorBase = pgTable('mirror_base', {
  id: text('id').primaryKey().default('default'),
  appToken: text('app_token').notNull(),
  name: text('name').notNull(),
  url: text('url'),
  /** The table Feishu put into the new Base; removed once the template tables exist. */
  defaultTableId: text('default_table_id'),
  provisionedAt: timestamp('provisioned_at', { withTimezone: true })
    .notNull()
    .default(sql`now()`),
  subscribedAt: timestamp('subscribed_at', { withTimezone: true }),
});

export const mirrorTables = pgTable(
  'mirror_tables',
  {
    tableKey: text('table_key').primaryKey(),
    appToken: text('app_token').notNull(),
    tableId: text('table_id').notNull(),
    name: text('name').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [unique('mirror_tables_table_id_key').on(t.appToken, t.tableId)],
);

export const mirrorFields = pgTable(
  'mirror_fields',
  {
    tableKey: text('table_key').notNull(),
    fieldKey: text('field_key').notNull(),
    fieldId: text('field_id').notNull(),
    /** The name in Bitable (staff may rename a field; provisioning never renames it back). */
    fieldName: text('field_name').notNull(),
    type: integer('type').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.tableKey, t.fieldKey] })],
);

export const mirrorViews = pgTable(
  'mirror_views',
  {
    tableKey: text('table_key').notNull(),
    viewKey: text('view_key').notNull(),
    viewId: text('view_id').notNull(),
    viewName: text('view_name').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.tableKey, t.viewKey] })],
);

/**
 * Every overwrite of mirrored values: an edit from an event, a repair by reconcile, a deletion,
 * and an event that lost to a newer write (kept, not applied). `before`/`after` hold only the
 * fields that differ, by field key.
 */
export const mirrorAudit = pgTable(
  'mirror_audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tableKey: text('table_key').notNull(),
    recordId: text('record_id').notNull(),
    // update | delete | stale (a change older than the mirrored row, not applied)
    action: text('action').notNull(),
    // event | reconcile
    source: text('source').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    /** Bitable's time of the change that won (or, for stale, that lost). */
    bitableModifiedAt: timestamp('bitable_modified_at', { withTimezone: true }),
    operatorOpenId: text('operator_open_id'),
    eventId: text('event_id'),
    at: timestamp('at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [index('mirror_audit_record_idx').on(t.tableKey, t.recordId), index('mirror_audit_at_idx').on(t.at)],
);
