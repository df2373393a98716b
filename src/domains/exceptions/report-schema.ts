import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  date,
  doublePrecision,
  index,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
} from 'drizzle-orm/pg-core';
import { CASE_STATES } from './logic/case.js';
import { exceptionsCases } from './schema.js';
import { at, atNow, count, fen } from '../shared/columns.js';

/**
 * What reports need of one case, rewritten in the same transaction as every change of the case
 * (commitChange): a finished case's results (finished time, cycle time, SLA met, time per state)
 * and an open case's clock (due time, breach time, state since). Reports read this and the
 * daily rollup; they never replay histories. docs/reports.md.
 */
export const exceptionsCaseResults = pgTable(
  'exceptions_case_results',
  {
    caseId: bigint('case_id', { mode: 'number' })
      .primaryKey()
      .references(() => exceptionsCases.id),
    kind: text('kind').notNull(),
    teamKey: text('team_key').notNull(),
    // '' when the case names no channel: the rollup's key has no nulls.
    channel: text('channel').notNull().default(''),
    state: text('state', { enum: CASE_STATES }).notNull(),
    open: boolean('open').notNull(),
    openedAt: at('opened_at').notNull(),
    // The rollup row this case counts in (UTC day of opening), once it is finished.
    openedDay: date('opened_day', { mode: 'string' }).notNull(),
    stateSince: at('state_since'),
    finishedAt: at('finished_at'),
    cycleMinutes: doublePrecision('cycle_minutes'),
    cycleMs: bigint('cycle_ms', { mode: 'number' }),
    slaBreached: boolean('sla_breached'),
    dueAt: at('due_at'),
    // Open cases: breached once now > breach_at (null: cannot breach in the current state).
    breachAt: at('breach_at'),
    // Milliseconds in each working state: all of them once finished; earlier states while open.
    msByState: jsonb('ms_by_state').$type<Record<string, number>>().notNull().default({}),
    atRiskFen: fen('at_risk_fen'),
    refundedFen: fen('refunded_fen'),
    recoveredFen: fen('recovered_fen'),
    writtenOffFen: fen('written_off_fen'),
    outstandingFen: fen('outstanding_fen'),
    // Refund disputes: won | lost | pending; null for other kinds and cancelled disputes.
    dispute: text('dispute'),
    // case_id % 16: percentiles over large periods read a deterministic sample of buckets.
    sample: smallint('sample').notNull(),
    computedAt: atNow('computed_at'),
  },
  (t) => [
    index('exceptions_case_results_open_idx')
      .on(t.kind, t.openedAt)
      .where(sql`open`),
    index('exceptions_case_results_closed_opened_idx')
      .on(t.openedAt)
      .where(sql`not open`),
    index('exceptions_case_results_cycle_idx')
      .on(t.sample, t.openedAt, t.cycleMinutes)
      .where(sql`finished_at is not null`),
  ],
);

/**
 * Finished cases (resolved, closed or cancelled) summed per UTC day of opening, kind, team and
 * channel, kept by deltas in the transaction of each change. Time per state in milliseconds so
 * subtracting and adding stays exact.
 */
export const exceptionsDailyRollup = pgTable(
  'exceptions_daily_rollup',
  {
    day: date('day', { mode: 'string' }).notNull(),
    kind: text('kind').notNull(),
    teamKey: text('team_key').notNull(),
    channel: text('channel').notNull(),
    cases: count('cases'),
    finished: count('finished'),
    slaBreached: count('sla_breached'),
    withinTarget: count('within_target'),
    cycleMs: fen('cycle_ms'),
    atRiskFen: fen('at_risk_fen'),
    refundedFen: fen('refunded_fen'),
    recoveredFen: fen('recovered_fen'),
    writtenOffFen: fen('written_off_fen'),
    outstandingFen: fen('outstanding_fen'),
    disputesWon: count('disputes_won'),
    disputesLost: count('disputes_lost'),
    disputesPending: count('disputes_pending'),
    msNew: fen('ms_new'),
    msAssigned: fen('ms_assigned'),
    msWaitingWarehouse: fen('ms_waiting_warehouse'),
    msWaitingCustomer: fen('ms_waiting_customer'),
    msWaitingPlatform: fen('ms_waiting_platform'),
    msInProgress: fen('ms_in_progress'),
    msPendingApproval: fen('ms_pending_approval'),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.kind, t.teamKey, t.channel] }),
    index('exceptions_daily_rollup_kind_idx').on(t.kind, t.day),
  ],
);
