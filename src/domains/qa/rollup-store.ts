import { CAUSE_MONTH_SQL, CAUSE_REBUILD_SQL, CAUSE_TOUCH_MONTH_SQL, CAUSE_TOUCH_SQL } from './rollup-cause-store.js';
import { COUNTED, MONTH } from './rollup-schema.js';

/** The app's Database or transaction, or a pg Client (the bench's generator). */
type Query = { query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }> };

/**
 * The stored QA rollups (rollup-schema.ts): how a scored review counts, how a day's rows are recomputed in the
 * transaction that changed a review, and the rebuild. The dimensions of a grain are bits: 1 team, 2 channel,
 * 4 agent, 8 inspector (day and scorecard version are always there).
 */
export const GRAIN = { team: 1, channel: 2, agent: 4, inspector: 8 } as const;
/** Bit 16 of a grain: a month row (rollup-schema.ts). */
export { MONTH };
/** The grains kept, smallest first (reads take the first that has every dimension they filter or group by). */
export const REVIEW_GRAINS = [3, 8, 9, 5, 11, 7, 15] as const;
/** Marks with both an agent and an inspector dimension are never asked for by the tab: no full grain for them. */
export const ITEM_GRAINS = [3, 8, 5, 11, 7] as const;

const SETS: Record<number, string> = {
  3: 'team, channel',
  5: 'team, agent',
  7: 'team, channel, agent',
  8: 'inspector',
  9: 'team, inspector',
  11: 'team, channel, inspector',
  15: 'team, channel, agent, inspector',
};

/** Which reviews count in the rollups (rollup-schema.ts COUNTED: no calibration round's scores). */
export { COUNTED };

/** One scored review `r` (conversation `c`, appeal `a` or none) as the rollups' measures. */
export const REVIEW_MEASURES = `1 as reviews, r.score::float8 as score_sum,
  case when r.result = 'pass' then 1 else 0 end as passes,
  case when r.result <> 'pass' then 1 else 0 end as failed,
  case when a.id is not null then 1 else 0 end as appealed,
  case when a.state in ('overturned', 'adjusted') then 1 else 0 end as overturned,
  r.seconds_spent::bigint as seconds_sum, case when r.seconds_spent is not null then 1 else 0 end as seconds_n,
  v.w as sw, v.w * v.w as sw2, v.w * v.pass as sw_pass, v.w * v.w * v.pass as sw2_pass,
  v.w * r.score as sw_score, v.w * v.w * r.score as sw2_score, v.w * v.w * r.score * r.score as sw2_score2`;
export const REVIEW_FROM = `qa_reviews r
  cross join lateral (select 1.0 / coalesce(r.inclusion_probability, 1) as w,
                             case when r.result = 'pass' then 1.0 else 0.0 end as pass) v
  join qa_conversations c on c.id = r.conversation_id
  left join qa_appeals a on a.review_id = r.id`;
export const REVIEW_SUMS = `sum(reviews)::int as reviews, sum(score_sum)::float8 as score_sum,
  sum(passes)::int as passes, sum(failed)::int as failed, sum(appealed)::int as appealed,
  sum(overturned)::int as overturned, coalesce(sum(seconds_sum), 0)::bigint as seconds_sum,
  sum(seconds_n)::int as seconds_n, sum(sw)::float8 as sw, sum(sw2)::float8 as sw2, sum(sw_pass)::float8 as sw_pass,
  sum(sw2_pass)::float8 as sw2_pass, sum(sw_score)::float8 as sw_score, sum(sw2_score)::float8 as sw2_score,
  sum(sw2_score2)::float8 as sw2_score2`;
const REVIEW_COLUMNS = `reviews, score_sum, passes, failed, appealed, overturned, seconds_sum, seconds_n, sw, sw2,
  sw_pass, sw2_pass, sw_score, sw2_score, sw2_score2`;

