import { sql } from 'drizzle-orm';
import { bigint, date, doublePrecision, index, integer, pgTable, smallint, text } from 'drizzle-orm/pg-core';
import { at } from '../shared/columns.js';

/**
 * Stored rollups of scored reviews for the QA tab and the chat reports (rollup-store.ts keeps them,
 * rollup-repository.ts reads them): additive sums per business day and `grain`, a bit set of the dimensions the row
 * is grouped by besides day and scorecard version (1 team, 2 channel, 4 agent, 8 inspector); a dimension outside the
 * grain is null, one inside it the review's own value (team may be null: a conversation without a team). Bit 16
 * marks a month row: the sums of a calendar month's day rows of grain & 15, `day` its 1st (rollup-store.ts MONTH). A
 * rebuild writes the rows in (grain, day) order, so a grain's days are read from few pages.
 */
/**
 * Bit 16 of a grain: the row sums a calendar month (its `day` is the month's 1st) of the day rows of grain & 15, so a
 * year reads twelve month rows and the days of its partial months at the edges instead of 365 day rows.
 */
export const MONTH = 16;

/**
 * A review `r` that is an agent's result: not one of a calibration round's blind scores (the same conversation scored
 * by several inspectors measures the inspectors, not the agent; calibration views read those from qa_reviews). Every
 * rollup, report, digest and root-cause count takes only these.
 */
export const COUNTED = `r.sample_reason <> 'calibration'`;

const dimensions = {
  grain: smallint('grain').notNull(),
  day: date('day', { mode: 'string' }).notNull(),
  version: integer('version').notNull(),
  team: text('team'),
  channel: text('channel'),
  agent: text('agent'),
  inspector: text('inspector'),
};

export const qaRollupReviews = pgTable(
  'qa_rollup_reviews',
  {
    ...dimensions,
    reviews: integer('reviews').notNull(),
    scoreSum: doublePrecision('score_sum').notNull(),
    passes: integer('passes').notNull(),
    failed: integer('failed').notNull(),
    appealed: integer('appealed').notNull(),
    overturned: integer('overturned').notNull(),
    secondsSum: bigint('seconds_sum', { mode: 'number' }).notNull(),
    secondsN: integer('seconds_n').notNull(),
    // Σw, Σw², Σw·pass, Σw²·pass, Σw·score, Σw²·score, Σw²·score² (w = 1/inclusion probability): WeightedSums.
    sw: doublePrecision('sw').notNull(),
    sw2: doublePrecision('sw2').notNull(),
    swPass: doublePrecision('sw_pass').notNull(),
    sw2Pass: doublePrecision('sw2_pass').notNull(),
    swScore: doublePrecision('sw_score').notNull(),
    sw2Score: doublePrecision('sw2_score').notNull(),
    sw2Score2: doublePrecision('sw2_score2').notNull(),
  },
  (t) => [
    index('qa_rollup_reviews_day_idx').on(t.grain, t.day),
    // A lead's teams, a team and channel: the rows of those teams only.
    index('qa_rollup_reviews_team_idx').on(t.grain, t.team, t.channel, t.day),
    index('qa_rollup_reviews_agent_idx')
      .on(t.grain, t.agent, t.day)
      .where(sql`agent is not null`),
    index('qa_rollup_reviews_inspector_idx')
      .on(t.grain, t.inspector, t.day)
      .where(sql`inspector is not null`),
  ],
);

/** Criterion marks of scored reviews, per day, grain and criterion code. */
export const qaRollupItems = pgTable(
  'qa_rollup_items',
  {
    ...dimensions,
    code: text('code').notNull(),
    items: integer('items').notNull(),
    /** Points deducted and how many marks were not N/A (the average deduction leaves N/A out). */
    pointsSum: doublePrecision('points_sum').notNull(),
    pointsN: integer('points_n').notNull(),
    /** Marks that deducted anything. */
    deducted: integer('deducted').notNull(),
  },
  (t) => [
    index('qa_rollup_items_day_idx').on(t.grain, t.day),
    index('qa_rollup_items_agent_idx')
      .on(t.grain, t.agent, t.day)
      .where(sql`agent is not null`),
    index('qa_rollup_items_inspector_idx')
      .on(t.grain, t.inspector, t.day)
      .where(sql`inspector is not null`),
  ],
);

/**
 * Deductions (marks with points > 0) of scored reviews by root cause, for the root-cause report (rollup-causes.ts):
 * one grain, 3 (team × channel, per scorecard version, criterion `code` and `cause`, null: none given), day rows, and
 * month rows (grain 3 | MONTH, `day` the month's 1st) summed from them. Kept with the other rollups by the same
 * follow-up job and rebuild; a cause changed later in 评分明细 marks its review stale like a re-score does.
 */
export const qaRollupCauses = pgTable(
  'qa_rollup_causes',
  {
    grain: smallint('grain').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    version: integer('version').notNull(),
    team: text('team'),
    channel: text('channel'),
    code: text('code').notNull(),
    cause: text('cause'),
    deductions: integer('deductions').notNull(),
  },
  (t) => [index('qa_rollup_causes_day_idx').on(t.grain, t.day)],
);

/**
 * The one row saying in which time zone the rollups' days are (set by migration 0028 and by a rebuild). Without it
 * the rollups are not kept and reads count every review from qa_reviews.
 */
export const qaRollupState = pgTable('qa_rollup_state', {
  id: smallint('id').primaryKey().default(1),
  timeZone: text('time_zone').notNull(),
  builtAt: at('built_at').notNull(),
});

/**
 * Reviews whose rollup cells are stale: marked in the transaction that scored, appealed or decided them, taken and
 * recomputed by the follow-up job (rollup-store.ts refreshDirtyRollup), so a card callback never waits for it and a
 * burst of clicks is folded in one recompute per day.
 */
export const qaRollupDirty = pgTable('qa_rollup_dirty', {
  reviewId: bigint('review_id', { mode: 'number' }).primaryKey(),
});
