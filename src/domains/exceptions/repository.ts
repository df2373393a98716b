import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { CaseState } from './logic/case.js';
import type { EscalationStep } from './logic/escalation.js';
import {
  exceptionsApprovals,
  exceptionsAudit,
  exceptionsCases,
  exceptionsEscalations,
  exceptionsNudges,
  exceptionsRecoveryClaims,
  exceptionsStateHistory,
  TERMINAL_SQL,
} from './schema.js';
import { exceptionsCaseResults } from './report-schema.js';

export type CaseRow = typeof exceptionsCases.$inferSelect;
export type NewCase = typeof exceptionsCases.$inferInsert;
export type HistoryRow = typeof exceptionsStateHistory.$inferSelect;
export type ApprovalRow = typeof exceptionsApprovals.$inferSelect;
export type ClaimRow = typeof exceptionsRecoveryClaims.$inferSelect;
export type EscalationRow = typeof exceptionsEscalations.$inferSelect;
/** What a card shows of a pending approval. */
export type PendingApproval = Pick<ApprovalRow, 'id' | 'approverRole' | 'amountFen' | 'purpose'>;
/** What a case card shows besides the row and its history. */
export interface ViewExtras {
  steps: EscalationStep[];
  pending: PendingApproval | null;
}

// Subqueries for one case's card, correlated on `caseId` (a parameter, or the outer row's id). Own
// aliases and column names: drizzle leaves columns unqualified in a one-table select, where they
// would bind to the subquery's own table. json, so both drivers answer the same shapes.
const OUTER_ID = sql.raw('"exceptions_cases"."id"');
const stepsOf = (caseId: SQL) =>
  sql<unknown>`(select coalesce(json_agg(e.step), '[]'::json) from ${exceptionsEscalations} e
    where e.case_id = ${caseId})`;
const pendingOf = (caseId: SQL) =>
  sql<unknown>`(select json_build_object('id', a.id, 'approverRole', a.approver_role, 'amountFen', a.amount_fen,
    'purpose', a.purpose) from ${exceptionsApprovals} a where a.case_id = ${caseId} and a.decision = 'pending'
    order by a.id limit 1)`;
const historyOf = (caseId: SQL) =>
  sql<unknown>`(select coalesce(json_agg(json_build_object('id', h.id, 'caseId', h.case_id, 'state', h.state,
    'action', h.action, 'actorOpenId', h.actor_open_id, 'at', h.at) order by h.at, h.id), '[]'::json)
    from ${exceptionsStateHistory} h where h.case_id = ${caseId})`;
const fromJson = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
function extrasFrom(row: { steps: unknown; pending: unknown } | undefined): ViewExtras {
  const pending = fromJson<PendingApproval | null>(row?.pending ?? null);
  return {
    steps: fromJson<EscalationStep[]>(row?.steps ?? []),
    pending: pending ? { ...pending, id: Number(pending.id), amountFen: Number(pending.amountFen) } : null,
  };
}
export type CasePatch = Partial<Omit<NewCase, 'id' | 'version' | 'createdAt'>>;

// Written as the partial index exceptions_cases_open_idx is, so the planner can use it.
const OPEN = sql`${exceptionsCases.state} not in (${TERMINAL_SQL})`;

