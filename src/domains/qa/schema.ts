import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { Criterion } from './logic/scorecard.js';
import type { Suggestion } from './logic/prechecks.js';
import { ROLES } from './logic/prechecks.js';
import {
  APPEAL_STATES,
  APPEAL_STEPS,
  AUDITED_DECISIONS,
  RESULTS,
  REVIEW_STATES,
  SAMPLE_REASONS,
} from './logic/review.js';
import { at, atNow } from '../shared/columns.js';

const createdAt = () => atNow('created_at');

/** A published scorecard: the criteria as they were; reviews keep the version they were scored with. */
export const qaScorecardVersions = pgTable('qa_scorecard_versions', {
  version: integer('version').primaryKey(),
  criteria: jsonb('criteria').$type<Criterion[]>().notNull(),
  publishedBy: text('published_by'),
  publishedAt: at('published_at').notNull(),
  note: text('note'),
});

/** A conversation from any channel; (channel, external_id) makes ingest idempotent. */
export const qaConversations = pgTable(
  'qa_conversations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    channel: text('channel').notNull(),
    externalId: text('external_id').notNull(),
    shop: text('shop'),
    agentOpenId: text('agent_open_id').notNull(),
    teamKey: text('team_key'),
    startedAt: at('started_at').notNull(),
    endedAt: at('ended_at').notNull(),
    csat: integer('csat'),
    orderIds: jsonb('order_ids').$type<string[]>().notNull().default([]),
    tags: jsonb('tags').$type<string[]>().notNull().default([]),
    url: text('url'),
    messageCount: integer('message_count').notNull(),
    source: text('source').notNull().default('api'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('qa_conversations_channel_external_idx').on(t.channel, t.externalId),
    index('qa_conversations_agent_idx').on(t.agentOpenId, t.startedAt),
    index('qa_conversations_started_idx').on(t.startedAt),
  ],
);

export const qaMessages = pgTable(
  'qa_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => qaConversations.id),
    seq: integer('seq').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    sender: text('sender'),
    at: at('at').notNull(),
    text: text('text').notNull(),
  },
  (t) => [uniqueIndex('qa_messages_conversation_seq_idx').on(t.conversationId, t.seq)],
);

/**
 * A conversation's pre-check hits as the sampling plan weighs them (issue 10 §3: risk picks), computed when it
 * is stored (ingest) so the plan reads this narrow row instead of every message. Valid only for the scorecard
 * version, pre-check policy (`policy_key`, a hash) and message count it was computed with: the plan recomputes a
 * row whose key differs (service/precheck-store.ts), so a changed policy or scorecard never gives stale flags.
 */
export const qaConversationPrechecks = pgTable('qa_conversation_prechecks', {
  conversationId: bigint('conversation_id', { mode: 'number' })
    .primaryKey()
    .references(() => qaConversations.id),
  scorecardVersion: integer('scorecard_version').notNull(),
  policyKey: text('policy_key').notNull(),
  messageCount: integer('message_count').notNull(),
  hits: integer('hits').notNull(),
});

/** A calibration round: the same conversations scored blind by several inspectors, the lead as reference. */
export const qaCalibrationRounds = pgTable('qa_calibration_rounds', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  name: text('name').notNull(),
  leadOpenId: text('lead_open_id'),
  createdBy: text('created_by').notNull(),
  conversationIds: jsonb('conversation_ids').$type<number[]>().notNull(),
  inspectors: jsonb('inspectors').$type<string[]>().notNull(),
  createdAt: createdAt(),
});

/**
 * One conversation scored by an inspector. `version` rises on every change so card buttons name
 * the state they act on; `scorecard_version` is the scorecard it is (and stays) scored with.
 */
export const qaReviews = pgTable(
  'qa_reviews',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => qaConversations.id),
    scorecardVersion: integer('scorecard_version')
      .notNull()
      .references(() => qaScorecardVersions.version),
    agentOpenId: text('agent_open_id').notNull(),
    inspectorOpenId: text('inspector_open_id'),
    state: text('state', { enum: REVIEW_STATES }).notNull().default('to_score'),
    sampleReason: text('sample_reason', { enum: SAMPLE_REASONS }).notNull(),
    /** The chance the sampling plan picked it (null: picked by hand); reports weight scores by its inverse. */
    inclusionProbability: real('inclusion_probability'),
    /** The calibration round it belongs to (sample reason `calibration`). */
    calibrationRoundId: bigint('calibration_round_id', { mode: 'number' }).references(() => qaCalibrationRounds.id),
    /**
     * The conversation's channel and team, copied by a BEFORE INSERT trigger (migration 0046; a conversation's are
     * never updated), so the dashboard's queue reads its waiting reviews from qa_reviews_waiting_idx alone.
     */
    channel: text('channel'),
    teamKey: text('team_key'),
    suggestions: jsonb('suggestions').$type<Suggestion[]>().notNull().default([]),
    score: real('score'),
    result: text('result', { enum: RESULTS }),
    redLineHit: boolean('red_line_hit').notNull().default(false),
    comment: text('comment'),
    openedAt: at('opened_at'),
    /**
     * The message whose scoring card shows it, when opened from a card button (the callback names it): the AI
     * pre-score that arrives after the card was shown updates that card in place (llm/prescore.ts).
     */
    cardMessageId: text('card_message_id'),
    scoredAt: at('scored_at'),
    secondsSpent: integer('seconds_spent'),
    feedbackMessageId: text('feedback_message_id'),
    /** When that DM was sent: Feishu updates a card only within 14 days of sending (feedback.ts). */
    feedbackSentAt: at('feedback_sent_at'),
    acknowledgedAt: at('acknowledged_at'),
    bitableRecordId: text('bitable_record_id'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: atNow('updated_at'),
  },
  (t) => [
    // Nothing is reviewed twice except for calibration.
    uniqueIndex('qa_reviews_conversation_idx')
      .on(t.conversationId)
      .where(sql`sample_reason <> 'calibration'`),
    // One review per inspector and conversation in a round: creating a round twice adds nothing.
    uniqueIndex('qa_reviews_calibration_idx')
      .on(t.calibrationRoundId, t.conversationId, t.inspectorOpenId)
      .where(sql`calibration_round_id is not null`),
    index('qa_reviews_inspector_state_idx').on(t.inspectorOpenId, t.state, t.id),
    index('qa_reviews_agent_idx').on(t.agentOpenId, t.scoredAt),
    // The dashboard's queue (dashboard-queue.ts): only the reviews still waiting, by inspector and age; 0046 makes
    // it covering (INCLUDE channel, team_key, calibration_round_id: drizzle's builder has no INCLUDE).
    index('qa_reviews_waiting_idx')
      .on(t.inspectorOpenId, t.createdAt)
      .where(sql`state = 'to_score'`),
    // The QA tab's rollups read scored reviews by scored_at range (made by 0020; declared here since 0024).
    index('qa_reviews_scored_idx')
      .on(t.scoredAt)
      .where(sql`score is not null`),
  ],
);