/** One mark `i` of a scored review. */
export const ITEM_MEASURES = `1 as items, case when not i.na then i.points::float8 else 0 end as points_sum,
  case when not i.na then 1 else 0 end as points_n, case when i.points > 0 then 1 else 0 end as deducted`;
export const ITEM_FROM = `qa_review_items i
  join qa_reviews r on r.id = i.review_id
  join qa_conversations c on c.id = r.conversation_id`;
export const ITEM_SUMS = `sum(items)::int as items, sum(points_sum)::float8 as points_sum,
  sum(points_n)::int as points_n, sum(deducted)::int as deducted`;

const DIMS = `(r.scored_at at time zone $3)::date as day, r.scorecard_version as version, c.team_key as team,
  c.channel as channel, r.agent_open_id as agent, r.inspector_open_id as inspector`;
const GRAIN_OF = `15 - grouping(inspector, agent, channel, team)`;
const sets = (grains: readonly number[], extra = '') =>
  grains.map((g) => `(day, version, ${SETS[g]}${extra})`).join(', ');

/**
 * The touched reviews' own dimensions ($4: their ids, scored in [$1, $2)): the cells a change to them alters are the
 * rows of every grain that match them, and only reviews sharing a team and channel, an agent or an inspector with
 * one of them count in those cells.
 */
const TOUCHED = `k as (select distinct r.scorecard_version as version, c.team_key as team, c.channel as channel,
                              r.agent_open_id as agent, r.inspector_open_id as inspector
                         from qa_reviews r join qa_conversations c on c.id = r.conversation_id
                        where r.id = any($4::bigint[]) and r.scored_at >= $1 and r.scored_at < $2)`;
const NEAR = `exists (select 1 from k where k.version = r.scorecard_version
  and ((k.team is not distinct from c.team_key and k.channel = c.channel) or k.agent = r.agent_open_id
       or k.inspector is not distinct from r.inspector_open_id))`;
/** Row `g` (with its grain) is one of the touched cells. */
const CELL = (g: string) => `exists (select 1 from k where k.version = ${g}.version
  and (${g}.grain & 1 = 0 or k.team is not distinct from ${g}.team) and (${g}.grain & 2 = 0 or k.channel = ${g}.channel)
  and (${g}.grain & 4 = 0 or k.agent = ${g}.agent)
  and (${g}.grain & 8 = 0 or k.inspector is not distinct from ${g}.inspector))`;

/** With `touched`: only reviews near the touched ones (NEAR). */
const near = (touched: boolean) => (touched ? ` and ${NEAR}` : '');
/**
 * Inserts the rollup rows of the reviews scored in [$1, $2), days in zone $3; with `touched`, only the cells of the
 * reviews $4.
 */
const insertReviews = (touched: boolean) => `${touched ? `with ${TOUCHED} ` : ''}insert into qa_rollup_reviews
    (grain, day, version, team, channel, agent, inspector, ${REVIEW_COLUMNS})
  select * from (
    select ${GRAIN_OF} as grain, day, version, team, channel, agent, inspector, ${REVIEW_SUMS}
      from (select ${DIMS}, ${REVIEW_MEASURES} from ${REVIEW_FROM}
             where r.score is not null and ${COUNTED} and r.scored_at >= $1 and r.scored_at < $2${near(touched)}) x
     group by grouping sets (${sets(REVIEW_GRAINS)})) g
  ${touched ? `where ${CELL('g')}` : ''}
  order by 1, 2`;
const insertItems = (touched: boolean) => `${touched ? `with ${TOUCHED} ` : ''}insert into qa_rollup_items
    (grain, day, version, team, channel, agent, inspector, code, items, points_sum, points_n, deducted)
  select * from (
    select ${GRAIN_OF} as grain, day, version, team, channel, agent, inspector, code, ${ITEM_SUMS}
      from (select ${DIMS}, i.code, ${ITEM_MEASURES} from ${ITEM_FROM}
             where r.score is not null and ${COUNTED} and r.scored_at >= $1 and r.scored_at < $2${near(touched)}) x
     group by grouping sets (${sets(ITEM_GRAINS, ', code')})) g
  ${touched ? `where ${CELL('g')}` : ''}
  order by 1, 2`;
