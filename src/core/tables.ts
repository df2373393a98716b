import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/** Durable intake: every verified Feishu delivery, keyed by its event_id so a redelivery is a no-op. */
export const larkEvents = pgTable(
  'lark_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    eventId: text('event_id').notNull().unique(),
    eventType: text('event_type').notNull(),
    source: text('source').notNull(),
    tenantKey: text('tenant_key'),
    payload: jsonb('payload').notNull(),
    // received → processing → done | ignored | failed (will retry) | dead (retries exhausted)
    status: text('status').notNull().default('received'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    receivedAt: timestamp('received_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [index('lark_events_status_idx').on(t.status, t.receivedAt)],
);

/** One row per (schedule, slot): whoever inserts it first enqueues the run, so N instances fire once. */
export const scheduleSlots = pgTable(
  'core_schedule_slots',
  {
    name: text('name').notNull(),
    slot: timestamp('slot', { withTimezone: true }).notNull(),
    instance: text('instance').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.name, t.slot] })],
);

/**
 * Dashboard sessions, one row per sign-in: the cookie holds a random id, this table its SHA-256.
 * Logging out deletes the row, so the cookie stops working on every instance at once.
 */
export const coreSessions = pgTable(
  'core_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    openId: text('open_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('core_sessions_expires_idx').on(t.expiresAt)],
);

/**
 * Rules as data (SLA matrix, amount bands, reminder intervals…) that modules declare with
 * `bot.settings` and leads edit. The table keeps the name it was created with.
 */
export const settings = pgTable('directory_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedBy: text('updated_by'),
  updatedAt: timestamp('updated_at', { withTimezone: true })
    .notNull()
    .default(sql`now()`),
});

/**
 * One row whose version a trigger bumps on every write to the settings (and announces with
 * NOTIFY core_settings): instances cache settings and check this row, or listen, to stay current.
 */
export const settingsVersion = pgTable('core_settings_version', {
  id: smallint('id').primaryKey().default(1),
  version: bigint('version', { mode: 'number' }).notNull().default(0),
});

/**
 * Live instances of the bot on this database, each beating every few seconds: Feishu's budgets
 * (messages per second per app, per chat) are shared among those seen recently.
 */
export const coreInstances = pgTable('core_instances', {
  id: text('id').primaryKey(),
  seenAt: timestamp('seen_at', { withTimezone: true })
    .notNull()
    .default(sql`now()`),
});