/** The marks of a scored review, one row per criterion of its scorecard version. */
export const qaReviewItems = pgTable(
  'qa_review_items',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reviewId: bigint('review_id', { mode: 'number' })
      .notNull()
      .references(() => qaReviews.id),
    code: text('code').notNull(),
    points: real('points').notNull(),
    na: boolean('na').notNull().default(false),
    redLineHit: boolean('red_line_hit').notNull().default(false),
    fromSuggestion: boolean('from_suggestion').notNull().default(false),
    quote: text('quote'),
    note: text('note'),
    /** Why the points were lost: a key of the `qa.root_causes` setting (null: not given). */
    rootCause: text('root_cause'),
    bitableRecordId: text('bitable_record_id'),
  },
  (t) => [
    uniqueIndex('qa_review_items_review_code_idx').on(t.reviewId, t.code),
    index('qa_review_items_code_idx').on(t.code),
  ],
);

/** An agent's appeal against a review: one per review, decided step by step (team lead, then QA lead). */
export const qaAppeals = pgTable(
  'qa_appeals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reviewId: bigint('review_id', { mode: 'number' })
      .notNull()
      .references(() => qaReviews.id),
    agentOpenId: text('agent_open_id').notNull(),
    reason: text('reason').notNull(),
    proposals: jsonb('proposals').$type<{ code: string; points: number; reason: string }[]>().notNull().default([]),
    state: text('state', { enum: APPEAL_STATES }).notNull().default('open'),
    step: text('step', { enum: APPEAL_STEPS }).notNull().default('team_lead'),
    stepDueAt: at('step_due_at').notNull(),
    deciderOpenId: text('decider_open_id'),
    originalScore: real('original_score').notNull(),
    revisedScore: real('revised_score'),
    decisionNote: text('decision_note'),
    submittedAt: at('submitted_at').notNull(),
    decidedAt: at('decided_at'),
    lastReminderAt: at('last_reminder_at'),
    bitableRecordId: text('bitable_record_id'),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('qa_appeals_review_idx').on(t.reviewId),
    index('qa_appeals_open_idx')
      .on(t.stepDueAt)
      .where(sql`state = 'open'`),
  ],
);

/** Every decision on an appeal, who took it on which step and why (the audit trail). */
export const qaAppealDecisions = pgTable(
  'qa_appeal_decisions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    appealId: bigint('appeal_id', { mode: 'number' })
      .notNull()
      .references(() => qaAppeals.id),
    step: text('step', { enum: APPEAL_STEPS }).notNull(),
    decision: text('decision', { enum: AUDITED_DECISIONS }).notNull(),
    byOpenId: text('by_open_id').notNull(),
    reason: text('reason').notNull(),
    marks: jsonb('marks').$type<{ code: string; points: number; na: boolean }[]>(),
    revisedScore: real('revised_score'),
    at: at('at').notNull(),
  },
  (t) => [uniqueIndex('qa_appeal_decisions_step_idx').on(t.appealId, t.step)],
);

/**
 * Feishu 服务台 ticket messages as they arrive (helpdesk.ticket_message.created_v1), one row per
 * ticket message (a redelivered event changes nothing). They are copied into the ticket's
 * conversation (channel feishu_helpdesk, external id = ticket id) once an agent of the directory
 * has spoken on the ticket; `seq` is set when copied.
 */
export const qaHelpdeskMessages = pgTable(
  'qa_helpdesk_messages',
  {
    ticketMessageId: text('ticket_message_id').primaryKey(),
    ticketId: text('ticket_id').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    senderOpenId: text('sender_open_id'),
    at: at('at').notNull(),
    text: text('text').notNull(),
    conversationId: bigint('conversation_id', { mode: 'number' }).references(() => qaConversations.id),
    seq: integer('seq'),
    receivedAt: createdAt(),
  },
  (t) => [index('qa_helpdesk_messages_ticket_idx').on(t.ticketId, t.at)],
);
export * from './rollup-schema.js';