const INSERT_REVIEWS = insertReviews(false);
const INSERT_ITEMS = insertItems(false);
/** The day of [$1, $2) in zone $3: its rows that are cells of the touched reviews, recomputed. */
const TOUCH_SQL = [
  `with ${TOUCHED} delete from qa_rollup_reviews u
    where u.day = ($1::timestamptz at time zone $3)::date and ${CELL('u')}`,
  `with ${TOUCHED} delete from qa_rollup_items u
    where u.day = ($1::timestamptz at time zone $3)::date and ${CELL('u')}`,
  insertReviews(true),
  insertItems(true),
  ...CAUSE_TOUCH_SQL,
];

/**
 * The touched reviews' cells in every grain ($2: their ids), as hashable keys: a dimension outside the grain is '',
 * one inside it the review's value or '' for none. A row `u` is one of them when its grain's bits and version match
 * and KEY_OF(u) equals the cell's key ('' for a null team and a team '' alike: both cells are summed again, which
 * only widens the recompute).
 */
const CELLS = `k as (select distinct r.scorecard_version as version, c.team_key as team, c.channel as channel,
                            r.agent_open_id as agent, r.inspector_open_id as inspector
                       from qa_reviews r join qa_conversations c on c.id = r.conversation_id
                      where r.id = any($2::bigint[])),
  cells as (select distinct g.grain, k.version,
                   case when g.grain & 1 <> 0 then coalesce(k.team, '') else '' end as team,
                   case when g.grain & 2 <> 0 then coalesce(k.channel, '') else '' end as channel,
                   case when g.grain & 4 <> 0 then coalesce(k.agent, '') else '' end as agent,
                   case when g.grain & 8 <> 0 then coalesce(k.inspector, '') else '' end as inspector
              from k cross join unnest(array[${REVIEW_GRAINS.join(', ')}]) g(grain))`;
const IS_CELL = (grain: string) => `x.grain = ${grain} and x.version = u.version and x.team = coalesce(u.team, '')
  and x.channel = coalesce(u.channel, '') and x.agent = coalesce(u.agent, '')
  and x.inspector = coalesce(u.inspector, '')`;
/**
 * The day rows of month $1 that belong to a cell (IS_CELL), found through the index each grain has: by agent for the
 * grains with one, by inspector for those with one and no agent, else by (grain, day). The three parts take disjoint
 * cells, so a row is read once; together they are exactly IS_CELL.
 */
const cellDays = (table: string) => {
  const month = `u.day >= $1::date and u.day < ($1::date + interval '1 month')::date`;
  const part = (on: string, cells: string) =>
    `select u.* from cells x join ${table} u on u.grain = x.grain and ${on} and ${month} and ${IS_CELL('u.grain')}
      where ${cells}`;
  return [
    part(`u.agent = x.agent`, `x.grain & 4 <> 0 and x.agent <> ''`),
    part(`u.inspector = x.inspector`, `x.grain & 12 = 8 and x.inspector <> ''`),
    part('true', `not ((x.grain & 4 <> 0 and x.agent <> '') or (x.grain & 12 = 8 and x.inspector <> ''))`),
  ].join(' union all ');
};

/**
 * The month rows (grain | MONTH) summed from the day rows: every month, or (`touched`) the month starting $1 and only
 * the cells of the reviews $2 (CELLS), their day rows found through the indexes (cellDays).
 */
