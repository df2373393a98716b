import { bigint, boolean, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { at } from '../../shared/columns.js';
import { qaReviews } from '../schema.js';
import type { AiScore } from './answer.js';

export const PRESCORE_STATES = ['pending', 'ok', 'failed'] as const;

/**
 * The AI pre-score of a review (optional, LLM_*): one row per review, claimed by inserting it
 * (`pending`), so two instances never ask twice. `scores` holds the model's score per criterion as
 * checked (clamped to the criterion's range; a quote not in the conversation dropped) — kept whether
 * or not it reached the card, so the agreement with the inspector's marks can be measured.
 */
export const qaAiPrescores = pgTable('qa_ai_prescores', {
  reviewId: bigint('review_id', { mode: 'number' })
    .primaryKey()
    .references(() => qaReviews.id),
  status: text('status', { enum: PRESCORE_STATES }).notNull(),
  attempts: integer('attempts').notNull().default(1),
  model: text('model'),
  /** Why it failed (timeout, rate_limited, http_5xx, http_4xx, network, bad_json, bad_shape, too_large). */
  reason: text('reason'),
  httpStatus: integer('http_status'),
  scores: jsonb('scores').$type<AiScore[]>(),
  /** Quotes the model gave that are not in the conversation (dropped). */
  droppedQuotes: integer('dropped_quotes').notNull().default(0),
  /** Whether its deductions joined the review's suggestions (only before the card was first shown). */
  offered: boolean('offered').notNull().default(false),
  startedAt: at('started_at').notNull(),
  finishedAt: at('finished_at'),
});
