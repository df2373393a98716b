import { and, asc, eq, gt, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { addContributions, contributionOf, isZero, ZERO, type CaseResult, type Contribution } from './logic/results.js';
import { exceptionsCaseResults as results, exceptionsDailyRollup as rollup } from './report-schema.js';
import { exceptionsRecoveryClaims as claims } from './schema.js';

export type ResultRow = typeof results.$inferSelect;
export interface ReportFilter {
  kind?: string | undefined;
  team?: string | undefined;
  /** Any of these teams (a lead of several teams sees them together). */
  teams?: readonly string[] | undefined;
  channel?: string | undefined;
}
interface RollupKey {
  day: string;
  kind: string;
  teamKey: string;
  channel: string;
}

const OPEN_CLAIM_STATES = ['open', 'partially_recovered'];
const keyOf = (r: Pick<CaseResult, 'openedDay' | 'kind' | 'teamKey' | 'channel'>): RollupKey => ({
  day: r.openedDay,
  kind: r.kind,
  teamKey: r.teamKey,
  channel: r.channel,
});
const keyText = (k: RollupKey) => JSON.stringify([k.day, k.kind, k.teamKey, k.channel]);
const CONTRIBUTION_KEYS = Object.keys(ZERO) as Array<keyof Contribution>;

function filters(
  t: { kind: typeof results.kind; teamKey: typeof results.teamKey; channel: typeof results.channel } | typeof rollup,
  f: ReportFilter,
): SQL[] {
  const out: SQL[] = [];
  if (f.kind) out.push(eq(t.kind, f.kind));
  if (f.team) out.push(eq(t.teamKey, f.team));
  if (f.teams) out.push(f.teams.length > 0 ? inArray(t.teamKey, [...f.teams]) : sql`false`);
  if (f.channel !== undefined) out.push(eq(t.channel, f.channel));
  return out;
}

/** Stored report data: one results row per case and the daily rollup of finished cases. */
export const reportRepo = {
  /**
   * Replaces a case's results and moves its share of the rollup from the old row to the new
   * one. Runs inside the transaction that changed the case, after the case row was locked by
   * its conditional update, so two changes of one case never interleave here.
   */
  async storeResult(db: Db, next: CaseResult): Promise<void> {
    const [old] = await db.select().from(results).where(eq(results.caseId, next.caseId));
    await db
      .insert(results)
      .values(next)
      .onConflictDoUpdate({ target: results.caseId, set: { ...next, computedAt: sql`now()` } });
    const deltas: Array<{ key: RollupKey; contribution: Contribution }> = [];
    if (old) deltas.push({ key: keyOf(old), contribution: addContributions(ZERO, contributionOf(old), -1) });
    deltas.push({ key: keyOf(next), contribution: contributionOf(next) });
    await reportRepo.applyDeltas(db, deltas);
  },

  /** Backfill: stores results only for cases that have none yet (a live change may have won the race). */
  async insertMissingResults(db: Db, rows: CaseResult[]): Promise<number> {
    if (rows.length === 0) return 0;
    const inserted = await db.insert(results).values(rows).onConflictDoNothing().returning({ caseId: results.caseId });
    const ids = new Set(inserted.map((r) => r.caseId));
    await reportRepo.applyDeltas(
      db,
      rows.filter((r) => ids.has(r.caseId)).map((r) => ({ key: keyOf(r), contribution: contributionOf(r) })),
    );
    return ids.size;
  },

  /** Adds deltas to rollup rows, merged per key and written in key order (no deadlocks between writers). */
  async applyDeltas(db: Db, deltas: Array<{ key: RollupKey; contribution: Contribution }>): Promise<void> {
    const merged = new Map<string, { key: RollupKey; contribution: Contribution }>();
    for (const d of deltas) {
      const k = keyText(d.key);
      const prev = merged.get(k);
      merged.set(k, {
        key: d.key,
        contribution: prev ? addContributions(prev.contribution, d.contribution) : d.contribution,
      });
    }
    const rows = [...merged.entries()]
      .filter(([, d]) => !isZero(d.contribution))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, d]) => ({ ...d.key, ...d.contribution }));
    if (rows.length === 0) return;
    const set = Object.fromEntries(
      CONTRIBUTION_KEYS.map((k) => [
        k,
        sql.raw(`"exceptions_daily_rollup"."${rollup[k].name}" + excluded."${rollup[k].name}"`),
      ]),
    );
    await db
      .insert(rollup)
      .values(rows)
      .onConflictDoUpdate({ target: [rollup.day, rollup.kind, rollup.teamKey, rollup.channel], set });
  },

  /** Finished cases opened on or after `since`: whole days from the rollup, the first partial day from the results. */
  /**
   * Finished cases opened in [since, until) (until: open-ended when left out): whole days from the
   * rollup, the partial first and last days from the results rows.
   */
  async finishedTotals(db: Db, since: Date, f: ReportFilter, until?: Date): Promise<Contribution> {
    const dayStart = new Date(Math.ceil(since.getTime() / 86_400_000) * 86_400_000);
    const dayEnd = until
      ? new Date(Math.max(dayStart.getTime(), Math.floor(until.getTime() / 86_400_000) * 86_400_000))
      : null;
    const sums = Object.fromEntries(CONTRIBUTION_KEYS.map((k) => [k, sql<string>`coalesce(sum(${rollup[k]}), 0)`]));
    const [whole] = await db
      .select(sums)
      .from(rollup)
      .where(
        and(
          gte(rollup.day, dayStart.toISOString().slice(0, 10)),
          ...(dayEnd ? [lt(rollup.day, dayEnd.toISOString().slice(0, 10))] : []),
          ...filters(rollup, f),
        ),
      );
    const edge = (from: Date, to: Date) =>
      db
        .select()
        .from(results)
        .where(
          and(sql`not ${results.open}`, gte(results.openedAt, from), lt(results.openedAt, to), ...filters(results, f)),
        );
    const partial = [
      ...(await edge(since, until && until < dayStart ? until : dayStart)),
      ...(dayEnd && until && until > dayEnd ? await edge(dayEnd, until) : []),
    ];
    let total: Contribution = { ...ZERO };
    for (const k of CONTRIBUTION_KEYS) total[k] = Number(whole?.[k] ?? 0);
    for (const r of partial) total = addContributions(total, contributionOf(r));
    return total;
  },

  /**
   * Median and P90 cycle minutes of finished cases opened since `since` (PERCENTILE.INC). Up to
   * `exactUpTo` cases all are read; above that, a deterministic sample of id buckets of about
   * that size, so a year at 200k cases sorts ~20k values instead of 200k (docs/reports.md).
   */
  async cyclePercentiles(
    db: Db,
    since: Date,
    f: ReportFilter,
    finished: number,
    exactUpTo = 20_000,
    until?: Date,
  ): Promise<{ median: number | null; p90: number | null; sampled: boolean }> {
    if (finished === 0) return { median: null, p90: null, sampled: false };
    const buckets = finished <= exactUpTo ? 16 : Math.max(1, Math.ceil((16 * exactUpTo) / finished));
    const sample = Array.from({ length: buckets }, (_, i) => i);
    const [row] = await db
      .select({
        p: sql<
          number[] | string
        >`percentile_cont(array[0.5, 0.9]::float8[]) within group (order by ${results.cycleMinutes})`,
      })
      .from(results)
      .where(
        and(
          sql`${results.finishedAt} is not null`,
          inArray(results.sample, sample),
          gte(results.openedAt, since),
          ...(until ? [lt(results.openedAt, until)] : []),
          ...filters(results, f),
        ),
      );
    const p = parseFloatArray(row?.p);
    return { median: p[0] ?? null, p90: p[1] ?? null, sampled: buckets < 16 };
  },

  /** Open cases per kind and age bucket (calendar hours since opening, `bounds` as in ageBuckets). */
  async openByKindAndAge(
    db: Db,
    now: Date,
    bounds: readonly number[],
    f: ReportFilter,
  ): Promise<Array<{ kind: string; bucket: number; cases: number }>> {
    const hours = sql`extract(epoch from (${now.toISOString()}::timestamptz - ${results.openedAt})) / 3600`;
    const bucket = sql<number>`width_bucket(${hours}, ${sql.raw(`array[0,${bounds.join(',')}]::float8[]`)})`;
    const rows = await db
      .select({ kind: results.kind, bucket, cases: sql<number>`count(*)::int` })
      .from(results)
      .where(and(sql`${results.open}`, ...filters(results, f)))
      .groupBy(sql`1, 2`);
    return rows.map((r) => ({ kind: r.kind, bucket: Number(r.bucket), cases: Number(r.cases) }));
  },

  async openTotals(db: Db, now: Date, f: ReportFilter) {
    const [row] = await db
      .select({
        open: sql<number>`count(*)::int`,
        breached: sql<number>`(count(*) filter (where ${results.breachAt} < ${now.toISOString()}::timestamptz))::int`,
        atRiskFen: sql<string>`coalesce(sum(${results.atRiskFen}), 0)`,
        refundedFen: sql<string>`coalesce(sum(${results.refundedFen}), 0)`,
        recoveredFen: sql<string>`coalesce(sum(${results.recoveredFen}), 0)`,
        writtenOffFen: sql<string>`coalesce(sum(${results.writtenOffFen}), 0)`,
        outstandingFen: sql<string>`coalesce(sum(${results.outstandingFen}), 0)`,
        won: sql<number>`(count(*) filter (where ${results.dispute} = 'won'))::int`,
        lost: sql<number>`(count(*) filter (where ${results.dispute} = 'lost'))::int`,
        pending: sql<number>`(count(*) filter (where ${results.dispute} = 'pending'))::int`,
      })
      .from(results)
      .where(and(sql`${results.open}`, ...filters(results, f)));
    const n = (v: unknown) => Number(v ?? 0);
    return {
      open: n(row?.open),
      breached: n(row?.breached),
      money: {
        atRiskFen: n(row?.atRiskFen),
        refundedFen: n(row?.refundedFen),
        recoveredFen: n(row?.recoveredFen),
        writtenOffFen: n(row?.writtenOffFen),
        outstandingFen: n(row?.outstandingFen),
      },
      disputes: { won: n(row?.won), lost: n(row?.lost), pending: n(row?.pending) },
    };
  },

  /** Milliseconds open cases spent per working state up to `now`: earlier states stored, the current one running. */
  async openMsByState(db: Db, now: Date, f: ReportFilter): Promise<Record<string, number>> {
    const where = and(sql`${results.open}`, ...filters(results, f));
    // One after the other: reports run on one connection (Database.heavyRead).
    const earlier = await db
      .select({ state: sql<string>`s.key`, ms: sql<string>`sum((s.value)::bigint)` })
      .from(sql`${results}, jsonb_each_text(${results.msByState}) as s`)
      .where(where)
      .groupBy(sql`s.key`);
    const current = await db
      .select({
        state: results.state,
        ms: sql<string>`sum(greatest(0, extract(epoch from (${now.toISOString()}::timestamptz -
                           ${results.stateSince})) * 1000))`,
      })
      .from(results)
      .where(and(where, sql`${results.stateSince} is not null`))
      .groupBy(results.state);
    const out: Record<string, number> = {};
    for (const r of [...earlier, ...current]) out[r.state] = (out[r.state] ?? 0) + Number(r.ms);
    return out;
  },

  /** The stored clocks of the given open cases, for the sweep to compare with the current rules (one query). */
  async openClocksOf(
    db: Db,
    caseIds: readonly number[],
  ): Promise<Array<{ caseId: number; dueAt: Date | null; breachAt: Date | null; computedAt: Date }>> {
    if (caseIds.length === 0) return [];
    return db
      .select({
        caseId: results.caseId,
        dueAt: results.dueAt,
        breachAt: results.breachAt,
        computedAt: results.computedAt,
      })
      .from(results)
      .where(sql`${results.open} and ${results.caseId} = any(${sql.param([...caseIds])}::bigint[])`);
  },

  /**
   * New due and breach times for open cases whose rules changed (SLA, calendar), in one
   * statement. A row rewritten since it was read (the case changed meanwhile, with the current
   * rules) is left alone: `computed_at` must still be the one the sweep read.
   */
  async updateOpenClocks(
    db: Db,
    rows: Array<{ caseId: number; dueAt: Date | null; breachAt: Date | null; computedAt: Date }>,
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    // sql.param: one array parameter each (a bare array in sql`` would become a list).
    const column = (values: unknown[]) => sql.param(values);
    const updated = await db.execute(sql`
      update ${results} as r set due_at = v.due_at, breach_at = v.breach_at
      from unnest(${column(rows.map((r) => r.caseId))}::bigint[],
        ${column(rows.map((r) => iso(r.dueAt)))}::timestamptz[],
        ${column(rows.map((r) => iso(r.breachAt)))}::timestamptz[],
          ${column(rows.map((r) => r.computedAt.toISOString()))}::timestamptz[])
        as v(case_id, due_at, breach_at, computed_at)
      where r.case_id = v.case_id and r.open and date_trunc('milliseconds', r.computed_at) = v.computed_at
      returning r.case_id`);
    // node-postgres and PGlite both answer { rows }.
    return (updated as unknown as { rows: unknown[] }).rows.length;
  },

  /** Open recovery claims, oldest first, a page at a time (`after` is the last id seen). */
  async openClaimsPage(db: Db, limit: number, after = 0) {
    return db
      .select()
      .from(claims)
      .where(and(inArray(claims.state, OPEN_CLAIM_STATES), gt(claims.id, after)))
      .orderBy(asc(claims.id))
      .limit(limit);
  },

  async openClaimCounts(db: Db, staleBefore: Date): Promise<{ open: number; stale: number }> {
    const [row] = await db
      .select({
        open: sql<number>`count(*)::int`,
        stale: sql<number>`(count(*) filter (where ${claims.lastActivityAt} <=
                            ${staleBefore.toISOString()}::timestamptz))::int`,
      })
      .from(claims)
      .where(inArray(claims.state, OPEN_CLAIM_STATES));
    return { open: Number(row?.open ?? 0), stale: Number(row?.stale ?? 0) };
  },
};

/** percentile_cont over an array answers float8[]: an array from node-postgres, '{1,2}' text from PGlite. */
function parseFloatArray(v: number[] | string | null | undefined): Array<number | null> {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map((x) => (x === null ? null : Number(x)));
  return v
    .replace(/[{}]/g, '')
    .split(',')
    .map((x) => (x === 'NULL' || x === '' ? null : Number(x)));
}
