import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

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
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().default(sql`now()`),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().default(sql`now()`),
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
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.name, t.slot] })],
);
