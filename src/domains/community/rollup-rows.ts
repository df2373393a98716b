import type { SqlExecutor } from '../../db/client.js';
import { rollupRowOf, type Dimension, type RollupQuery, type RollupRow } from './rollup-query.js';

/** A rollup within a reach: with `teams`, also the communities `alsoOperator` runs outside them (a lead's own). */
export type ReachQuery = RollupQuery & { alsoOperator?: string | undefined };

/**
 * The SQL test of a reach's teams, for each of `aliases` (stored rollups: r, communities: c), on the same
 * parameters (pushed once: a statement must use every parameter it is given).
 */
export function teamsTests(q: Pick<ReachQuery, 'teams' | 'alsoOperator'>, params: unknown[], aliases: string[]) {
  const teams = `$${params.push([...(q.teams ?? [])])}::text[]`;
  const me = q.alsoOperator ? `$${params.push(q.alsoOperator)}` : undefined;
  return aliases.map((a) =>
    me ? `(${a}.team_key = any(${teams}) or ${a}.operator_open_id = ${me})` : `${a}.team_key = any(${teams})`,
  );
}

const KEY: Record<Dimension, string> = {
  all: `'all'`,
  platform: 'c.platform',
  operator: `coalesce(c.operator_open_id, '')`,
  community: 'c.code',
};

/**
 * The rollup from the daily rows themselves, in one query, as logic/definitions.ts defines the
 * figures: sums over the rows in the period, opening members from each community's first row in it,
 * closing from its last, days = distinct days with a row. The reference the stored rollups are tested
 * against, and the read for one community (its rows by the primary key) or a row per community.
 */
export async function rollupFromRows(db: SqlExecutor, q: ReachQuery): Promise<RollupRow[]> {
  const params: unknown[] = [q.grain === 'span' ? 'day' : q.grain, q.from, q.to];
  const period =
    q.grain === 'span' ? 'date_trunc($1, $2::date::timestamp)::date' : 'date_trunc($1, m.day::timestamp)::date';
  const where: string[] = ['m.day between $2::date and $3::date'];
  if (q.platform) where.push(`c.platform = $${params.push(q.platform)}`);
  if (q.operator) where.push(`c.operator_open_id = $${params.push(q.operator)}`);
  if (q.community) where.push(`c.code = $${params.push(q.community)}`);
  if (q.teams) where.push(...teamsTests(q, params, ['c']));
  const { rows } = await db.query<Record<string, string | number>>(
    `with m as (
       select m.*, ${KEY[q.by]} as key, ${period} as period
         from community_daily_metrics m join community_communities c on c.id = m.community_id
        where ${where.join(' and ')}
     ),
     per_community as (
       select period, key, community_id,
              (array_agg(members_total - members_joined + members_left order by day))[1] as opening,
              (array_agg(members_total order by day desc))[1] as closing
         from m group by period, key, community_id
     ),
     ends as (
       select period, key, count(*) as communities, sum(opening) as opening, sum(closing) as closing from
         per_community group by period, key
     ),
     sums as (
       select period, key, count(*) as rows, count(distinct day) as days,
              sum(members_joined) as joined, sum(members_left) as "left", sum(members_total) as member_days,
              sum(active_members) as active_days, sum(messages) as messages, sum(orders) as orders,
              sum(gmv_fen) as gmv_fen, sum(refunds_fen) as refunds_fen
         from m group by period, key
     )
     select to_char(s.period, 'YYYY-MM-DD') as period, s.key, e.communities::float8 as communities, s.rows::float8 as
       rows, s.days::float8 as days,
            s.joined::float8 as joined, s."left"::float8 as "left", s.member_days::float8 as member_days,
              s.active_days::float8 as active_days,
            s.messages::float8 as messages, s.orders::float8 as orders, s.gmv_fen::float8 as gmv_fen,
              s.refunds_fen::float8 as refunds_fen,
            e.opening::float8 as opening, e.closing::float8 as closing
       from sums s join ends e using (period, key)
      order by s.period, s.key`,
    params,
  );
  return rows.map(rollupRowOf);
}
