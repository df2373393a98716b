import { eq, ilike, inArray, or } from 'drizzle-orm';
import type { CommunityInput } from './logic/community.js';
import type { Db, SqlExecutor } from '../../db/client.js';
import type { DailyFigures, MetricSource } from './logic/metrics.js';
import { communities, communityDailyMetrics } from './schema.js';

export type CommunityRow = typeof communities.$inferSelect;
export type NewCommunity = typeof communities.$inferInsert;

/** A stored day as the ingest compares it. */
export interface StoredDay extends DailyFigures {
  communityId: number;
  day: string;
  revision: number;
}

/** A validated row ready to store. */
export interface DayToStore extends DailyFigures {
  communityId: number;
  day: string;
}

const FIGURE_COLUMNS =
  'members_total, members_joined, members_left, active_members, messages, orders, gmv_fen, refunds_fen';
/** Each figure's name in the audit's JSON and its column. */
const FIGURE_KEYS = [
  ['membersTotal', 'members_total'],
  ['membersJoined', 'members_joined'],
  ['membersLeft', 'members_left'],
  ['activeMembers', 'active_members'],
  ['messages', 'messages'],
  ['orders', 'orders'],
  ['gmvFen', 'gmv_fen'],
  ['refundsFen', 'refunds_fen'],
] as const;
const FIGURES_SELECT = `members_total::int as "membersTotal", members_joined::int as "membersJoined",
  members_left::int as "membersLeft",
  active_members::int as "activeMembers", messages::int as messages, orders::int as orders, gmv_fen::float8 as
    "gmvFen", refunds_fen::float8 as "refundsFen"`;

const arrays = (rows: readonly DayToStore[]) => [
  rows.map((r) => r.communityId),
  rows.map((r) => r.day),
  rows.map((r) => r.membersTotal),
  rows.map((r) => r.membersJoined),
  rows.map((r) => r.membersLeft),
  rows.map((r) => r.activeMembers),
  rows.map((r) => r.messages),
  rows.map((r) => r.orders),
  rows.map((r) => r.gmvFen),
  rows.map((r) => r.refundsFen),
];
const UNNEST = `unnest($1::bigint[], $2::date[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[],
    $9::bigint[], $10::bigint[])
  as k(community_id, day, members_total, members_joined, members_left, active_members, messages, orders,
    gmv_fen, refunds_fen)`;

