import { and, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import type { BudgetRow, CounterpartyRow } from '../repository.js';
import type { BudgetLine } from './budget-cells.js';
import { contractsBudgets, contractsCounterparties, contractsPayments } from '../schema.js';

/** What people keep in 相对方 and 预算, and the rows' record ids. */
export const gridRepo = {
  async counterpartyByRecord(db: Db, recordId: string): Promise<CounterpartyRow | undefined> {
    const [row] = await db
      .select()
      .from(contractsCounterparties)
      .where(eq(contractsCounterparties.bitableRecordId, recordId));
    return row;
  },
  async setCounterpartyRecord(db: Db, id: number, recordId: string): Promise<void> {
    await db
      .update(contractsCounterparties)
      .set({ bitableRecordId: recordId })
      .where(eq(contractsCounterparties.id, id));
  },
  async counterpartyByName(db: Db, name: string): Promise<CounterpartyRow | undefined> {
    const [row] = await db.select().from(contractsCounterparties).where(eq(contractsCounterparties.name, name));
    return row;
  },
  async nameTaken(db: Db, name: string, exceptId: number | null): Promise<boolean> {
    const rows = await db
      .select({ id: contractsCounterparties.id })
      .from(contractsCounterparties)
      .where(
        and(
          eq(contractsCounterparties.name, name),
          exceptId === null ? undefined : ne(contractsCounterparties.id, exceptId),
        ),
      );
    return rows.length > 0;
  },
  /** A counterparty as 相对方 says; a new one (null id) is inserted. Unique name and record id decide races. */
  async saveCounterparty(
    db: Db,
    id: number | null,
    v: Pick<
      CounterpartyRow,
      'name' | 'creditCode' | 'list' | 'listReason' | 'blacklistReason' | 'watchReason' | 'bitableRecordId'
    >,
  ): Promise<CounterpartyRow | undefined> {
    if (id === null) {
      const [row] = await db.insert(contractsCounterparties).values(v).onConflictDoNothing().returning();
      return row;
    }
    const [row] = await db.update(contractsCounterparties).set(v).where(eq(contractsCounterparties.id, id)).returning();
    return row;
  },

  async budgetByRecord(db: Db, recordId: string): Promise<BudgetRow | undefined> {
    const [row] = await db.select().from(contractsBudgets).where(eq(contractsBudgets.bitableRecordId, recordId));
    return row;
  },
  async setBudgetRecord(db: Db, id: number, recordId: string): Promise<void> {
    await db.update(contractsBudgets).set({ bitableRecordId: recordId }).where(eq(contractsBudgets.id, id));
  },
  async setPaymentRecord(db: Db, id: number, recordId: string): Promise<void> {
    await db.update(contractsPayments).set({ bitableRecordId: recordId }).where(eq(contractsPayments.id, id));
  },
  async codeTaken(db: Db, code: string, exceptId: number | null): Promise<boolean> {
    const rows = await db
      .select({ id: contractsBudgets.id })
      .from(contractsBudgets)
      .where(and(eq(contractsBudgets.code, code), exceptId === null ? undefined : ne(contractsBudgets.id, exceptId)));
    return rows.length > 0;
  },
  async insertBudget(db: Db, v: typeof contractsBudgets.$inferInsert): Promise<BudgetRow | undefined> {
    const [row] = await db.insert(contractsBudgets).values(v).onConflictDoNothing().returning();
    return row;
  },
  /**
   * A budget line as 预算 says, only while the new amount still covers what payments reserved and contracts
   * committed (checked in the same statement, so a payment reserved meanwhile is never left uncovered).
   */
  async updateBudget(db: Db, id: number, v: BudgetLine): Promise<BudgetRow | undefined> {
    const [row] = await db
      .update(contractsBudgets)
      .set({ ...v, version: sql`${contractsBudgets.version} + 1` })
      .where(and(eq(contractsBudgets.id, id), sql`${v.amountFen} >= ${contractsBudgets.reservedFen}`))
      .returning();
    return row;
  },
};