/** Queries only: no Feishu, no decisions. Every function takes the executor (pool or transaction). */
export const repo = {
  async insertCase(db: Db, values: NewCase): Promise<CaseRow | null> {
    const [row] = await db.insert(exceptionsCases).values(values).onConflictDoNothing().returning();
    return row ?? null;
  },

  async caseBySource(db: Db, source: string, externalId: string): Promise<CaseRow | null> {
    const [row] = await db
      .select()
      .from(exceptionsCases)
      .where(and(eq(exceptionsCases.source, source), eq(exceptionsCases.externalId, externalId)));
    return row ?? null;
  },

  async getCase(db: Db, id: number): Promise<CaseRow | null> {
    const [row] = await db.select().from(exceptionsCases).where(eq(exceptionsCases.id, id));
    return row ?? null;
  },

  /** The conditional write every change goes through: it applies only to the version that was read. */
  async updateCase(db: Db, id: number, version: number, patch: CasePatch): Promise<CaseRow | null> {
    const [row] = await db
      .update(exceptionsCases)
      .set({ ...patch, version: sql`${exceptionsCases.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(exceptionsCases.id, id), eq(exceptionsCases.version, version)))
      .returning();
    return row ?? null;
  },

  /** Stores the team card's message id once; a second sender loses. */
  async setCardMessage(db: Db, id: number, messageId: string): Promise<boolean> {
    const rows = await db
      .update(exceptionsCases)
      .set({ cardMessageId: messageId })
      .where(and(eq(exceptionsCases.id, id), isNull(exceptionsCases.cardMessageId)))
      .returning({ id: exceptionsCases.id });
    return rows.length > 0;
  },

  /** Links the case to its Bitable row once; a second writer keeps the first link. */
  async setBitableRecord(db: Db, id: number, recordId: string): Promise<void> {
    await db
      .update(exceptionsCases)
      .set({ bitableRecordId: recordId })
      .where(and(eq(exceptionsCases.id, id), isNull(exceptionsCases.bitableRecordId)));
  },

  /** Stored once: a later write never replaces a link the cards already carry. */
  async setBitableRecordUrl(db: Db, id: number, url: string): Promise<void> {
    await db
      .update(exceptionsCases)
      .set({ bitableRecordUrl: url })
      .where(and(eq(exceptionsCases.id, id), isNull(exceptionsCases.bitableRecordUrl)));
  },

  async casesWithoutBitableRow(db: Db, limit: number): Promise<CaseRow[]> {
    return db
      .select()
      .from(exceptionsCases)
      .where(isNull(exceptionsCases.bitableRecordId))
      .orderBy(asc(exceptionsCases.id))
      .limit(limit);
  },

  async caseByBitableRecord(db: Db, recordId: string): Promise<CaseRow | null> {
    const [row] = await db.select().from(exceptionsCases).where(eq(exceptionsCases.bitableRecordId, recordId));
    return row ?? null;
  },

  async addHistory(db: Db, entry: typeof exceptionsStateHistory.$inferInsert): Promise<HistoryRow> {
    const [row] = await db.insert(exceptionsStateHistory).values(entry).returning();
    return row!;
  },

  async history(db: Db, caseIds: number[]): Promise<HistoryRow[]> {
    if (caseIds.length === 0) return [];
    return db
      .select()
      .from(exceptionsStateHistory)
      .where(inArray(exceptionsStateHistory.caseId, caseIds))
      .orderBy(asc(exceptionsStateHistory.at), asc(exceptionsStateHistory.id));
  },

  /** Cases after `after` that have no stored results yet, locked for the backfill's transaction. */
  /** The highest case id (0 with no cases): one step down the primary key. */
  async maxCaseId(db: Db): Promise<number> {
    const [row] = await db
      .select({ id: sql<string | number | null>`max(${exceptionsCases.id})` })
      .from(exceptionsCases);
    return Number(row?.id ?? 0);
  },

  async casesWithoutResults(db: Db, after: number, limit: number): Promise<CaseRow[]> {
    return db
      .select()
      .from(exceptionsCases)
      .where(
        and(
          gt(exceptionsCases.id, after),
          // The range repeated on the results side lets the planner walk both primary keys from `after` (a merge anti
          // join) instead of hashing every results row: 0.8 ms instead of 83 ms for the newest 1,000 of 50,000 cases.
          sql`not exists (select 1 from ${exceptionsCaseResults} r
            where r.case_id = ${exceptionsCases.id} and r.case_id > ${after})`,
        ),
      )
      .orderBy(asc(exceptionsCases.id))
      .limit(limit)
      .for('update');
  },

  /** History of the cases with ids in [fromId, toId], by case and time. */
  async historyBetween(db: Db, fromId: number, toId: number): Promise<HistoryRow[]> {
    return db
      .select()
      .from(exceptionsStateHistory)
      .where(and(gte(exceptionsStateHistory.caseId, fromId), lte(exceptionsStateHistory.caseId, toId)))
      .orderBy(asc(exceptionsStateHistory.caseId), asc(exceptionsStateHistory.at), asc(exceptionsStateHistory.id));
  },

  async audit(db: Db, entry: typeof exceptionsAudit.$inferInsert): Promise<void> {
    await db.insert(exceptionsAudit).values(entry);
  },

  async auditOf(db: Db, caseId: number) {
    return db.select().from(exceptionsAudit).where(eq(exceptionsAudit.caseId, caseId)).orderBy(asc(exceptionsAudit.id));
  },

  async insertApproval(db: Db, values: typeof exceptionsApprovals.$inferInsert): Promise<ApprovalRow | null> {
    const [row] = await db.insert(exceptionsApprovals).values(values).onConflictDoNothing().returning();
    return row ?? null;
  },

  async getApproval(db: Db, id: number): Promise<ApprovalRow | null> {
    const [row] = await db.select().from(exceptionsApprovals).where(eq(exceptionsApprovals.id, id));
    return row ?? null;
  },

  async approvalsOf(db: Db, caseId: number): Promise<ApprovalRow[]> {
    return db
      .select()
      .from(exceptionsApprovals)
      .where(eq(exceptionsApprovals.caseId, caseId))
      .orderBy(asc(exceptionsApprovals.id));
  },

  /** pending → decided, once: the second of two clicks finds nothing pending. */
  async decideApproval(
    db: Db,
    id: number,
    decision: { decision: string; decidedBy: string; reason: string | null; decidedAt: Date },
  ): Promise<ApprovalRow | null> {
    const [row] = await db
      .update(exceptionsApprovals)
      .set(decision)
      .where(and(eq(exceptionsApprovals.id, id), eq(exceptionsApprovals.decision, 'pending')))
      .returning();
    return row ?? null;
  },

  /**
   * What the case card shows besides the row, in one query: the escalation steps taken and the
   * pending approval (at most one: exceptions_approvals_one_pending_idx).
   */
  async viewExtras(db: Db, caseId: number): Promise<ViewExtras> {
    const [row] = await db
      .select({ steps: stepsOf(sql`${caseId}`), pending: pendingOf(sql`${caseId}`) })
      .from(sql`(select 1) as one`);
    return extrasFrom(row);
  },

  /**
   * A case with everything its card shows, in one statement (one snapshot): the row, its history
   * (ordered as `history` orders it), its escalation steps and its pending approval. A card click
   * reads this once and draws the answer from it.
   */
  async caseForCard(db: Db, id: number): Promise<(ViewExtras & { case: CaseRow; history: HistoryRow[] }) | null> {
    const [row] = await db
      .select({
        case: exceptionsCases,
        steps: stepsOf(OUTER_ID),
        pending: pendingOf(OUTER_ID),
        history: historyOf(OUTER_ID),
      })
      .from(exceptionsCases)
      .where(eq(exceptionsCases.id, id));
    if (!row) return null;
    const history = fromJson<Array<Omit<HistoryRow, 'at'> & { at: string }>>(row.history).map((e) => ({
      ...e,
      id: Number(e.id),
      caseId: Number(e.caseId),
      at: new Date(e.at),
    }));
    return { case: row.case, history, ...extrasFrom(row) };
  },

  async escalationSteps(db: Db, caseId: number): Promise<EscalationStep[]> {
    const rows = await db
      .select({ step: exceptionsEscalations.step })
      .from(exceptionsEscalations)
      .where(eq(exceptionsEscalations.caseId, caseId));
    return rows.map((r) => r.step);
  },

  /** The open case's due time as its last change computed it (null once finished or paused). */
  async dueAt(db: Db, caseId: number): Promise<Date | null> {
    const [row] = await db
      .select({ dueAt: exceptionsCaseResults.dueAt })
      .from(exceptionsCaseResults)
      .where(and(eq(exceptionsCaseResults.caseId, caseId), eq(exceptionsCaseResults.open, true)));
    return row?.dueAt ?? null;
  },

  async insertEscalation(db: Db, values: typeof exceptionsEscalations.$inferInsert): Promise<EscalationRow | null> {
    const [row] = await db.insert(exceptionsEscalations).values(values).onConflictDoNothing().returning();
    return row ?? null;
  },

  async insertNudge(db: Db, values: typeof exceptionsNudges.$inferInsert): Promise<boolean> {
    const rows = await db
      .insert(exceptionsNudges)
      .values(values)
      .onConflictDoNothing()
      .returning({ id: exceptionsNudges.id });
    return rows.length > 0;
  },

  /** Id and version of every open case: what the sweep needs to tell which clocks to read (no row bodies). */
  async openCaseVersions(db: Db): Promise<Array<{ id: number; version: number }>> {
    return db
      .select({ id: exceptionsCases.id, version: exceptionsCases.version })
      .from(exceptionsCases)
      .where(OPEN)
      .orderBy(asc(exceptionsCases.id));
  },

  /** The given cases that are still open, by id. */
  async openCasesByIds(db: Db, ids: readonly number[]): Promise<CaseRow[]> {
    if (ids.length === 0) return [];
    return db
      .select()
      .from(exceptionsCases)
      .where(and(OPEN, sql`${exceptionsCases.id} = any(${sql.param([...ids])}::bigint[])`))
      .orderBy(asc(exceptionsCases.id));
  },

  /** The open case whose card is this message (a chat reply to the card names it). */
  async openCaseByCard(db: Db, messageId: string): Promise<CaseRow | null> {
    const [row] = await db
      .select()
      .from(exceptionsCases)
      .where(and(OPEN, eq(exceptionsCases.cardMessageId, messageId)));
    return row ?? null;
  },

  /**
   * History of the given cases, by case and time (one query for the sweep; `= any($1)` keeps it an index lookup per
   * case and one parameter however many cases).
   */
  async historyOfCases(db: Db, caseIds: readonly number[]): Promise<HistoryRow[]> {
    if (caseIds.length === 0) return [];
    return db
      .select()
      .from(exceptionsStateHistory)
      .where(sql`${exceptionsStateHistory.caseId} = any(${sql.param([...caseIds])}::bigint[])`)
      .orderBy(asc(exceptionsStateHistory.caseId), asc(exceptionsStateHistory.at), asc(exceptionsStateHistory.id));
  },

  /** Ladder steps already sent to the given cases (one query for the sweep). */
  async escalationStepsOfCases(
    db: Db,
    caseIds: readonly number[],
  ): Promise<Array<{ caseId: number; step: EscalationStep }>> {
    if (caseIds.length === 0) return [];
    return db
      .select({ caseId: exceptionsEscalations.caseId, step: exceptionsEscalations.step })
      .from(exceptionsEscalations)
      .where(sql`${exceptionsEscalations.caseId} = any(${sql.param([...caseIds])}::bigint[])`);
  },

  async casesInState(db: Db, state: CaseState): Promise<CaseRow[]> {
    return db.select().from(exceptionsCases).where(eq(exceptionsCases.state, state)).orderBy(asc(exceptionsCases.id));
  },

  async listCases(
    db: Db,
    filter: { state?: CaseState | undefined; kind?: string | undefined; limit: number },
  ): Promise<CaseRow[]> {
    const conditions = [];
    if (filter.state) conditions.push(eq(exceptionsCases.state, filter.state));
    if (filter.kind) conditions.push(eq(exceptionsCases.kind, filter.kind));
    return db
      .select()
      .from(exceptionsCases)
      .where(and(...conditions))
      .orderBy(desc(exceptionsCases.id))
      .limit(filter.limit);
  },

  /** By order number or any number field (tracking, return tracking), newest first. */
  async lookup(db: Db, needle: string, limit = 5): Promise<CaseRow[]> {
    return db
      .select()
      .from(exceptionsCases)
      .where(
        or(
          eq(exceptionsCases.orderNo, needle),
          sql`exists (select 1 from jsonb_each_text(${exceptionsCases.fields}) f where upper(f.value) =
               upper(${needle}))`,
        ),
      )
      .orderBy(desc(exceptionsCases.id))
      .limit(limit);
  },

  async insertClaim(db: Db, values: typeof exceptionsRecoveryClaims.$inferInsert): Promise<ClaimRow> {
    const [row] = await db.insert(exceptionsRecoveryClaims).values(values).returning();
    return row!;
  },

  async getClaim(db: Db, id: number): Promise<ClaimRow | null> {
    const [row] = await db.select().from(exceptionsRecoveryClaims).where(eq(exceptionsRecoveryClaims.id, id));
    return row ?? null;
  },

  async claimsOf(db: Db, caseIds: number[]): Promise<ClaimRow[]> {
    if (caseIds.length === 0) return [];
    return db
      .select()
      .from(exceptionsRecoveryClaims)
      .where(inArray(exceptionsRecoveryClaims.caseId, caseIds))
      .orderBy(asc(exceptionsRecoveryClaims.id));
  },

  /**
   * One page of open claims that are due a reminder: untouched since `staleBefore`, with an owner,
   * not reminded since `remindedBefore`; by id after `afterId` (keyset), so a sweep never loads all.
   */
  async staleClaimsPage(
    db: Db,
    q: { staleBefore: Date; remindedBefore: Date; afterId: number; limit: number },
  ): Promise<ClaimRow[]> {
    const c = exceptionsRecoveryClaims;
    return db
      .select()
      .from(c)
      .where(
        and(
          inArray(c.state, ['open', 'partially_recovered']),
          lte(c.lastActivityAt, q.staleBefore),
          sql`${c.ownerOpenId} is not null`,
          or(isNull(c.lastRemindedAt), lt(c.lastRemindedAt, q.remindedBefore)),
          gt(c.id, q.afterId),
        ),
      )
      .orderBy(asc(c.id))
      .limit(q.limit);
  },

  async updateClaim(
    db: Db,
    id: number,
    expectedRecoveredFen: number,
    patch: Partial<typeof exceptionsRecoveryClaims.$inferInsert>,
  ): Promise<ClaimRow | null> {
    const [row] = await db
      .update(exceptionsRecoveryClaims)
      .set(patch)
      .where(
        and(
          eq(exceptionsRecoveryClaims.id, id),
          eq(exceptionsRecoveryClaims.recoveredFen, expectedRecoveredFen),
          inArray(exceptionsRecoveryClaims.state, ['open', 'partially_recovered']),
        ),
      )
      .returning();
    return row ?? null;
  },

  /**
   * Marks a claim reminded, once per window: only while it is still open, still untouched since
   * `staleBefore` and not reminded since `remindedBefore` — so two sweeps (or instances) mark it once.
   */
  async markClaimReminded(
    db: Db,
    id: number,
    at: Date,
    q: { staleBefore: Date; remindedBefore: Date },
  ): Promise<ClaimRow | null> {
    const c = exceptionsRecoveryClaims;
    const [row] = await db
      .update(c)
      .set({ lastRemindedAt: at })
      .where(
        and(
          eq(c.id, id),
          inArray(c.state, ['open', 'partially_recovered']),
          lte(c.lastActivityAt, q.staleBefore),
          or(isNull(c.lastRemindedAt), lt(c.lastRemindedAt, q.remindedBefore)),
        ),
      )
      .returning();
    return row ?? null;
  },
};
