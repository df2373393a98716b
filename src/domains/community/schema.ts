import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { ALERT_KINDS, ALERT_METRICS, ALERT_STATES } from './logic/alert-policy.js';
import { COMMUNITY_STATES, METRIC_SOURCES } from './logic/metrics.js';
import { CHAT_FACT_KINDS } from './logic/chat-events.js';
import { at, atNow, count, fen } from '../shared/columns.js';

/**
 * A community on any platform (WeCom, WeChat, Douyin, a Feishu group chat …): the platform is a
 * key, not a fixed list. `code` is what API callers and files name it by.
 */
export const communities = pgTable(
  'community_communities',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    platform: text('platform').notNull(),
    kind: text('kind'),
    operatorOpenId: text('operator_open_id'),
    storeCode: text('store_code'),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    state: text('state', { enum: COMMUNITY_STATES }).notNull().default('active'),
    // A Feishu group chat that is itself the community: its member events feed the metrics.
    feishuChatId: text('feishu_chat_id'),
    // The directory team (团队.团队编码) whose leads see the community on the dashboard and in reports.
    teamKey: text('team_key'),
    bitableRecordId: text('bitable_record_id'),
    createdAt: atNow('created_at'),
    updatedAt: atNow('updated_at'),
  },
  (t) => [
    uniqueIndex('community_communities_code_idx').on(t.code),
    uniqueIndex('community_communities_chat_idx').on(t.feishuChatId),
    uniqueIndex('community_communities_record_idx').on(t.bitableRecordId),
    index('community_communities_platform_idx').on(t.platform),
    index('community_communities_operator_idx').on(t.operatorOpenId),
    index('community_communities_team_idx').on(t.teamKey),
  ],
);

/** One row per community and day (business time zone); a late correction replaces it (`revision` + audit). */
export const communityDailyMetrics = pgTable(
  'community_daily_metrics',
  {
    communityId: bigint('community_id', { mode: 'number' })
      .notNull()
      .references(() => communities.id),
    day: date('day', { mode: 'string' }).notNull(),
    membersTotal: count('members_total'),
    membersJoined: count('members_joined'),
    membersLeft: count('members_left'),
    activeMembers: count('active_members'),
    messages: count('messages'),
    orders: count('orders'),
    gmvFen: fen('gmv_fen'),
    refundsFen: fen('refunds_fen'),
    source: text('source', { enum: METRIC_SOURCES }).notNull(),
    revision: integer('revision').notNull().default(1),
    receivedAt: at('received_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.communityId, t.day] }),
    index('community_daily_metrics_day_idx').on(t.day, t.communityId),
  ],
);

/** Every late correction: what the row held before and what replaced it, by which source. */
export const communityMetricCorrections = pgTable(
  'community_metric_corrections',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    communityId: bigint('community_id', { mode: 'number' })
      .notNull()
      .references(() => communities.id),
    day: date('day', { mode: 'string' }).notNull(),
    before: jsonb('before').$type<Record<string, number>>().notNull(),
    after: jsonb('after').$type<Record<string, number>>().notNull(),
    source: text('source').notNull(),
    revision: integer('revision').notNull(),
    at: at('at').notNull(),
  },
  (t) => [index('community_metric_corrections_idx').on(t.communityId, t.day)],
);

/** An alert: at most one per community, metric and day (the unique key makes a re-run a no-op). */
export const communityAlerts = pgTable(
  'community_alerts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    communityId: bigint('community_id', { mode: 'number' })
      .notNull()
      .references(() => communities.id),
    metric: text('metric', { enum: ALERT_METRICS }).notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    kind: text('kind', { enum: ALERT_KINDS }).notNull(),
    value: doublePrecision('value').notNull(),
    baseline: doublePrecision('baseline').notNull(),
    score: doublePrecision('score'),
    operatorOpenId: text('operator_open_id'),
    state: text('state', { enum: ALERT_STATES }).notNull().default('open'),
    version: integer('version').notNull().default(1),
    decidedBy: text('decided_by'),
    decidedAt: at('decided_at'),
    // The operator's card the alert is on (one card per operator and day).
    cardMessageId: text('card_message_id'),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('community_alerts_once_idx').on(t.communityId, t.metric, t.day),
    index('community_alerts_open_idx')
      .on(t.day)
      .where(sql`state = 'open'`),
    index('community_alerts_operator_idx').on(t.operatorOpenId, t.day),
  ],
);

/** 静默 N 天: no alert for this community and metric until `until` (inclusive). */
export const communityMutes = pgTable(
  'community_mutes',
  {
    communityId: bigint('community_id', { mode: 'number' })
      .notNull()
      .references(() => communities.id),
    metric: text('metric', { enum: ALERT_METRICS }).notNull(),
    until: date('until', { mode: 'string' }).notNull(),
    byOpenId: text('by_open_id'),
    at: at('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.metric] })],
);

/**
 * What a Feishu group bound as a community told us, one row per fact: a member joined or left
 * (im.chat.member.user.added_v1 / deleted_v1 / withdrawn_v1, one row per user in `users`), a
 * person's message (im.message.receive_v1), or the member count read when the group was bound.
 * `key` makes a redelivered or re-run event count once: `<event_id>:<open_id>` for member events,
 * `msg:<message_id>` for messages (FEISHU.md §m.4: duplicates carry the same message_id).
 * The day's 每日指标 row is recomputed from these rows, so a re-run can never count twice.
 */
export const communityChatFacts = pgTable(
  'community_chat_facts',
  {
    key: text('key').primaryKey(),
    communityId: bigint('community_id', { mode: 'number' })
      .notNull()
      .references(() => communities.id),
    day: date('day', { mode: 'string' }).notNull(),
    kind: text('kind', { enum: CHAT_FACT_KINDS }).notNull(),
    openId: text('open_id'),
    // Change in members: +1 joined, −1 left, the count read at bind time for 'baseline', 0 for a message.
    members: integer('members').notNull().default(0),
    eventId: text('event_id'),
    at: at('at').notNull(),
  },
  (t) => [index('community_chat_facts_day_idx').on(t.communityId, t.day)],
);