const monthSql = (table: 'qa_rollup_reviews' | 'qa_rollup_items', touched: boolean) => {
  const code = table === 'qa_rollup_items' ? ', code' : '';
  const columns = table === 'qa_rollup_items' ? 'code, items, points_sum, points_n, deducted' : REVIEW_COLUMNS;
  const sums = table === 'qa_rollup_items' ? ITEM_SUMS : REVIEW_SUMS;
  return [
    ...(touched
      ? [
          `with ${CELLS} delete from ${table} u using cells x
            where u.grain >= ${MONTH} and u.day = $1::date and ${IS_CELL(`u.grain - ${MONTH}`)}`,
        ]
      : []),
    `${touched ? `with ${CELLS} ` : ''}insert into ${table}
       (grain, day, version, team, channel, agent, inspector, ${columns})
     select u.grain | ${MONTH}, date_trunc('month', u.day::timestamp)::date, u.version, u.team, u.channel, u.agent,
            u.inspector${code}, ${sums}
       from ${touched ? `(${cellDays(table)})` : table} u
      where u.grain < ${MONTH}
      group by u.grain, date_trunc('month', u.day::timestamp), u.version, u.team, u.channel, u.agent, u.inspector${code}
      order by 1, 2`,
  ];
};
/** Sums every month's rows from the day rows (after the day rows are built: the rebuild, migration 0031). */
export const MONTH_SQL = [...monthSql('qa_rollup_reviews', false), ...monthSql('qa_rollup_items', false)];
/** The month starting $1: its rows that are cells of the reviews $2, summed again from the day rows. */
const TOUCH_MONTH_SQL = [
  ...monthSql('qa_rollup_reviews', true),
  ...monthSql('qa_rollup_items', true),
  ...CAUSE_TOUCH_MONTH_SQL,
];

/** The statements that rebuild every day from scratch in zone $3 (also migration 0028's backfill). */
export const REBUILD_SQL = [INSERT_REVIEWS, INSERT_ITEMS];

/** The zone of the rollups' days, locked against a rebuild until the transaction ends; null: none kept. */
async function zoneOf(tx: Query, lock: 'share' | 'update'): Promise<string | null> {
  const { rows } = await tx.query(`select time_zone from qa_rollup_state for ${lock}`);
  return (rows[0] as { time_zone: string } | undefined)?.time_zone ?? null;
}

/**
 * Recomputes the rollup rows these reviews count in (every grain's cell of their day, scorecard version, team,
 * channel, agent, inspector; the root causes' cell of their day, version, team and channel), from the reviews: call
 * it in the transaction that scored, re-scored, appealed or decided them or changed a mark's root cause, after the
 * change. Each day is locked (transaction advisory lock) first, so two transactions changing reviews of one day
 * recompute one after the other and the second sees the first's commit (READ COMMITTED): the rows never drift from
 * the reviews. A review's dimensions never change once it is scored, so its cells stay the same.
 */
