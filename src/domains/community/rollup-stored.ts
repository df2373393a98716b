import type { SqlExecutor } from '../../db/client.js';
import { rollupRowOf, type RollupRow } from './rollup-query.js';
import { teamsTests, type ReachQuery } from './rollup-rows.js';

// The rollup across communities from community_metric_rollups (sums per day × platform × team × operator) and
// community_metric_gaps (rollup-schema.ts), never from the daily rows in bulk. Sums, rows and days with data add
// up from the stored days. Opening and closing members and the number of communities are not sums over days:
// a community opens a period on its first row in it and closes on its last. For almost every community that is
// the period's first and last day (the stored days' figures); a community with no row on the first day opens on
// the day after the gap that holds it — one GiST lookup per period, reading one daily row per such community —
// and likewise closes on the day before the gap that holds the last day.

type Where = { rollup: string[]; community: string[]; params: unknown[] };

/** The query's filters on the stored groups (`r`) and on communities (`c`), both against the same parameters. */
function filtersOf(q: Omit<ReachQuery, 'by' | 'community'>, params: unknown[]): Where {
  const w: Where = { rollup: [], community: [], params };
  const both = (rollupColumn: string, communityColumn: string, test: string) => {
    w.rollup.push(`r.${rollupColumn} ${test}`);
    w.community.push(`c.${communityColumn} ${test}`);
  };
  if (q.platform) both('platform', 'platform', `= $${params.push(q.platform)}`);
  if (q.operator) both('operator_open_id', 'operator_open_id', `= $${params.push(q.operator)}`);
  if (q.teams) {
    const [rollup, community] = teamsTests(q, params, ['r', 'c']);
    w.rollup.push(rollup!);
    w.community.push(community!);
  }
  return w;
}

const ROLLUP_KEY = { all: `'all'`, platform: 'r.platform', operator: 'r.operator_open_id' } as const;
const COMMUNITY_KEY = { all: `'all'`, platform: 'c.platform', operator: `coalesce(c.operator_open_id, '')` } as const;
export type StoredDimension = keyof typeof ROLLUP_KEY;

/**
 * GROUP BY grouping sets, one per dimension asked, and the columns naming which one a result row belongs to
 * (`dim`) and its key: several dimensions read the stored rows once (the dashboard's totals, by platform and
 * by operator in one statement).
 */
function groupsOf(dims: readonly StoredDimension[], keys: Record<StoredDimension, string>) {
  const keyed = dims.filter((d) => d !== 'all');
  const sets = dims.map((d) => (d === 'all' ? '()' : `(${keys[d]})`)).join(', ');
  const when = (pick: (d: StoredDimension) => string) =>
    keyed.length === 0
      ? pick('all')
      : `case ${keyed.map((d) => `when grouping(${keys[d]}) = 0 then ${pick(d)}`).join(' ')} else ${pick('all')} end`;
  return {
    groupBy: `grouping sets (${sets})`,
    dim: `${when((d) => `'${d}'`)} as dim`,
    key: `${when((d) => (d === 'all' ? `'all'` : keys[d]))} as key`,
  };
}

// As float8 from the start: whole numbers add exactly in float8 up to 2^53 (GMV in fen: ¥90 trillion), and float8
// sums are cheaper than numeric ones (sum of bigint): a year's span by three groupings, median of 15 EXPLAIN ANALYZE
// runs at load 7.9, 28 ms this way; summing per day first and then per period (no count(distinct)) took 42 ms.
const SUMS = ['rows', 'joined', '"left"', 'member_days', 'active_days', 'messages', 'orders', 'gmv_fen', 'refunds_fen']
  .map((c) => `sum(r.${c}::float8) as ${c}`)
  .join(', ');

const and = (list: string[]) => list.map((c) => ` and ${c}`).join('');

/** The rollup of `q` across communities (no single community, not by community) from the stored tables. */
export async function rollupFromStore(db: SqlExecutor, q: ReachQuery): Promise<RollupRow[]> {
  if (q.community || q.by === 'community') throw new Error('rollupFromStore: one community reads its daily rows');
  return (await rollupsFromStore(db, q, [q.by]))[q.by];
}

