import { and, asc, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { ContractState } from './logic/contract.js';
import {
  contractsApprovalSteps,
  contractsBudgets,
  contractsContracts,
  contractsCounterparties,
  contractsHistory,
  contractsPayments,
  contractsReminders,
  contractsRiskCache,
  contractsSequences,
} from './schema.js';

export type ContractRow = typeof contractsContracts.$inferSelect;
export type NewContractRow = typeof contractsContracts.$inferInsert;
/** What the daily sweep reads of each live contract (the moves answer whole rows). */
export type SweepRow = Pick<
  ContractRow,
  'id' | 'contractNo' | 'version' | 'state' | 'endDate' | 'noticeDays' | 'autoRenew' | 'snoozedUntil'
>;
export type ContractPatch = Partial<Omit<NewContractRow, 'id' | 'version' | 'createdAt'>>;
export type CounterpartyRow = typeof contractsCounterparties.$inferSelect;
export type StepRow = typeof contractsApprovalSteps.$inferSelect;
export type BudgetRow = typeof contractsBudgets.$inferSelect;
export type PaymentRow = typeof contractsPayments.$inferSelect;

/** Queries of the contract workflow; no Feishu. */
export const repo = {
  /** The next number in `scope`: one upsert, safe under concurrent intakes on any number of instances. */
  async nextSequence(db: Db, scope: string): Promise<number> {
    const [row] = await db
      .insert(contractsSequences)
      .values({ scope, last: 1 })
      .onConflictDoUpdate({ target: contractsSequences.scope, set: { last: sql`${contractsSequences.last} + 1` } })
      .returning({ last: contractsSequences.last });
    return row!.last;
  },

  async counterpartyByName(db: Db, name: string): Promise<CounterpartyRow | undefined> {
    const [row] = await db.select().from(contractsCounterparties).where(eq(contractsCounterparties.name, name));
    return row;
  },
  async counterparty(db: Db, id: number): Promise<CounterpartyRow | undefined> {
    const [row] = await db.select().from(contractsCounterparties).where(eq(contractsCounterparties.id, id));
    return row;
  },
  /** The counterparty by name, made on first use (two intakes at once make one). */
  async ensureCounterparty(db: Db, name: string, creditCode: string | null): Promise<CounterpartyRow> {
    await db.insert(contractsCounterparties).values({ name, creditCode }).onConflictDoNothing();
    const row = (await this.counterpartyByName(db, name))!;
    if (creditCode && !row.creditCode)
      await db.update(contractsCounterparties).set({ creditCode }).where(eq(contractsCounterparties.id, row.id));
    return row;
  },
  async setList(db: Db, id: number, list: 'none' | 'watch' | 'black', reason: string | null): Promise<void> {
    await db
      .update(contractsCounterparties)
      .set({ list, listReason: reason })
      .where(eq(contractsCounterparties.id, id));
  },
  /**
   * Stores the level of a check and when it ran, to the hour: a check that finds the same level within the hour (one
   * answered from the cache) writes nothing, so it costs no commit.
   */
  async setCounterpartyRisk(db: Db, id: number, level: string, at: Date): Promise<void> {
    const t = contractsCounterparties;
    await db
      .update(t)
      .set({ riskLevel: level, checkedAt: at })
      .where(
        and(
          eq(t.id, id),
          sql`(${t.riskLevel} is distinct from ${level} or ${t.checkedAt} is null or
               ${t.checkedAt} <= ${new Date(at.getTime() - 3_600_000).toISOString()}::timestamptz)`,
        ),
      );
  },

  async insertContract(db: Db, row: NewContractRow): Promise<ContractRow | undefined> {
    const [created] = await db
      .insert(contractsContracts)
      .values(row)
      .onConflictDoNothing({ target: [contractsContracts.source, contractsContracts.externalId] })
      .returning();
    return created;
  },
  async bySourceExternal(db: Db, source: string, externalId: string): Promise<ContractRow | undefined> {
    const [row] = await db
      .select()
      .from(contractsContracts)
      .where(and(eq(contractsContracts.source, source), eq(contractsContracts.externalId, externalId)));
    return row;
  },
  async get(db: Db, id: number): Promise<ContractRow | undefined> {
    const [row] = await db.select().from(contractsContracts).where(eq(contractsContracts.id, id));
    return row;
  },
  async byNo(db: Db, no: string): Promise<ContractRow | undefined> {
    const [row] = await db.select().from(contractsContracts).where(eq(contractsContracts.contractNo, no));
    return row;
  },
  /** Conditional on the version read: null when someone changed the contract meanwhile. */
  async update(db: Db, id: number, version: number, patch: ContractPatch, now: Date): Promise<ContractRow | null> {
    const [row] = await db
      .update(contractsContracts)
      .set({ ...patch, version: sql`${contractsContracts.version} + 1`, updatedAt: now })
      .where(and(eq(contractsContracts.id, id), eq(contractsContracts.version, version)))
      .returning();
    return row ?? null;
  },
  async setCard(db: Db, id: number, messageId: string, at: Date): Promise<void> {
    await db
      .update(contractsContracts)
      .set({ cardMessageId: messageId, cardSentAt: at })
      .where(eq(contractsContracts.id, id));
  },
  async setBitableRecord(db: Db, id: number, recordId: string): Promise<void> {
    await db.update(contractsContracts).set({ bitableRecordId: recordId }).where(eq(contractsContracts.id, id));
  },
  async addHistory(db: Db, row: typeof contractsHistory.$inferInsert): Promise<void> {
    await db.insert(contractsHistory).values(row);
  },
  async history(db: Db, contractId: number) {
    return db
      .select()
      .from(contractsHistory)
      .where(eq(contractsHistory.contractId, contractId))
      .orderBy(asc(contractsHistory.at), asc(contractsHistory.id));
  },

  /** Contracts with a counterparty (newest first), for the history on approval cards and lookups. */
  async ofCounterparty(db: Db, counterpartyId: number, limit = 50): Promise<ContractRow[]> {
    return db
      .select()
      .from(contractsContracts)
      .where(eq(contractsContracts.counterpartyId, counterpartyId))
      .orderBy(desc(contractsContracts.id))
      .limit(limit);
  },
  async similar(db: Db, c: Pick<ContractRow, 'id' | 'type' | 'counterpartyId'>, limit = 3): Promise<ContractRow[]> {
    return db
      .select()
      .from(contractsContracts)
      .where(
        and(
          sql`${contractsContracts.id} <> ${c.id}`,
          sql`(${contractsContracts.type} = ${c.type} or ${contractsContracts.counterpartyId} = ${c.counterpartyId})`,
          sql`${contractsContracts.state} <> 'draft'`,
        ),
      )
      .orderBy(desc(contractsContracts.id))
      .limit(limit);
  },
  async search(db: Db, needle: string, limit = 10): Promise<ContractRow[]> {
    const like = `%${needle.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    return db
      .select({ c: contractsContracts })
      .from(contractsContracts)
      .innerJoin(contractsCounterparties, eq(contractsCounterparties.id, contractsContracts.counterpartyId))
      .where(
        sql`${contractsContracts.contractNo} = ${needle} or ${contractsCounterparties.name} ilike ${like} or
             ${contractsContracts.title} ilike ${like}`,
      )
      .orderBy(desc(contractsContracts.id))
      .limit(limit)
      .then((rows) => rows.map((r) => r.c));
  },
  /**
   * Live contracts that can have something due by `lastEnd`'s horizon: ending by then, counted from the notice deadline
   * for those with a notice period (the daily sweep's candidates; the live index on end_date narrows it).
   */
  async sweepCandidates(db: Db, lastEnd: string): Promise<SweepRow[]> {
    const t = contractsContracts;
    return db
      .select({
        id: t.id,
        contractNo: t.contractNo,
        version: t.version,
        state: t.state,
        endDate: t.endDate,
        noticeDays: t.noticeDays,
        autoRenew: t.autoRenew,
        snoozedUntil: t.snoozedUntil,
      })
      .from(t)
      .where(
        and(
          inArray(t.state, ['active', 'expiring']),
          sql`${t.endDate} <= ${lastEnd}::date + greatest(coalesce(${t.noticeDays}, 0), 0)`,
        ),
      )
      .orderBy(asc(t.id));
  },
  /** Moves many contracts at once, each conditional on the version read; answers those that moved. */
  async updateMany(db: Db, rows: SweepRow[], patch: ContractPatch, now: Date): Promise<ContractRow[]> {
    if (rows.length === 0) return [];
    const t = contractsContracts;
    const ids = rows.map((r) => r.id).join(',');
    const versions = rows.map((r) => r.version).join(',');
    return db
      .update(t)
      .set({ ...patch, version: sql`${t.version} + 1`, updatedAt: now })
      .where(
        sql`(${t.id}, ${t.version}) in (select * from unnest(string_to_array(${ids}, ',')::bigint[],
              string_to_array(${versions}, ',')::int[]))`,
      )
      .returning();
  },
  async addHistoryMany(db: Db, rows: Array<typeof contractsHistory.$inferInsert>): Promise<void> {
    if (rows.length > 0) await db.insert(contractsHistory).values(rows);
  },
  async inStates(db: Db, states: readonly ContractState[]): Promise<ContractRow[]> {
    return db
      .select()
      .from(contractsContracts)
      .where(inArray(contractsContracts.state, [...states]))
      .orderBy(asc(contractsContracts.id));
  },

  async steps(db: Db, contractId: number, round: number): Promise<StepRow[]> {
    return db
      .select()
      .from(contractsApprovalSteps)
      .where(and(eq(contractsApprovalSteps.contractId, contractId), eq(contractsApprovalSteps.round, round)))
      .orderBy(asc(contractsApprovalSteps.seq));
  },
  async step(db: Db, id: number): Promise<StepRow | undefined> {
    const [row] = await db.select().from(contractsApprovalSteps).where(eq(contractsApprovalSteps.id, id));
    return row;
  },
  async insertSteps(db: Db, rows: Array<typeof contractsApprovalSteps.$inferInsert>): Promise<StepRow[]> {
    return rows.length ? db.insert(contractsApprovalSteps).values(rows).returning() : [];
  },
  /** Moves a step from `from` to the decision; false when it was no longer `from` (a repeat). */
  /** A card with the step's buttons was sent: kept so a withdrawal can update it in place. */
  async addStepCard(db: Db, id: number, card: { messageId: string; to: string; at: Date }): Promise<void> {
    if (!card.messageId) return;
    const entry = JSON.stringify({ id: card.messageId, to: card.to, at: card.at.toISOString() });
    const held = sql`jsonb_build_array(jsonb_build_object('id', ${card.messageId}::text))`;
    await db
      .update(contractsApprovalSteps)
      .set({ cardMessages: sql`${contractsApprovalSteps.cardMessages} || jsonb_build_array(${entry}::jsonb)` })
      .where(and(eq(contractsApprovalSteps.id, id), sql`not ${contractsApprovalSteps.cardMessages} @> ${held}`));
  },
  async decideStep(
    db: Db,
    id: number,
    from: string,
    set: Partial<typeof contractsApprovalSteps.$inferInsert>,
  ): Promise<boolean> {
    const rows = await db
      .update(contractsApprovalSteps)
      .set(set)
      .where(and(eq(contractsApprovalSteps.id, id), sql`${contractsApprovalSteps.decision} = ${from}`))
      .returning({ id: contractsApprovalSteps.id });
    return rows.length === 1;
  },
  /** Steps waiting for `openId`: as the approver, or as the person the step was escalated to. */
  async pendingFor(db: Db, openId: string): Promise<StepRow[]> {
    const s = contractsApprovalSteps;
    return db
      .select()
      .from(s)
      .where(and(or(eq(s.approverOpenId, openId), eq(s.escalatedTo, openId)), eq(s.decision, 'pending')));
  },

  /** Pending steps of the current round of contracts in approval: what the approval-reminder sweep looks at. */
  async pendingSteps(db: Db): Promise<StepRow[]> {
    const s = contractsApprovalSteps;
    const c = contractsContracts;
    const rows = await db
      .select({ step: s })
      .from(s)
      .innerJoin(c, and(eq(c.id, s.contractId), eq(c.round, s.round)))
      .where(and(eq(s.decision, 'pending'), eq(c.state, 'in_approval')))
      .orderBy(asc(s.id));
    return rows.map((r) => r.step);
  },
  /** Marks a still-pending step reminded unless it already was since `dayStart`; false when it was (or is decided). */
  async markReminded(db: Db, id: number, dayStart: Date, now: Date): Promise<boolean> {
    const s = contractsApprovalSteps;
    const rows = await db
      .update(s)
      .set({ remindedAt: now })
      .where(and(eq(s.id, id), eq(s.decision, 'pending'), or(isNull(s.remindedAt), lt(s.remindedAt, dayStart))))
      .returning({ id: s.id });
    return rows.length > 0;
  },
  /** Escalates a still-pending step once; false when it is decided or already escalated. */
  async markEscalated(db: Db, id: number, to: string | null, now: Date): Promise<boolean> {
    const s = contractsApprovalSteps;
    const rows = await db
      .update(s)
      .set({ escalatedAt: now, escalatedTo: to })
      .where(and(eq(s.id, id), eq(s.decision, 'pending'), isNull(s.escalatedAt)))
      .returning({ id: s.id });
    return rows.length > 0;
  },

  /** The reminders sent to these contracts (any number of ids: one array parameter). */
  async remindersOf(db: Db, ids: number[]): Promise<Array<{ contractId: number; key: string }>> {
    if (ids.length === 0) return [];
    return db
      .select({ contractId: contractsReminders.contractId, key: contractsReminders.key })
      .from(contractsReminders)
      .where(sql`${contractsReminders.contractId} = any(string_to_array(${ids.join(',')}, ',')::bigint[])`);
  },
  /** Records reminders; answers those that were new (another sweep may have recorded some). */
  async addReminders(
    db: Db,
    rows: Array<typeof contractsReminders.$inferInsert>,
  ): Promise<Array<{ contractId: number; key: string }>> {
    if (rows.length === 0) return [];
    return db
      .insert(contractsReminders)
      .values(rows)
      .onConflictDoNothing()
      .returning({ contractId: contractsReminders.contractId, key: contractsReminders.key });
  },
  /** Records a reminder; false when it was already recorded (another sweep sent it). */
  async addReminder(db: Db, row: typeof contractsReminders.$inferInsert): Promise<boolean> {
    const rows = await db
      .insert(contractsReminders)
      .values(row)
      .onConflictDoNothing()
      .returning({ key: contractsReminders.key });
    return rows.length === 1;
  },

  async budget(db: Db, id: number): Promise<BudgetRow | undefined> {
    const [row] = await db.select().from(contractsBudgets).where(eq(contractsBudgets.id, id));
    return row;
  },
  async budgetByCode(db: Db, code: string): Promise<BudgetRow | undefined> {
    const [row] = await db.select().from(contractsBudgets).where(eq(contractsBudgets.code, code));
    return row;
  },
  /** Budgets whose period overlaps [from, to], of these departments (null = all), or named like `like`. */
  async budgetsFor(db: Db, departments: string[] | null, like: string | null, from: string, to: string) {
    const pattern = like ? `%${like.replace(/[\\%_]/g, (m) => `\\${m}`)}%` : null;
    return db
      .select()
      .from(contractsBudgets)
      .where(
        and(
          sql`${contractsBudgets.periodStart} <= ${to} and ${contractsBudgets.periodEnd} >= ${from}`,
          departments === null
            ? undefined
            : sql`(${departments.length > 0 ? inArray(contractsBudgets.department, departments) : sql`false`} or
                   ${contractsBudgets.name} ilike ${pattern})`,
        ),
      )
      .orderBy(asc(contractsBudgets.code))
      .limit(50);
  },
  /** Contracts in force ending within [from, to], soonest first. */
  async endingBetween(db: Db, from: string, to: string, limit = 30): Promise<ContractRow[]> {
    return db
      .select()
      .from(contractsContracts)
      .where(
        and(
          inArray(contractsContracts.state, ['active', 'expiring']),
          sql`${contractsContracts.endDate} between ${from} and ${to}`,
        ),
      )
      .orderBy(asc(contractsContracts.endDate), asc(contractsContracts.id))
      .limit(limit);
  },
  async budgets(db: Db): Promise<BudgetRow[]> {
    return db.select().from(contractsBudgets).orderBy(asc(contractsBudgets.code));
  },
  async upsertBudget(db: Db, row: typeof contractsBudgets.$inferInsert): Promise<BudgetRow> {
    const [out] = await db
      .insert(contractsBudgets)
      .values(row)
      .onConflictDoUpdate({
        target: contractsBudgets.code,
        set: {
          name: row.name,
          department: row.department,
          periodStart: row.periodStart,
          periodEnd: row.periodEnd,
          amountFen: row.amountFen,
        },
      })
      .returning();
    return out!;
  },
  /**
   * Reserves `fen` of the budget only if it still fits (amount − reserved ≥ fen): one conditional
   * update, so concurrent requests can never reserve more than the budget holds.
   */
  async reserve(db: Db, budgetId: number, fen: number): Promise<boolean> {
    const rows = await db
      .update(contractsBudgets)
      .set({
        reservedFen: sql`${contractsBudgets.reservedFen} + ${fen}`,
        version: sql`${contractsBudgets.version} + 1`,
      })
      .where(
        and(
          eq(contractsBudgets.id, budgetId),
          sql`${contractsBudgets.amountFen} - ${contractsBudgets.reservedFen} >= ${fen}`,
        ),
      )
      .returning({ id: contractsBudgets.id });
    return rows.length === 1;
  },
  /** Adds to the reservation without the check: an over-budget request its approver let through. */
  async forceReserve(db: Db, budgetId: number, fen: number): Promise<void> {
    await db
      .update(contractsBudgets)
      .set({ reservedFen: sql`${contractsBudgets.reservedFen} + ${fen}` })
      .where(eq(contractsBudgets.id, budgetId));
  },
  async release(db: Db, budgetId: number, fen: number): Promise<void> {
    await db
      .update(contractsBudgets)
      .set({ reservedFen: sql`greatest(0, ${contractsBudgets.reservedFen} - ${fen})` })
      .where(eq(contractsBudgets.id, budgetId));
  },
  /** A payment made: spent (已支付) on the line; it stays reserved (what the next request is checked against). */
  async spend(db: Db, budgetId: number, fen: number): Promise<void> {
    await db
      .update(contractsBudgets)
      .set({ spentFen: sql`${contractsBudgets.spentFen} + ${fen}` })
      .where(eq(contractsBudgets.id, budgetId));
  },
  /**
   * Moves `fen` (negative: a release) into the line's 已占用 and records the contract's share, in the caller's
   * transaction; the contract row is already locked by the change that calls it.
   */
  async commit(db: Db, budgetId: number, contractId: number, fen: number): Promise<void> {
    await db
      .update(contractsBudgets)
      .set({
        committedFen: sql`${contractsBudgets.committedFen} + ${fen}`,
        version: sql`${contractsBudgets.version} + 1`,
      })
      .where(eq(contractsBudgets.id, budgetId));
    await db
      .update(contractsContracts)
      .set({ budgetCommittedFen: sql`${contractsContracts.budgetCommittedFen} + ${fen}` })
      .where(eq(contractsContracts.id, contractId));
  },
  /** A contract's payments that are paid or still to be paid (waiting for approval, approved): what it still holds. */
  async standingTotal(db: Db, contractId: number): Promise<number> {
    const [row] = await db
      .select({ total: sql<string>`coalesce(sum(${contractsPayments.amountFen}), 0)` })
      .from(contractsPayments)
      .where(
        and(
          eq(contractsPayments.contractId, contractId),
          sql`${contractsPayments.state} in ('pending_approval', 'approved', 'paid')`,
        ),
      );
    return Number(row?.total ?? 0);
  },

  async insertPayment(db: Db, row: typeof contractsPayments.$inferInsert): Promise<PaymentRow> {
    const [out] = await db.insert(contractsPayments).values(row).returning();
    return out!;
  },
  /** Locks the contract row for the rest of the transaction: payment requests on one contract queue here. */
  async lockContract(db: Db, id: number): Promise<ContractRow | undefined> {
    const [row] = await db.select().from(contractsContracts).where(eq(contractsContracts.id, id)).for('update');
    return row;
  },
  async requestedTotal(db: Db, contractId: number): Promise<number> {
    const [row] = await db
      .select({ total: sql<string>`coalesce(sum(${contractsPayments.amountFen}), 0)` })
      .from(contractsPayments)
      .where(
        and(
          eq(contractsPayments.contractId, contractId),
          sql`${contractsPayments.state} not in ('rejected', 'cancelled')`,
        ),
      );
    return Number(row?.total ?? 0);
  },
  async payment(db: Db, id: number): Promise<PaymentRow | undefined> {
    const [row] = await db.select().from(contractsPayments).where(eq(contractsPayments.id, id));
    return row;
  },
  async paymentByExternal(db: Db, contractId: number, externalId: string): Promise<PaymentRow | undefined> {
    const [row] = await db
      .select()
      .from(contractsPayments)
      .where(and(eq(contractsPayments.contractId, contractId), eq(contractsPayments.externalId, externalId)));
    return row;
  },
  async paymentsOf(db: Db, contractId: number): Promise<PaymentRow[]> {
    return db
      .select()
      .from(contractsPayments)
      .where(eq(contractsPayments.contractId, contractId))
      .orderBy(asc(contractsPayments.id));
  },
  async setPayment(
    db: Db,
    id: number,
    from: string,
    set: Partial<typeof contractsPayments.$inferInsert>,
  ): Promise<boolean> {
    const rows = await db
      .update(contractsPayments)
      .set(set)
      .where(and(eq(contractsPayments.id, id), sql`${contractsPayments.state} = ${from}`))
      .returning({ id: contractsPayments.id });
    return rows.length === 1;
  },

  async cached(db: Db, key: string, now: Date): Promise<Record<string, unknown> | undefined> {
    const [row] = await db
      .select()
      .from(contractsRiskCache)
      .where(and(eq(contractsRiskCache.key, key), sql`${contractsRiskCache.expiresAt} > ${now}`));
    return row?.value;
  },
  async cache(db: Db, key: string, value: Record<string, unknown>, expiresAt: Date): Promise<void> {
    await db
      .insert(contractsRiskCache)
      .values({ key, value, expiresAt })
      .onConflictDoUpdate({ target: contractsRiskCache.key, set: { value, expiresAt } });
  },
};
