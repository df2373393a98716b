import { sql } from 'drizzle-orm';
import { boolean, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** People and their roles, mirrored from the 人员与角色 Bitable table (or seeded in the sandbox). */
export const directoryPeople = pgTable('directory_people', {
  openId: text('open_id').primaryKey(),
  name: text('name').notNull(),
  enName: text('en_name'),
  email: text('email'),
  teams: text('teams')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  roles: text('roles')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  channel: text('channel'),
  managerOpenId: text('manager_open_id'),
  active: boolean('active').notNull().default(true),
  /** Where the row comes from: 'bitable' once synced from 人员与角色; null when seeded or entered otherwise. */
  source: text('source'),
  updatedAt: timestamp('updated_at', { withTimezone: true })
    .notNull()
    .default(sql`now()`),
});

/** A team: its group chat, its lead and manager, and where round-robin assignment stands. */
export const directoryTeams = pgTable('directory_teams', {
  key: text('key').primaryKey(),
  name: text('name').notNull(),
  chatId: text('chat_id'),
  leadOpenId: text('lead_open_id'),
  managerOpenId: text('manager_open_id'),
  rotation: integer('rotation').notNull().default(0),
  /** Inactive teams (团队.启用 unticked) get no new work: no one is rotated in for them. */
  active: boolean('active').notNull().default(true),
  /** 'bitable' once synced from 团队; null when seeded or entered otherwise. */
  source: text('source'),
  updatedAt: timestamp('updated_at', { withTimezone: true })
    .notNull()
    .default(sql`now()`),
});

/**
 * The last version of each row of a settings table (规则配置, a module's config table) that every
 * setting read from it took without a problem. When the row is later edited into something the
 * workflows cannot use, this version stays in force instead (never half a rule).
 */
export const directorySettingRows = pgTable(
  'directory_setting_rows',
  {
    tableKey: text('table_key').notNull(),
    recordId: text('record_id').notNull(),
    values: jsonb('values').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.tableKey, t.recordId] })],
);

/**
 * A problem with a settings row that someone was told about, keyed by table, row, field and value:
 * the same problem is told once (across restarts and syncs); once the row is fine the entry goes,
 * so breaking it again tells again.
 */
export const directorySettingProblems = pgTable(
  'directory_setting_problems',
  {
    tableKey: text('table_key').notNull(),
    recordId: text('record_id').notNull(),
    /** The field key ('' when no field could be named) and the value as shown in the DM. */
    field: text('field').notNull(),
    value: text('value').notNull(),
    message: text('message').notNull(),
    toldOpenIds: text('told_open_ids')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    toldAt: timestamp('told_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.tableKey, t.recordId, t.field, t.value] })],
);