/** `q` by each of `dims` at once (q.by is not read), in one statement. */
export async function rollupsFromStore<D extends StoredDimension>(
  db: SqlExecutor,
  q: Omit<ReachQuery, 'by' | 'community'>,
  dims: readonly D[],
): Promise<Record<D, RollupRow[]>> {
  const { rows } = q.grain === 'day' ? await byDay(db, q, dims) : await byPeriod(db, q, dims);
  const out = Object.fromEntries(dims.map((d) => [d, [] as RollupRow[]])) as Record<D, RollupRow[]>;
  for (const r of rows) out[r.dim as D].push(rollupRowOf(r));
  return out;
}

type Query = Omit<ReachQuery, 'by' | 'community'>;

/** A day is its own period: every community with a row opens and closes on it. */
function byDay(db: SqlExecutor, q: Query, dims: readonly StoredDimension[]) {
  const w = filtersOf(q, [q.from, q.to]);
  const g = groupsOf(dims, ROLLUP_KEY);
  return db.query<Record<string, string | number>>(
    `select to_char(r.day, 'YYYY-MM-DD') as period, ${g.dim}, ${g.key}, sum(r.rows::float8) as communities,
            1 as days, ${SUMS},
            sum((r.member_days - r.joined + r."left")::float8) as opening, sum(r.member_days::float8) as closing
       from community_metric_rollups r
      where r.day between $1::date and $2::date${and(w.rollup)}
      group by r.day, ${g.groupBy} order by r.day, 3`,
    w.params,
  );
}

const COLUMNS = [
  '"rows"',
  'joined',
  '"left"',
  'member_days',
  'active_days',
  'messages',
  'orders',
  'gmv_fen',
  'refunds_fen',
];
const OUTER_SUMS = COLUMNS.map((c) => `sum(s.${c}) as ${c}`).join(', ');

/**
 * Weeks, months or the whole span: each period clipped to [from, to], its ends from the gaps. A period's whole
 * calendar months [m1, m2) are read from the month rows, its other days from the day rows (no whole month: m1 = m2 =
 * the day after pt). Days with data are counted per `unit` (a day of the day rows, a month of the month rows: the
 * bits of the days that have a row, OR-ed over the groups read) and then added up: the months hold disjoint days.
 * The first and last day's figures (opening, closing, communities) always come from their day rows.
 */
