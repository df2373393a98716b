import { sql } from 'drizzle-orm';
import { boolean, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

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
