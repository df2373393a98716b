import type { SqlExecutor } from '../../db/client.js';
import { CAUSE_DAY, CAUSE_MONTH, DEDUCTION_FROM, DEDUCTION_WHERE } from './rollup-cause-store.js';
import { rollupSpan, type RollupFilter, type RollupSpan } from './rollup-repository.js';

/** The deductions of one team × channel × scorecard version × criterion × cause (null: none given). */
export interface CauseRow {
  team: string | null;
  channel: string;
  version: number;
  code: string;
  cause: string | null;
  n: number;
}

const COLUMNS = 'team, channel, version, code, cause';
/** The filters on a mark's review `r` and conversation `c` ($1, $2: the period). */
const FILTERS = `($3::text is null or c.team_key = $3) and ($4::text[] is null or c.team_key = any($4::text[]))
  and ($5::text is null or c.channel = $5) and ($6::int is null or r.scorecard_version = $6)`;
/** The same on a stored row `u`. */
const STORED_FILTERS = `($3::text is null or u.team = $3) and ($4::text[] is null or u.team = any($4::text[]))
  and ($5::text is null or u.channel = $5) and ($6::int is null or u.version = $6)`;
const AGENT_FILTERS = `($7::text is null or r.agent_open_id = $7) and ($8::text is null or r.inspector_open_id = $8)`;
const MARK = `c.team_key as team, c.channel, r.scorecard_version as version, i.code, i.root_cause as cause`;

const params = (f: RollupFilter) => [
  f.from.toISOString(),
  f.to.toISOString(),
  f.team ?? null,
  f.teams ? [...f.teams] : null,
  f.channel ?? null,
  f.version ?? null,
];
const causeRow = (r: Record<string, unknown>): CauseRow => ({
  team: r.team === null ? null : String(r.team),
  channel: String(r.channel),
  version: Number(r.version),
  code: String(r.code),
  cause: r.cause === null ? null : String(r.cause),
  n: Number(r.n),
});

/**
 * The definition: the period's deductions counted from the marks themselves. rollupCauses reads the stored rows
 * instead; this stays as the reference the tests compare it with, and for an agent's or an inspector's own view
 * (no stored grain has them).
 */
export async function scanCauses(db: SqlExecutor, f: RollupFilter): Promise<CauseRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select ${MARK}, count(*)::int as n
       from ${DEDUCTION_FROM}
      where ${DEDUCTION_WHERE} and r.scored_at >= $1 and r.scored_at < $2 and ${FILTERS} and ${AGENT_FILTERS}
      group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5`,
    [...params(f), f.agent ?? null, f.inspector ?? null],
  );
  return rows.map(causeRow);
}

/**
 * scanCauses from qa_rollup_causes: the period's whole calendar months from the month rows, its other whole days
 * from the day rows, and the deductions of its partial days (before since1, from since2 on) from the marks, as the
 * other QA rollups are read (rollup-repository.ts rollupReviews). The counts are the same, so the answer is too.
 */
export async function rollupCauses(db: SqlExecutor, f: RollupFilter, span?: RollupSpan): Promise<CauseRow[]> {
  if (f.agent || f.inspector) return scanCauses(db, f);
  const s = span ?? (await rollupSpan(db, f));
  // $7 day1, $8 day2, $9 since1, $10 since2, $11 month1, $12 month2.
  const stored = [
    `u.grain = ${CAUSE_DAY} and u.day >= $7::date and u.day < $11::date`,
    `u.grain = ${CAUSE_MONTH} and u.day >= $11::date and u.day < $12::date`,
    `u.grain = ${CAUSE_DAY} and u.day >= $12::date and u.day < $8::date`,
  ].map((w) => `select ${COLUMNS}, deductions as n from qa_rollup_causes u where ${w} and ${STORED_FILTERS}`);
  const edges = [`r.scored_at >= $1 and r.scored_at < $9`, `r.scored_at >= $10 and r.scored_at < $2`].map(
    (w) => `select ${MARK}, 1 as n from ${DEDUCTION_FROM} where ${DEDUCTION_WHERE} and ${w} and ${FILTERS}`,
  );
  const { rows } = await db.query<Record<string, unknown>>(
    `select ${COLUMNS}, sum(n)::int as n from (${[...stored, ...edges].join(' union all ')}) x
      group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5`,
    [...params(f), s.day1, s.day2, s.since1.toISOString(), s.since2.toISOString(), s.month1, s.month2],
  );
  return rows.map(causeRow);
}
