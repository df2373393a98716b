import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import {
  APPROVER_ROLES,
  BUDGET_CATEGORIES,
  BUDGET_STATES,
  CONTRACT_STATES,
  CURRENCIES,
  LIST_STATES_FOR_SCHEMA,
  PAYMENT_STATES,
  STEP_DECISIONS,
} from './logic/schema-values.js';
import { at, atNow, fen } from '../shared/columns.js';

const day = (name: string) => date(name, { mode: 'string' });

/** Per-scope counters for contract numbers (HT-2026-CG-…): one conditional upsert per number. */
export const contractsSequences = pgTable('contracts_sequences', {
  scope: text('scope').primaryKey(),
  last: integer('last').notNull().default(0),
});

/** Companies and people we sign with; the internal list (none / watch / black) is kept here. */
export const contractsCounterparties = pgTable(
  'contracts_counterparties',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    name: text('name').notNull(),
    creditCode: text('credit_code'),
    list: text('list', { enum: LIST_STATES_FOR_SCHEMA }).notNull().default('none'),
    listReason: text('list_reason'),
    riskLevel: text('risk_level'),
    checkedAt: at('checked_at'),
    // What people typed in 相对方 (拉黑原因 / 观察原因), kept whichever list is ticked: `listReason` is the one in force.
    blacklistReason: text('blacklist_reason'),
    watchReason: text('watch_reason'),
    // The 相对方 row (people add and edit the lists there).
    bitableRecordId: text('bitable_record_id'),
    createdAt: atNow('created_at'),
  },
  (t) => [
    uniqueIndex('contracts_counterparties_name_idx').on(t.name),
    uniqueIndex('contracts_counterparties_record_idx').on(t.bitableRecordId),
  ],
);

/** Budgets per department and period; committed by contracts, spent/reserved by payments. Money in fen. */
export const contractsBudgets = pgTable(
  'contracts_budgets',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    department: text('department').notNull(),
    periodStart: day('period_start').notNull(),
    periodEnd: day('period_end').notNull(),
    amountFen: fen('amount_fen'),
    // 年度 / 类别 / 负责人 / 状态 as finance keeps them in 预算: a payment is checked against them.
    fiscalYear: integer('fiscal_year'),
    category: text('category', { enum: BUDGET_CATEGORIES }),
    ownerOpenId: text('owner_open_id'),
    state: text('state', { enum: BUDGET_STATES }).notNull().default('active'),
    committedFen: fen('committed_fen'),
    // Requested and approved payments not yet cancelled: what a new payment request is checked against.
    reservedFen: fen('reserved_fen'),
    spentFen: fen('spent_fen'),
    version: integer('version').notNull().default(1),
    // At 90 % used or beyond now (the owner was told), and how many times it crossed up: service/budget-alerts.ts.
    usageAlerted: boolean('usage_alerted').notNull().default(false),
    usageAlerts: integer('usage_alerts').notNull().default(0),
    // The 预算 row (finance adds and edits budget lines there).
    bitableRecordId: text('bitable_record_id'),
  },
  (t) => [
    uniqueIndex('contracts_budgets_code_idx').on(t.code),
    uniqueIndex('contracts_budgets_record_idx').on(t.bitableRecordId),
    index('contracts_budgets_department_idx').on(t.department, t.periodStart),
  ],
);

/** The ledger. `version` rises with every change: buttons name it, so a repeat changes nothing. */
export const contractsContracts = pgTable(
  'contracts_contracts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    contractNo: text('contract_no').notNull(),
    title: text('title').notNull(),
    counterpartyId: bigint('counterparty_id', { mode: 'number' })
      .notNull()
      .references(() => contractsCounterparties.id),
    type: text('type').notNull(),
    productType: text('product_type'),
    shopType: text('shop_type'),
    // Columns staff added in the Bitable template: kept as they are, never interpreted.
    custom: jsonb('custom').$type<Record<string, unknown>>().notNull().default({}),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    currency: text('currency', { enum: CURRENCIES }).notNull().default('CNY'),
    // The amount in CNY at intake (the chain's bands and the budget count in CNY).
    amountCnyFen: bigint('amount_cny_fen', { mode: 'number' }).notNull(),
    signDate: day('sign_date'),
    startDate: day('start_date').notNull(),
    endDate: day('end_date').notNull(),
    noticeDays: integer('notice_days'),
    autoRenew: boolean('auto_renew').notNull().default(false),
    ownerOpenId: text('owner_open_id').notNull(),
    department: text('department'),
    budgetId: bigint('budget_id', { mode: 'number' }).references(() => contractsBudgets.id),
    // What this contract holds of its budget line's 已占用 (committed_fen): its amount while in force, its standing
    // payments once it has ended, nothing before approval (service/commitment.ts keeps it with every state change).
    budgetCommittedFen: bigint('budget_committed_fen', { mode: 'number' }).notNull().default(0),
    files: jsonb('files').$type<string[]>().notNull().default([]),
    state: text('state', { enum: CONTRACT_STATES }).notNull().default('draft'),
    // Renewals as a chain: the contract this one renews.
    renewsId: bigint('renews_id', { mode: 'number' }),
    round: integer('round').notNull().default(0),
    // The last risk check, as shown on the approval cards.
    risk: jsonb('risk').$type<Record<string, unknown>>(),
    riskLevel: text('risk_level'),
    // chat | card | bitable | api (or the caller's source name); with external_id: idempotent intake.
    source: text('source').notNull(),
    externalId: text('external_id'),
    requesterOpenId: text('requester_open_id'),
    // The requester's progress card, PATCHed in place; re-sent when older than Feishu's 14-day window.
    cardMessageId: text('card_message_id'),
    cardSentAt: at('card_sent_at'),
    snoozedUntil: day('snoozed_until'),
    bitableRecordId: text('bitable_record_id'),
    version: integer('version').notNull().default(1),
    createdAt: atNow('created_at'),
    updatedAt: atNow('updated_at'),
  },
  (t) => [
    uniqueIndex('contracts_contracts_no_idx').on(t.contractNo),
    uniqueIndex('contracts_contracts_source_external_idx').on(t.source, t.externalId),
    index('contracts_contracts_counterparty_idx').on(t.counterpartyId, t.id),
    index('contracts_contracts_live_end_idx')
      .on(t.endDate)
      .where(sql`state in ('active', 'expiring')`),
    index('contracts_contracts_state_idx').on(t.state, t.id),
  ],
);

