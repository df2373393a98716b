import { COUNTED, MONTH } from './rollup-schema.js';

/**
 * The statements that keep qa_rollup_causes (rollup-schema.ts), run by rollup-store.ts beside the other rollups' own:
 * in the rebuild, and in touchRollup for the cells of the reviews marked stale. One grain: team × channel, per
 * scorecard version, criterion and cause (CAUSE_DAY), and its month rows (CAUSE_MONTH).
 */
export const CAUSE_DAY = 3;
export const CAUSE_MONTH = CAUSE_DAY | MONTH;

/** A deduction: a mark `i` of a scored review `r` (conversation `c`) that took points (rootCauseReport's count). */
export const DEDUCTION_FROM = `qa_review_items i
  join qa_reviews r on r.id = i.review_id
  join qa_conversations c on c.id = r.conversation_id`;
export const DEDUCTION_WHERE = `r.score is not null and i.points > 0 and ${COUNTED}`;

/** The day rows of the deductions of reviews scored in [$1, $2), days in zone $3 (and, if given, `and` more). */
const insertDays = (more = '', withCells = '') => `${withCells}insert into qa_rollup_causes
    (grain, day, version, team, channel, code, cause, deductions)
  select ${CAUSE_DAY}, (r.scored_at at time zone $3)::date, r.scorecard_version, c.team_key, c.channel, i.code,
         i.root_cause, count(*)::int
    from ${DEDUCTION_FROM}
   where ${DEDUCTION_WHERE} and r.scored_at >= $1 and r.scored_at < $2${more}
   group by 2, 3, 4, 5, 6, 7
   order by 2`;

/** Every day from scratch: [$1, $2) the whole time line, $3 the zone (the rebuild; the migration's backfill). */
export const CAUSE_REBUILD_SQL = insertDays();

/**
 * The cells (version, team, channel) of the stale reviews $ids; `scored` narrows them to those scored in [$1, $2).
 * Another review of the same cell counts in the same row, so the whole cell is summed again.
 */
const cells = (ids: string, scored: boolean) => `with k as (
  select distinct r.scorecard_version as version, c.team_key as team, c.channel
    from qa_reviews r join qa_conversations c on c.id = r.conversation_id
   where r.id = any(${ids}::bigint[])${scored ? ' and r.scored_at >= $1 and r.scored_at < $2' : ''}) `;
const IN_CELL = (v: string, team: string, channel: string) =>
  `exists (select 1 from k where k.version = ${v} and k.team is not distinct from ${team}
    and k.channel is not distinct from ${channel})`;

/** The day of [$1, $2) in zone $3: the rows of the stale reviews' ($4) cells, deleted and summed again. */
export const CAUSE_TOUCH_SQL = [
  `${cells('$4', true)}delete from qa_rollup_causes u
    where u.grain = ${CAUSE_DAY} and u.day = ($1::timestamptz at time zone $3)::date
      and ${IN_CELL('u.version', 'u.team', 'u.channel')}`,
  insertDays(` and ${IN_CELL('r.scorecard_version', 'c.team_key', 'c.channel')}`, cells('$4', true)),
];

/** Month rows from the day rows: every month (`u` all of them), or the month $1's rows of the cells in `k`. */
const insertMonths = (month: string, where: string, withCells = '') => `${withCells}insert into qa_rollup_causes
    (grain, day, version, team, channel, code, cause, deductions)
  select ${CAUSE_MONTH}, ${month}, u.version, u.team, u.channel, u.code, u.cause, sum(u.deductions)::int
    from qa_rollup_causes u
   where u.grain = ${CAUSE_DAY}${where}
   group by 2, 3, 4, 5, 6, 7
   order by 2`;

/** Sums every month's rows from the day rows (after the day rows are built). */
export const CAUSE_MONTH_SQL = insertMonths(`date_trunc('month', u.day::timestamp)::date`, '');

/** The month starting $1: its rows of the stale reviews' ($2) cells, summed again from their day rows. */
export const CAUSE_TOUCH_MONTH_SQL = [
  `${cells('$2', false)}delete from qa_rollup_causes u
    where u.grain = ${CAUSE_MONTH} and u.day = $1::date and ${IN_CELL('u.version', 'u.team', 'u.channel')}`,
  insertMonths(
    '$1::date',
    ` and u.day >= $1::date and u.day < ($1::date + interval '1 month')::date
      and ${IN_CELL('u.version', 'u.team', 'u.channel')}`,
    cells('$2', false),
  ),
];