function byPeriod(db: SqlExecutor, q: Query, dims: readonly StoredDimension[]) {
  const w = filtersOf(q, [q.from, q.to]);
  const periods =
    q.grain === 'span'
      ? `select $1::date as period, $1::date as pf, $2::date as pt`
      : `select g::date as period, greatest(g::date, $1::date) as pf,
                least((g + interval '1 ${q.grain}' - interval '1 day')::date, $2::date) as pt
           from generate_series(date_trunc('${q.grain}', $1::date::timestamp), $2::date::timestamp,
                                interval '1 ${q.grain}') g`;
  const stored = groupsOf(dims, ROLLUP_KEY);
  const community = groupsOf(dims, COMMUNITY_KEY);
  const ends = (sums: string) => `r.platform, r.team_key, r.operator_open_id, ${sums},
              case when r.day = p.pf then r."rows" else 0 end as first_rows,
              case when r.day = p.pf then r.member_days - r.joined + r."left" else 0 end as opening,
              case when r.day = p.pt then r.member_days else 0 end as closing`;
  return db.query<Record<string, string | number>>(
    `with periods as (${periods}),
     edges as (
       select p.*, (date_trunc('month', (p.pf - 1)::timestamp) + interval '1 month')::date as m1,
              date_trunc('month', (p.pt + 1)::timestamp)::date as m2
         from periods p
     ),
     pm as (
       select period, pf, pt, case when m1 < m2 then m1 else pt + 1 end as m1,
              case when m1 < m2 then m2 else pt + 1 end as m2
         from edges
     ),
     stored as (
       select p.period, r.day as unit, 1 as bits, ${ends(COLUMNS.map((c) => `r.${c}`).join(', '))}
         from pm p join community_metric_rollups r
           on ((r.day >= p.pf and r.day < p.m1) or (r.day >= p.m2 and r.day <= p.pt))${and(w.rollup)}
        where r.day between $1::date and $2::date
       union all
       select p.period, r.month, r.day_bits, r.platform, r.team_key, r.operator_open_id,
              ${COLUMNS.map((c) => `r.${c}`).join(', ')}, 0, 0, 0
         from pm p join community_metric_month_rollups r on r.month >= p.m1 and r.month < p.m2${and(w.rollup)}
       union all
       select p.period, r.day, 0, ${ends(COLUMNS.map(() => '0').join(', '))}
         from pm p join community_metric_rollups r
           on (r.day = p.pf or r.day = p.pt) and r.day >= p.m1 and r.day < p.m2${and(w.rollup)}
     ),
     units as (
       select r.period, r.unit, ${stored.dim}, ${stored.key}, bit_or(r.bits) as bits, ${SUMS},
              sum(r.first_rows::float8) as first_rows, sum(r.opening::float8) as opening,
              sum(r.closing::float8) as closing
         from stored r
        group by r.period, r.unit, ${stored.groupBy}
     ),
     sums as (
       select s.period, s.dim, s.key, sum(bit_count(s.bits::bit(32))) as days, ${OUTER_SUMS},
              sum(s.first_rows) as first_rows, sum(s.opening) as opening, sum(s.closing) as closing
         from units s
        group by s.period, s.dim, s.key
     ),
     opened as (
       select p.period, ${community.dim}, ${community.key}, count(*) as communities,
              sum(m.members_total - m.members_joined + m.members_left) as opening
         from periods p
         join community_metric_gaps g
           on daterange(g.prev_day, g.next_day, '()') @> p.pf and g.next_day <= p.pt
         join community_communities c on c.id = g.community_id${and(w.community)}
         join community_daily_metrics m on m.community_id = g.community_id and m.day = g.next_day
        group by p.period, ${community.groupBy}
     ),
     closed as (
       select p.period, ${community.dim}, ${community.key}, sum(m.members_total) as closing
         from periods p
         join community_metric_gaps g
           on daterange(g.prev_day, g.next_day, '()') @> p.pt and g.prev_day >= p.pf
         join community_communities c on c.id = g.community_id${and(w.community)}
         join community_daily_metrics m on m.community_id = g.community_id and m.day = g.prev_day
        group by p.period, ${community.groupBy}
     )
     select to_char(s.period, 'YYYY-MM-DD') as period, s.dim, s.key,
            (s.first_rows + coalesce(o.communities, 0))::float8 as communities, s.days::float8 as days,
            s.rows, s.joined, s."left", s.member_days, s.active_days, s.messages, s.orders, s.gmv_fen, s.refunds_fen,
            (s.opening + coalesce(o.opening, 0))::float8 as opening,
            (s.closing + coalesce(x.closing, 0))::float8 as closing
       from sums s left join opened o using (period, dim, key) left join closed x using (period, dim, key)
      order by s.period, s.key`,
    w.params,
  );
}

/**
 * Both stored tables again from the daily rows (community_rollups_rebuild(), migration 0026), inside `tx`:
 * for `feishu-ops sync`, and a database whose rows arrived past the triggers (a restore with triggers disabled).
 */
export async function rebuildRollups(tx: SqlExecutor): Promise<{ days: number; groups: number; gaps: number }> {
  // Writers of daily rows wait until this transaction ends (their triggers would change the tables mid-rebuild).
  await tx.query('lock table community_daily_metrics in share mode');
  await tx.query('select community_rollups_rebuild()');
  const { rows } = await tx.query<{ days: number; groups: number; gaps: number }>(
    `select (select coalesce(sum(rows), 0) from community_metric_rollups)::float8 as days,
            (select count(*) from community_metric_rollups)::float8 as groups,
            (select count(*) from community_metric_gaps)::float8 as gaps`,
  );
  return rows[0]!;
}