/** Every state a contract entered. */
export const contractsHistory = pgTable(
  'contracts_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    contractId: bigint('contract_id', { mode: 'number' })
      .notNull()
      .references(() => contractsContracts.id),
    state: text('state', { enum: CONTRACT_STATES }).notNull(),
    action: text('action').notNull(),
    actorOpenId: text('actor_open_id'),
    note: text('note'),
    at: at('at').notNull(),
  },
  (t) => [index('contracts_history_contract_idx').on(t.contractId, t.at)],
);

/** The approval chain of a round, one row per step; only the `pending` step can be decided. */
export const contractsApprovalSteps = pgTable(
  'contracts_approval_steps',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    contractId: bigint('contract_id', { mode: 'number' })
      .notNull()
      .references(() => contractsContracts.id),
    round: integer('round').notNull(),
    seq: integer('seq').notNull(),
    role: text('role', { enum: APPROVER_ROLES }).notNull(),
    approverOpenId: text('approver_open_id'),
    decision: text('decision', { enum: STEP_DECISIONS }).notNull().default('waiting'),
    reason: text('reason'),
    decidedBy: text('decided_by'),
    pendingSince: at('pending_since'),
    decidedAt: at('decided_at'),
    // The last reminder to the approver (once per business day) and the escalation (once): approval-reminders.ts.
    remindedAt: at('reminded_at'),
    escalatedAt: at('escalated_at'),
    // Who the step was escalated to: may decide it as well as the approver.
    escalatedTo: text('escalated_to'),
    // The cards with this step's buttons (approval, reminders, escalation): updated in place when it is withdrawn, or
    // sent anew to their holder once past Feishu's update window.
    cardMessages: jsonb('card_messages').$type<StepCard[]>().notNull().default([]),
  },
  (t) => [
    uniqueIndex('contracts_approval_steps_seq_idx').on(t.contractId, t.round, t.seq),
    index('contracts_approval_steps_pending_idx')
      .on(t.approverOpenId)
      .where(sql`decision = 'pending'`),
  ],
);

/** Expiry reminders sent: each (target date, kind, offset) once per contract. */
export const contractsReminders = pgTable(
  'contracts_reminders',
  {
    contractId: bigint('contract_id', { mode: 'number' })
      .notNull()
      .references(() => contractsContracts.id),
    key: text('key').notNull(),
    level: integer('level').notNull(),
    sentAt: at('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.contractId, t.key] })],
);

/**
 * A card with a step's buttons: the message, who holds it, when it was sent. Kept as the bare message id before the
 * holder and time were (the first cards after migration 0038).
 */
export type StepCard = string | { id: string; to: string; at: string };

/** Payment requests against a contract, charged to its budget. */
export const contractsPayments = pgTable(
  'contracts_payments',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    contractId: bigint('contract_id', { mode: 'number' })
      .notNull()
      .references(() => contractsContracts.id),
    budgetId: bigint('budget_id', { mode: 'number' }).references(() => contractsBudgets.id),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    state: text('state', { enum: PAYMENT_STATES }).notNull(),
    // Why the request needs the extra approval: over_budget, risk, or none.
    flags: jsonb('flags').$type<string[]>().notNull().default([]),
    reserved: boolean('reserved').notNull().default(false),
    plannedDate: day('planned_date'),
    // When finance's system reported it paid (POST /api/contracts/payments/:id/paid).
    paidDate: day('paid_date'),
    requestedBy: text('requested_by').notNull(),
    decidedBy: text('decided_by'),
    externalId: text('external_id'),
    // The counterparty's risk level as checked at the request (付款.请款时风险).
    riskLevel: text('risk_level'),
    // The payment's row in 付款 (the Bitable mirror).
    bitableRecordId: text('bitable_record_id'),
    createdAt: atNow('created_at'),
  },
  (t) => [
    index('contracts_payments_contract_idx').on(t.contractId),
    uniqueIndex('contracts_payments_external_idx').on(t.contractId, t.externalId),
  ],
);

/** Registration answers from the risk provider, kept for the configured TTL. */
export const contractsRiskCache = pgTable('contracts_risk_cache', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<Record<string, unknown>>().notNull(),
  expiresAt: at('expires_at').notNull(),
});
