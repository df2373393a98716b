import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { APPROVER_ROLES, CASE_STATES, PRIORITIES, TERMINAL_STATES } from './logic/case.js';
import { ESCALATION_STEPS } from './logic/escalation.js';
import { at, atNow, fen } from '../shared/columns.js';

/**
 * The terminal states as SQL constants (a partial index's predicate cannot take parameters): 'resolved', 'closed',
 * 'cancelled'.
 */
export const TERMINAL_SQL = sql.raw(TERMINAL_STATES.map((s) => `'${s}'`).join(', '));

const createdAt = () => atNow('created_at');

/**
 * One exception case (退款纠纷/拒付, 丢件, 破损 …). Money is in fen. `version` rises on every change
 * so updates are conditional: a double click or two approvers at once change it once.
 */
export const exceptionsCases = pgTable(
  'exceptions_cases',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    priority: text('priority', { enum: PRIORITIES }).notNull(),
    state: text('state', { enum: CASE_STATES }).notNull().default('new'),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    // chat | card | bitable | api (or the API caller's own source name); with external_id it makes ingest idempotent.
    source: text('source').notNull(),
    externalId: text('external_id'),
    channel: text('channel'),
    shop: text('shop'),
    orderNo: text('order_no'),
    // Numbers and other values the kind asks for: tracking_number, return_tracking_number, …
    fields: jsonb('fields').$type<Record<string, string>>().notNull().default({}),
    teamKey: text('team_key').notNull(),
    chatId: text('chat_id'),
    ownerOpenId: text('owner_open_id'),
    reporterOpenId: text('reporter_open_id'),
    // Who the nudges go to while the case waits on the warehouse.
    warehouseOpenId: text('warehouse_open_id'),
    approverRole: text('approver_role', { enum: APPROVER_ROLES }),
    amountAtRiskFen: fen('amount_at_risk_fen'),
    refundedFen: fen('refunded_fen'),
    recoveredFen: fen('recovered_fen'),
    writtenOffFen: fen('written_off_fen'),
    disputeOutcome: text('dispute_outcome'),
    resolution: text('resolution'),
    platformDueAt: at('platform_due_at'),
    openedAt: at('opened_at').notNull(),
    waitingSince: at('waiting_since'),
    lastNudgeAt: at('last_nudge_at'),
    nudgeCount: integer('nudge_count').notNull().default(0),
    resolvedAt: at('resolved_at'),
    cardMessageId: text('card_message_id'),
    // The case's row in the 异常件工单 Bitable table, once the mirror wrote it.
    bitableRecordId: text('bitable_record_id'),
    // A link people can open to that row (Feishu's shared_url), asked for once; cut card text points to it.
    bitableRecordUrl: text('bitable_record_url'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: atNow('updated_at'),
  },
  (t) => [
    uniqueIndex('exceptions_cases_source_external_idx').on(t.source, t.externalId),
    index('exceptions_cases_state_idx').on(t.state),
    // Filters of the list API, the sweep and the reports (checked with EXPLAIN in
    // test/domains/exceptions/indexes.test.ts).
    index('exceptions_cases_open_idx')
      .on(t.id)
      .where(sql`state not in (${TERMINAL_SQL})`),
    index('exceptions_cases_kind_idx').on(t.kind, t.id),
    index('exceptions_cases_opened_idx').on(t.openedAt),
    index('exceptions_cases_order_idx').on(t.orderNo),
    // A chat reply to a case card finds its case by the card's message id.
    index('exceptions_cases_card_message_idx').on(t.cardMessageId),
    uniqueIndex('exceptions_cases_bitable_record_idx').on(t.bitableRecordId),
  ],
);

/** Every state a case entered, with who moved it and by which action: the clocks and reports read this. */
export const exceptionsStateHistory = pgTable(
  'exceptions_state_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => exceptionsCases.id),
    state: text('state', { enum: CASE_STATES }).notNull(),
    action: text('action').notNull(),
    actorOpenId: text('actor_open_id'),
    at: at('at').notNull(),
  },
  (t) => [index('exceptions_state_history_case_idx').on(t.caseId, t.at)],
);

