import { sql } from 'drizzle-orm';
import { bigint, date, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { communities } from './schema.js';

// Stored rollups of community_daily_metrics for the dashboard and reports (issue 13 "Numbers", issue 12 §4).
// Kept by the database's statement triggers on community_daily_metrics and community_communities
// (migrations/0026_community_rollup_triggers.sql), so every writer — API, file import, Bitable rows, Feishu
// group events, corrections, even a hand-written UPDATE — changes them in its own transaction.
// `community_rollups_rebuild()` recomputes both tables from the daily rows.

/**
 * Additive sums of the daily rows per day × platform × team × operator (the community's attributes now; a
 * community that moves to another operator, platform or team moves its days with it). '' stands for "none"
 * (no team, no operator). A group with no row that day has no row here.
 */
export const communityMetricRollups = pgTable(
  'community_metric_rollups',
  {
    day: date('day', { mode: 'string' }).notNull(),
    platform: text('platform').notNull(),
    teamKey: text('team_key').notNull(),
    operatorOpenId: text('operator_open_id').notNull(),
    rows: integer('rows').notNull(),
    joined: bigint('joined', { mode: 'number' }).notNull(),
    left: bigint('left', { mode: 'number' }).notNull(),
    /** Σ members_total: the member-days, and on a day the closing members. */
    memberDays: bigint('member_days', { mode: 'number' }).notNull(),
    activeDays: bigint('active_days', { mode: 'number' }).notNull(),
    messages: bigint('messages', { mode: 'number' }).notNull(),
    orders: bigint('orders', { mode: 'number' }).notNull(),
    gmvFen: bigint('gmv_fen', { mode: 'number' }).notNull(),
    refundsFen: bigint('refunds_fen', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.platform, t.teamKey, t.operatorOpenId] })],
);

/**
 * The day rollups summed per calendar month × platform × team × operator (`month`: its 1st), and which days of the
 * month the group has a day row (`day_bits`: bit d-1 for day d), so a year's span reads twelve month rows per group
 * and the days of its partial months instead of 365 day rows, and still counts the days with data. Kept by the same
 * triggers: after changing day rows they sum the touched groups' months again from their day rows (migration 0032).
 */
export const communityMetricMonthRollups = pgTable(
  'community_metric_month_rollups',
  {
    month: date('month', { mode: 'string' }).notNull(),
    platform: text('platform').notNull(),
    teamKey: text('team_key').notNull(),
    operatorOpenId: text('operator_open_id').notNull(),
    rows: integer('rows').notNull(),
    joined: bigint('joined', { mode: 'number' }).notNull(),
    left: bigint('left', { mode: 'number' }).notNull(),
    memberDays: bigint('member_days', { mode: 'number' }).notNull(),
    activeDays: bigint('active_days', { mode: 'number' }).notNull(),
    messages: bigint('messages', { mode: 'number' }).notNull(),
    orders: bigint('orders', { mode: 'number' }).notNull(),
    gmvFen: bigint('gmv_fen', { mode: 'number' }).notNull(),
    refundsFen: bigint('refunds_fen', { mode: 'number' }).notNull(),
    dayBits: integer('day_bits').notNull(),
  },
  (t) => [primaryKey({ columns: [t.month, t.platform, t.teamKey, t.operatorOpenId] })],
);

/**
 * The days a community has no row, as runs between two of its rows (`prev_day` and `next_day`, both
 * exclusive): one before its first row (prev_day null), one after its last (next_day null), one per hole
 * of two days or more. A period [from, to] opens for a community on `from` if it has a row then, else on
 * the next_day of the gap that holds `from` (when that is still ≤ to); it closes likewise on `to` or the
 * prev_day of the gap holding `to`. The GiST index finds the gaps holding a day without reading the rest.
 */
export const communityMetricGaps = pgTable(
  'community_metric_gaps',
  {
    communityId: bigint('community_id', { mode: 'number' })
      .notNull()
      .references(() => communities.id),
    prevDay: date('prev_day', { mode: 'string' }),
    nextDay: date('next_day', { mode: 'string' }),
  },
  (t) => [
    index('community_metric_gaps_community_idx').on(t.communityId, t.prevDay),
    index('community_metric_gaps_span_idx').using('gist', sql`daterange(${t.prevDay}, ${t.nextDay}, '()')`),
  ],
);