export async function touchRollup(tx: Query, reviewIds: readonly number[]): Promise<void> {
  if (reviewIds.length === 0) return;
  const zone = await zoneOf(tx, 'share');
  if (!zone) return;
  const { rows } = (await tx.query(
    `select d::text as day, d::timestamp at time zone $2 as since, (d + 1)::timestamp at time zone $2 as until,
            date_trunc('month', d::timestamp)::date::text as month
       from (select distinct (scored_at at time zone $2)::date as d
               from qa_reviews where id = any($1::bigint[]) and scored_at is not null) x
      order by d`,
    [reviewIds.map(Number), zone],
  )) as { rows: Array<{ day: string; since: Date; until: Date; month: string }> };
  const ids = reviewIds.map(Number);
  // Locks in one order for every transaction (a month's days, then the month, then the next month's days): no
  // deadlock. The month's lock makes a second transaction sum the month's day rows after the first one's commit.
  const month = async (m: string) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext('qa_rollup_month'), $1::date - date '2000-01-01')`, [m]);
    for (const s of TOUCH_MONTH_SQL) await tx.query(s, [m, ids]);
  };
  for (const [i, d] of rows.entries()) {
    await tx.query(`select pg_advisory_xact_lock(hashtext('qa_rollup'), $1::date - date '2000-01-01')`, [d.day]);
    for (const s of TOUCH_SQL) await tx.query(s, [d.since, d.until, zone, ids]);
    if (rows[i + 1]?.month !== d.month) await month(d.month);
  }
}

/** Marks reviews' rollup cells stale, in the transaction that changed them; refreshDirtyRollup folds them in. */
export async function markRollupDirty(tx: Query, reviewIds: readonly number[]): Promise<void> {
  if (reviewIds.length === 0) return;
  await tx.query('insert into qa_rollup_dirty (review_id) select unnest($1::bigint[]) on conflict do nothing', [
    reviewIds.map(Number),
  ]);
}

/**
 * Recomputes the cells of every review marked stale, `batch` at a time, each batch in its own transaction (taken
 * with SKIP LOCKED: two workers never take the same review; a failed batch leaves its reviews marked). Run by the
 * QA follow-up job after each change, so a burst of clicks costs one recompute per day and batch, not one per click.
 * Answers how many reviews were folded in.
 */
export async function refreshDirtyRollup(
  db: Query & { transaction<T>(fn: (tx: Query) => Promise<T>): Promise<T> },
  batch = 500,
): Promise<number> {
  let done = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const { rows } = (await tx.query(
        `delete from qa_rollup_dirty where review_id in
           (select review_id from qa_rollup_dirty order by review_id limit $1 for update skip locked)
         returning review_id`,
        [batch],
      )) as { rows: Array<{ review_id: string | number }> };
      await touchRollup(
        tx,
        rows.map((r) => Number(r.review_id)),
      );
      return rows.length;
    });
    done += n;
    if (n < batch) return done;
  }
}

/**
 * Rebuilds every rollup row from the reviews, with days in `timeZone` (default: the zone they are kept in, else
 * Asia/Shanghai); run it after changing TZ_BUSINESS (`feishu-ops qa-rollup rebuild`) or after writing reviews
 * straight into the tables (the bench). Answers the rows written: day rows of each table, and month rows of all three.
 */
export async function rebuildRollup(
  db: Query & { transaction?: <T>(fn: (tx: Query) => Promise<T>) => Promise<T> },
  timeZone?: string,
): Promise<{ timeZone: string; reviewRows: number; itemRows: number; causeRows: number; monthRows: number }> {
  const run = async (tx: Query) => {
    await tx.query(
      `insert into qa_rollup_state (id, time_zone, built_at) values (1, $1, now())
       on conflict (id) do update set time_zone = coalesce($2, qa_rollup_state.time_zone), built_at = now()`,
      [timeZone ?? 'Asia/Shanghai', timeZone ?? null],
    );
    const zone = (await zoneOf(tx, 'update'))!;
    await tx.query('delete from qa_rollup_reviews');
    await tx.query('delete from qa_rollup_items');
    await tx.query('delete from qa_rollup_causes');
    await tx.query('delete from qa_rollup_dirty');
    const all = [new Date('1970-01-01T00:00:00Z'), new Date('9999-01-01T00:00:00Z'), zone];
    const count = async (insert: string) =>
      (
        (await tx.query(`with x as (${insert} returning 1) select count(*)::int as n from x`, all)).rows[0] as {
          n: number;
        }
      ).n;
    const reviewRows = await count(INSERT_REVIEWS);
    const itemRows = await count(INSERT_ITEMS);
    const causeRows = await count(CAUSE_REBUILD_SQL);
    let monthRows = 0;
    for (const s of [...MONTH_SQL, CAUSE_MONTH_SQL])
      monthRows += (
        (await tx.query(`with x as (${s} returning 1) select count(*)::int as n from x`)).rows[0] as { n: number }
      ).n;
    return { timeZone: zone, reviewRows, itemRows, causeRows, monthRows };
  };
  return db.transaction ? db.transaction(run) : run(db);
}
