import type { SqlExecutor } from '../../db/client.js';
import type { WeightedSums } from './logic/precision.js';

/** Which scored reviews a rollup reads: scored in [from, to), narrowed by any of the rest. */
export interface RollupFilter {
  from: Date;
  to: Date;
  agent?: string;
  inspector?: string;
  team?: string;
  /** At level `team`: only these teams (the conversation's team). */
  teams?: readonly string[];
  channel?: string;
  /** Only reviews scored with this scorecard version (trends compare like with like). */
  version?: number;
}

export interface RollupRow {
  key: string;
  reviews: number;
  /** Plain average of the scores. */
  avgScore: number | null;
  /**
   * Weighted by 1/inclusion probability (Hájek): what the average would be over every conversation,
   * undoing the sampling plan's tilt towards risky ones. Hand-picked reviews weigh 1.
   */
  weightedScore: number | null;
  passRate: number | null;
  failed: number;
  appealed: number;
  overturned: number;
  /** Seconds an inspector spent per review, on average. */
  avgSeconds: number | null;
  /** Sampling-weighted sums (w = 1/inclusion probability) for the intervals of the pass rate and the score. */
  passSums: WeightedSums;
  scoreSums: WeightedSums;
}

export interface ItemRow {
  version: number;
  code: string;
  reviews: number;
  /** Average points deducted (N/A left out). */
  avgDeduction: number | null;
  /** Share of the reviews that deducted anything for it. */
  deductionRate: number | null;
}

export type RollupBy = 'all' | 'agent' | 'team' | 'channel' | 'inspector';
const KEY: Record<RollupBy, string> = {
  all: `'all'`,
  agent: 'r.agent_open_id',
  team: `coalesce(c.team_key, '')`,
  channel: 'c.channel',
  inspector: `coalesce(r.inspector_open_id, '')`,
};

const WHERE = `r.scored_at >= $1 and r.scored_at < $2 and r.score is not null
  and ($3::text is null or r.agent_open_id = $3)
  and ($4::text is null or r.inspector_open_id = $4)
  and ($5::text is null or c.team_key = $5)
  and ($6::text[] is null or c.team_key = any($6::text[]))
  and ($7::text is null or c.channel = $7)
  and ($8::int is null or r.scorecard_version = $8)`;

const params = (f: RollupFilter) => [
  f.from.toISOString(),
  f.to.toISOString(),
  f.agent ?? null,
  f.inspector ?? null,
  f.team ?? null,
  f.teams ? [...f.teams] : null,
  f.channel ?? null,
  f.version ?? null,
];
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const sumsOf = (r: Record<string, unknown>, wy: string, w2y: string): WeightedSums => ({
  n: Number(r.reviews),
  w: Number(r.sw),
  w2: Number(r.sw2),
  wy: Number(r[`sw_${wy}`]),
  w2y: Number(r[`sw2_${w2y}`]),
  // A 0/1 value is its own square.
  w2y2: Number(r[`sw2_${w2y}`]),
});

/** Averages, pass rate, appeals and overturns of scored reviews, per `by`; in SQL, never after loading rows. */
export async function rollupReviews(db: SqlExecutor, f: RollupFilter, by: RollupBy): Promise<RollupRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select ${KEY[by]} as key, count(*)::int as reviews,
            avg(r.score)::float8 as avg_score,
            (sum(w * r.score) / sum(w))::float8 as weighted_score,
            avg(case when r.result = 'pass' then 1.0 else 0.0 end)::float8 as pass_rate,
            count(*) filter (where r.result <> 'pass')::int as failed,
            count(a.id)::int as appealed,
            count(a.id) filter (where a.state in ('overturned', 'adjusted'))::int as overturned,
            avg(r.seconds_spent)::float8 as avg_seconds,
            sum(w)::float8 as sw, sum(w * w)::float8 as sw2,
            sum(w * pass)::float8 as sw_pass, sum(w * w * pass)::float8 as sw2_pass,
            sum(w * r.score)::float8 as sw_score, sum(w * w * r.score)::float8 as sw2_score,
            sum(w * w * r.score * r.score)::float8 as sw2_score2
       from qa_reviews r
       cross join lateral (select 1.0 / coalesce(r.inclusion_probability, 1) as w,
                                  case when r.result = 'pass' then 1.0 else 0.0 end as pass) v
       join qa_conversations c on c.id = r.conversation_id
       left join qa_appeals a on a.review_id = r.id
      where ${WHERE}
      group by 1 order by 1`,
    params(f),
  );
  return rows.map((r) => ({
    key: String(r.key),
    reviews: Number(r.reviews),
    avgScore: num(r.avg_score),
    weightedScore: num(r.weighted_score),
    passRate: num(r.pass_rate),
    failed: Number(r.failed),
    appealed: Number(r.appealed),
    overturned: Number(r.overturned),
    avgSeconds: num(r.avg_seconds),
    passSums: sumsOf(r, 'pass', 'pass'),
    scoreSums: { ...sumsOf(r, 'score', 'score'), w2y2: Number(r.sw2_score2) },
  }));
}

/** Per scorecard version and criterion (like compared with like): how often and how much it was deducted. */
export async function rollupItems(db: SqlExecutor, f: RollupFilter): Promise<ItemRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select r.scorecard_version as version, i.code, count(*)::int as reviews,
            (avg(i.points) filter (where not i.na))::float8 as avg_deduction,
            avg(case when i.points > 0 then 1.0 else 0.0 end)::float8 as deduction_rate
       from qa_review_items i
       join qa_reviews r on r.id = i.review_id
       join qa_conversations c on c.id = r.conversation_id
      where ${WHERE}
      group by 1, 2 order by 1, 2`,
    params(f),
  );
  return rows.map((r) => ({
    version: Number(r.version),
    code: String(r.code),
    reviews: Number(r.reviews),
    avgDeduction: num(r.avg_deduction),
    deductionRate: num(r.deduction_rate),
  }));
}