/** Queries of the community workflow; no Feishu. Bulk reads and writes go through unnest, one statement each. */
export const repo = {
  async byCodes(db: Db, codes: readonly string[]): Promise<CommunityRow[]> {
    if (codes.length === 0) return [];
    return db
      .select()
      .from(communities)
      .where(inArray(communities.code, [...codes]));
  },

  async byId(db: Db, id: number): Promise<CommunityRow | undefined> {
    return (await db.select().from(communities).where(eq(communities.id, id)))[0];
  },

  async byRecordId(db: Db, recordId: string): Promise<CommunityRow | undefined> {
    return (await db.select().from(communities).where(eq(communities.bitableRecordId, recordId)))[0];
  },

  async byChat(db: Db, chatId: string): Promise<CommunityRow | undefined> {
    return (await db.select().from(communities).where(eq(communities.feishuChatId, chatId)))[0];
  },

  async setRecordId(db: Db, id: number, recordId: string): Promise<void> {
    await db.update(communities).set({ bitableRecordId: recordId }).where(eq(communities.id, id));
  },

  async hasMetrics(db: Db, id: number): Promise<boolean> {
    const rows = await db
      .select({ day: communityDailyMetrics.day })
      .from(communityDailyMetrics)
      .where(eq(communityDailyMetrics.communityId, id))
      .limit(1);
    return rows.length > 0;
  },

  /** A person's edit in 社群 (already validated). */
  async update(db: Db, id: number, c: CommunityInput, at: Date): Promise<void> {
    await db
      .update(communities)
      .set({
        code: c.code,
        name: c.name,
        platform: c.platform,
        kind: c.kind ?? null,
        operatorOpenId: c.operatorOpenId ?? null,
        storeCode: c.storeCode ?? null,
        tags: c.tags,
        state: c.state,
        // Left out: unchanged (as in the API); null: no team.
        ...(c.team !== undefined ? { teamKey: c.team } : {}),
        updatedAt: at,
      })
      .where(eq(communities.id, id));
  },

  /** A community by its code, else by its name (exact, then the first containing it). */
  async find(db: Db, needle: string): Promise<CommunityRow | undefined> {
    const text = needle.trim();
    if (!text) return undefined;
    const exact = await db
      .select()
      .from(communities)
      .where(or(eq(communities.code, text), eq(communities.name, text)))
      .limit(1);
    if (exact[0]) return exact[0];
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return (
      await db.select().from(communities).where(ilike(communities.name, pattern)).orderBy(communities.id).limit(1)
    )[0];
  },

  async all(db: Db): Promise<CommunityRow[]> {
    return db.select().from(communities).orderBy(communities.id);
  },

  /**
   * Holds the communities for the rest of the transaction, in code order — the order a batch of community updates
   * takes them in (upsertCommunities) — so that a writer of their days runs alone from here (the rollup trigger
   * would take the same locks one statement at a time, in whatever sets each statement touches: a deadlock between
   * two batches). FOR NO KEY UPDATE: other rows' foreign-key checks still pass.
   */
  async lockCommunities(tx: SqlExecutor, ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(
      'select id from community_communities where id = any($1::bigint[]) order by code for no key update',
      [[...new Set(ids)]],
    );
  },

  /**
   * The stored days among `keys`, locked for the rest of the transaction (a correction is read and replaced at once).
   */
  async lockDays(tx: SqlExecutor, keys: readonly { communityId: number; day: string }[]): Promise<StoredDay[]> {
    if (keys.length === 0) return [];
    const { rows } = await tx.query<StoredDay>(
      `select m.community_id::float8 as "communityId", to_char(m.day, 'YYYY-MM-DD') as day, m.revision,
  ${FIGURES_SELECT}
         from community_daily_metrics m join unnest($1::bigint[], $2::date[]) as k(c, d) on m.community_id = k.c and
           m.day = k.d
        order by m.community_id, m.day for update of m`,
      [keys.map((k) => k.communityId), keys.map((k) => k.day)],
    );
    return rows.map((r) => ({ ...r, communityId: Number(r.communityId) }));
  },

  async insertDays(tx: SqlExecutor, rows: readonly DayToStore[], source: MetricSource, at: Date): Promise<number> {
    if (rows.length === 0) return 0;
    const { rows: done } = await tx.query(
      `insert into community_daily_metrics (community_id, day, ${FIGURE_COLUMNS}, source, revision, received_at,
  updated_at)
       select k.community_id, k.day, ${FIGURE_COLUMNS.split(', ')
         .map((c) => `k.${c}`)
         .join(', ')}, $11, 1, $12, $12 from ${UNNEST}
       on conflict (community_id, day) do nothing returning community_id`,
      [...arrays(rows), source, at],
    );
    return done.length;
  },

  /**
   * Replaces stored days (a late correction): the figures, the source, revision + 1; and audits each in
   * community_metric_corrections with the figures before (as the caller read and locked them) and after. One
   * statement, the figures as number arrays and the audit's JSON built here: no second lookup of the rows, no JSON
   * text in the parameters.
   */
  async correctDays(
    tx: SqlExecutor,
    rows: ReadonlyArray<{ before: StoredDay; after: DayToStore }>,
    source: MetricSource,
    at: Date,
  ): Promise<void> {
    if (rows.length === 0) return;
    const json = (prefix: string) =>
      `jsonb_build_object(${FIGURE_KEYS.map(([key, column]) => `'${key}', k.${prefix}${column}`).join(', ')})`;
    const before = FIGURE_KEYS.map(([key]) => rows.map((r) => r.before[key]));
    await tx.query(
      `with k as (
         select * from unnest($1::bigint[], $2::date[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[],
                              $8::int[], $9::bigint[], $10::bigint[], $13::int[], $14::int[], $15::int[], $16::int[],
                              $17::int[], $18::int[], $19::int[], $20::bigint[], $21::bigint[])
           as k(community_id, day, ${FIGURE_COLUMNS}, revision, ${FIGURE_COLUMNS.split(', ')
             .map((c) => `was_${c}`)
             .join(', ')})),
       changed as (
         update community_daily_metrics m set ${FIGURE_COLUMNS.split(', ')
           .map((c) => `${c} = k.${c}`)
           .join(', ')},
                source = $11, revision = m.revision + 1, updated_at = $12
           from k where m.community_id = k.community_id and m.day = k.day)
       insert into community_metric_corrections (community_id, day, before, after, source, revision, at)
       select k.community_id, k.day, ${json('was_')}, ${json('')}, $11, k.revision + 1, $12 from k
        order by k.community_id, k.day`,
      [...arrays(rows.map((r) => r.after)), source, at, rows.map((r) => r.before.revision), ...before],
    );
  },

  /** Every community's days in [from, to] (ISO dates), for the alert check. */
  async daysBetween(db: SqlExecutor, from: string, to: string): Promise<StoredDay[]> {
    const { rows } = await db.query<StoredDay>(
      `select community_id::float8 as "communityId", to_char(day, 'YYYY-MM-DD') as day, revision, ${FIGURES_SELECT}
         from community_daily_metrics where day between $1::date and $2::date order by community_id, day`,
      [from, to],
    );
    return rows.map((r) => ({ ...r, communityId: Number(r.communityId) }));
  },
};

export const figures = (f: DailyFigures): DailyFigures => ({
  membersTotal: f.membersTotal,
  membersJoined: f.membersJoined,
  membersLeft: f.membersLeft,
  activeMembers: f.activeMembers,
  messages: f.messages,
  orders: f.orders,
  gmvFen: f.gmvFen,
  refundsFen: f.refundsFen,
});