/** A refund or compensation that needed approval for its amount band; one pending per case. */
export const exceptionsApprovals = pgTable(
  'exceptions_approvals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => exceptionsCases.id),
    purpose: text('purpose').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    // The band's approver as configured when requested: auto | lead | manager | finance_director.
    band: text('band').notNull(),
    approverRole: text('approver_role').notNull(), // an ApproverRole, or 'auto' for an amount within the automatic band
    // pending → approved | rejected | escalated (a new pending row carries on one role up)
    decision: text('decision').notNull().default('pending'),
    reason: text('reason'),
    note: text('note'),
    requestedBy: text('requested_by').notNull(),
    decidedBy: text('decided_by'),
    requestedAt: at('requested_at').notNull(),
    decidedAt: at('decided_at'),
  },
  (t) => [
    uniqueIndex('exceptions_approvals_one_pending_idx')
      .on(t.caseId)
      .where(sql`decision = 'pending'`),
    index('exceptions_approvals_case_idx').on(t.caseId),
  ],
);

/** Ladder steps sent (warn_owner, notify_lead, notify_manager): each at most once per case. */
export const exceptionsEscalations = pgTable(
  'exceptions_escalations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => exceptionsCases.id),
    step: text('step', { enum: ESCALATION_STEPS }).notNull(),
    manual: boolean('manual').notNull().default(false),
    recipientOpenId: text('recipient_open_id'),
    byOpenId: text('by_open_id'),
    sentAt: at('sent_at').notNull(),
  },
  (t) => [uniqueIndex('exceptions_escalations_step_idx').on(t.caseId, t.step)],
);

/** Reminders to the warehouse while a number is missing; `seq` makes each one happen once. */
export const exceptionsNudges = pgTable(
  'exceptions_nudges',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => exceptionsCases.id),
    seq: integer('seq').notNull(),
    recipientOpenId: text('recipient_open_id'),
    missingFields: text('missing_fields').array().notNull(),
    sentAt: at('sent_at').notNull(),
  },
  (t) => [uniqueIndex('exceptions_nudges_seq_idx').on(t.caseId, t.seq)],
);

/** Loss-recovery claims (资损追款) against a carrier, platform or customer. */
export const exceptionsRecoveryClaims = pgTable(
  'exceptions_recovery_claims',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => exceptionsCases.id),
    counterpartyType: text('counterparty_type').notNull(),
    counterparty: text('counterparty').notNull().default(''),
    claimFen: bigint('claim_fen', { mode: 'number' }).notNull(),
    recoveredFen: fen('recovered_fen'),
    writtenOffFen: fen('written_off_fen'),
    // open → partially_recovered → recovered | written_off
    state: text('state').notNull().default('open'),
    ownerOpenId: text('owner_open_id'),
    openedAt: at('opened_at').notNull(),
    lastActivityAt: at('last_activity_at').notNull(),
    lastRemindedAt: at('last_reminded_at'),
    closedAt: at('closed_at'),
  },
  (t) => [
    index('exceptions_recovery_claims_state_idx').on(t.state, t.lastActivityAt),
    index('exceptions_recovery_claims_case_idx').on(t.caseId),
    index('exceptions_recovery_claims_open_idx')
      .on(t.id)
      .where(sql`state in ('open', 'partially_recovered')`),
  ],
);

/** Who did what to which case, with the details: decisions, field entries, money, refusals of note. */
export const exceptionsAudit = pgTable(
  'exceptions_audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: bigint('case_id', { mode: 'number' }).references(() => exceptionsCases.id),
    action: text('action').notNull(),
    actorOpenId: text('actor_open_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    at: at('at').notNull(),
  },
  (t) => [index('exceptions_audit_case_idx').on(t.caseId, t.at)],
);
