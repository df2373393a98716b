import type { SqlExecutor } from '../../db/client.js';
import type { WeightedSums } from './logic/precision.js';
import {
  COUNTED,
  GRAIN,
  ITEM_FROM,
  ITEM_GRAINS,
  ITEM_MEASURES,
  REVIEW_FROM,
  REVIEW_GRAINS,
  MONTH,
  REVIEW_MEASURES,
} from './rollup-store.js';

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

const FILTERS = `($3::text is null or r.agent_open_id = $3)
  and ($4::text is null or r.inspector_open_id = $4)
  and ($5::text is null or c.team_key = $5)
  and ($6::text[] is null or c.team_key = any($6::text[]))
  and ($7::text is null or c.channel = $7)
  and ($8::int is null or r.scorecard_version = $8)`;
const WHERE = `r.scored_at >= $1 and r.scored_at < $2 and r.score is not null and ${COUNTED} and ${FILTERS}`;

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

/**
 * The definition of the figures: every scored review of the period read from qa_reviews (joined to its conversation
 * and appeal) and grouped by `by`. The dashboard reads the stored rollups instead (rollupReviews); this stays as the
 * reference the tests compare them with, and for filters no stored grain covers.
 */
export async function scanReviews(db: SqlExecutor, f: RollupFilter, by: RollupBy): Promise<RollupRow[]> {
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
  return rows.map(reviewRow);
}

const reviewRow = (r: Record<string, unknown>): RollupRow => ({
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
});

/** Per scorecard version and criterion (like compared with like), from the marks themselves: see scanReviews. */
export async function scanItems(db: SqlExecutor, f: RollupFilter): Promise<ItemRow[]> {
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
  return rows.map(itemRow);
}

const itemRow = (r: Record<string, unknown>): ItemRow => ({
  version: Number(r.version),
  code: String(r.code),
  reviews: Number(r.reviews),
  avgDeduction: num(r.avg_deduction),
  deductionRate: num(r.deduction_rate),
});

/**
 * Which part of [from, to) the stored rollups answer: the whole business days [day1, day2) of the zone they are
 * kept in, which start at since1 and end at since2; the reviews before since1 and from since2 on (a period that is
 * not made of whole days: the chat reports' last 30 days up to now) are read from qa_reviews. No rollups kept: none.
 * Of those days, the whole calendar months [month1, month2) are read from the month rows, the days before and after
 * them from the day rows (no whole month: month1 = month2 = day2).
 */
export interface RollupSpan {
  day1: string;
  day2: string;
  since1: Date;
  since2: Date;
  month1: string;
  month2: string;
}

/** The span of a period, computed by the database in the rollups' zone so it cuts days exactly as they were kept. */
export async function rollupSpan(db: SqlExecutor, f: Pick<RollupFilter, 'from' | 'to'>): Promise<RollupSpan> {
  const { rows } = await db.query<{
    day1: string;
    day2: string;
    since1: Date;
    since2: Date;
    month1: string;
    month2: string;
  }>(
    `with s as (select time_zone as tz from qa_rollup_state),
          b as (select tz, ($1::timestamptz at time zone tz)::date
                         + case when (($1::timestamptz at time zone tz)::date)::timestamp at time zone tz
                                     < $1::timestamptz then 1 else 0 end as day1,
                       ($2::timestamptz at time zone tz)::date as day2
                  from s),
          m as (select b.*, (date_trunc('month', (day1 - 1)::timestamp) + interval '1 month')::date as m1,
                       date_trunc('month', day2::timestamp)::date as m2
                  from b)
     select day1::text as day1, day2::text as day2, day1::timestamp at time zone tz as since1,
            day2::timestamp at time zone tz as since2,
            (case when m1 < m2 then m1 else day2 end)::text as month1,
            (case when m1 < m2 then m2 else day2 end)::text as month2
       from m where day2 > day1`,
    [f.from.toISOString(), f.to.toISOString()],
  );
  const r = rows[0];
  if (!r)
    return {
      day1: '1970-01-01',
      day2: '1970-01-01',
      since1: f.to,
      since2: f.to,
      month1: '1970-01-01',
      month2: '1970-01-01',
    };
  return {
    day1: r.day1,
    day2: r.day2,
    since1: new Date(r.since1),
    since2: new Date(r.since2),
    month1: r.month1,
    month2: r.month2,
  };
}

const needs = (f: RollupFilter, by?: RollupBy) =>
  (f.team || f.teams || by === 'team' ? GRAIN.team : 0) |
  (f.channel || by === 'channel' ? GRAIN.channel : 0) |
  (f.agent || by === 'agent' ? GRAIN.agent : 0) |
  (f.inspector || by === 'inspector' ? GRAIN.inspector : 0);
const grainFor = (grains: readonly number[], need: number) => grains.find((g) => (g & need) === need);

/** The filters on a rollup row `u` (parameters as in FILTERS). */
const ROLLUP_FILTERS = `($3::text is null or u.agent = $3)
  and ($4::text is null or u.inspector = $4)
  and ($5::text is null or u.team = $5)
  and ($6::text[] is null or u.team = any($6::text[]))
  and ($7::text is null or u.channel = $7)
  and ($8::int is null or u.version = $8)`;
/** Stored rows of one grain read for a span: day or month rows with `day` in [from, to), added or taken away. */
export interface SpanPiece {
  month: boolean;
  from: string;
  to: string;
  sign: 1 | -1;
}

const DAY_MS = 86_400_000;
const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const monthStart = (iso: string) => `${iso.slice(0, 7)}-01`;
const nextMonth = (iso: string) => {
  const d = new Date(`${monthStart(iso)}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
};

/**
 * The stored rows that sum to a span's whole days: its whole calendar months from the month rows, and each partial
 * month at either end from its day rows — or, when that reads fewer rows, from the month's row less the day rows of
 * that month outside the span (a year from 2 December: December's month row less 1 December, not 30 day rows; the
 * last 30 days from 2 November: November's row less 1 November). Every stored figure is a sum, so a month less
 * some of its days is the sum of the others.
 */
export function spanPieces(s: RollupSpan): SpanPiece[] {
  const pieces: SpanPiece[] = [];
  const partial = (a: string, b: string) => {
    if (a >= b) return;
    const m1 = monthStart(a);
    const m2 = nextMonth(a);
    const before = dayNumber(a) - dayNumber(m1);
    const after = dayNumber(m2) - dayNumber(b);
    if (1 + before + after >= dayNumber(b) - dayNumber(a)) {
      pieces.push({ month: false, from: a, to: b, sign: 1 });
      return;
    }
    pieces.push({ month: true, from: m1, to: m2, sign: 1 });
    if (before > 0) pieces.push({ month: false, from: m1, to: a, sign: -1 });
    if (after > 0) pieces.push({ month: false, from: b, to: m2, sign: -1 });
  };
  if (s.day1 >= s.day2) return pieces;
  if (s.month1 < s.month2) {
    partial(s.day1, s.month1);
    pieces.push({ month: true, from: s.month1, to: s.month2, sign: 1 });
    partial(s.month2, s.day2);
  } else {
    // No whole month: the days lie in one calendar month or in two.
    const split = nextMonth(s.day1);
    partial(s.day1, s.day2 < split ? s.day2 : split);
    partial(split, s.day2);
  }
  return pieces;
}

/**
 * The stored rows of the span's whole days (spanPieces), filtered, as `select <dimensions>, <measures> from <table>
 * u ...` parts of a union; the measures of rows taken away negated. Parameters from $11 on: the pieces' days.
 */
const stored = (
  dimensions: string,
  measures: readonly string[],
  table: 'qa_rollup_reviews' | 'qa_rollup_items',
  g: number,
  pieces: readonly SpanPiece[],
) =>
  pieces.map((p, i) => {
    const grain = p.month ? g + MONTH : g;
    const cols = measures.map((m) => (p.sign < 0 ? `-${m} as ${m}` : m)).join(', ');
    const days = `u.day >= $${11 + 2 * i}::date and u.day < $${12 + 2 * i}::date`;
    return `select ${dimensions}, ${cols} from ${table} u where u.grain = ${grain} and ${days} and ${ROLLUP_FILTERS}`;
  });
/** The reviews of the period outside the rollups' days: [$1, $9) and [$10, $2). */
const EDGES = [`r.scored_at >= $1 and r.scored_at < $9`, `r.scored_at >= $10 and r.scored_at < $2`];
/** The stored parts and the period's partial days read by `edge`, as one union. */
const union = (parts: string[], edge: (range: string) => string) => [...parts, ...EDGES.map(edge)].join(' union all ');
const ROLLUP_KEY: Record<RollupBy, string> = {
  all: `'all'`,
  agent: 'u.agent',
  team: `coalesce(u.team, '')`,
  channel: 'u.channel',
  inspector: `coalesce(u.inspector, '')`,
};
const spanParams = (f: RollupFilter, s: RollupSpan, pieces: readonly SpanPiece[]) => [
  ...params(f),
  s.since1.toISOString(),
  s.since2.toISOString(),
  ...pieces.flatMap((p) => [p.from, p.to]),
];
const REVIEW_COLUMNS = [
  'reviews',
  'score_sum',
  'passes',
  'failed',
  'appealed',
  'overturned',
  'seconds_sum',
  'seconds_n',
  'sw',
  'sw2',
  'sw_pass',
  'sw2_pass',
  'sw_score',
  'sw2_score',
  'sw2_score2',
];
const ITEM_COLUMNS = ['items', 'points_sum', 'points_n', 'deducted'];

/**
 * The figures of scanReviews from the stored rollups: the whole days' rows of the smallest grain that has every
 * dimension the filter and `by` need, plus the reviews of the period's partial days read as scanReviews does. The
 * sums are the same, so the answer is too (up to the order floating-point sums are added in).
 */
export async function rollupReviews(
  db: SqlExecutor,
  f: RollupFilter,
  by: RollupBy,
  span?: RollupSpan,
): Promise<RollupRow[]> {
  const grain = grainFor(REVIEW_GRAINS, needs(f, by));
  if (grain === undefined) return scanReviews(db, f, by);
  const s = span ?? (await rollupSpan(db, f));
  const pieces = spanPieces(s);
  const edge = (range: string) =>
    `select ${KEY[by]} as key, ${REVIEW_MEASURES} from ${REVIEW_FROM}
      where ${range} and r.score is not null and ${COUNTED} and ${FILTERS}`;
  const { rows } = await db.query<Record<string, unknown>>(
    `select key, sum(reviews)::int as reviews,
            (sum(score_sum) / sum(reviews))::float8 as avg_score,
            (sum(sw_score) / sum(sw))::float8 as weighted_score,
            (sum(passes)::numeric / sum(reviews)::numeric)::float8 as pass_rate,
            sum(failed)::int as failed, sum(appealed)::int as appealed, sum(overturned)::int as overturned,
            (sum(seconds_sum)::numeric / nullif(sum(seconds_n), 0)::numeric)::float8 as avg_seconds,
            sum(sw)::float8 as sw, sum(sw2)::float8 as sw2, sum(sw_pass)::float8 as sw_pass,
            sum(sw2_pass)::float8 as sw2_pass, sum(sw_score)::float8 as sw_score,
            sum(sw2_score)::float8 as sw2_score, sum(sw2_score2)::float8 as sw2_score2
       from (${union(stored(`${ROLLUP_KEY[by]} as key`, REVIEW_COLUMNS, 'qa_rollup_reviews', grain, pieces), edge)}) x
      group by 1 having sum(reviews) > 0 order by 1`,
    spanParams(f, s, pieces),
  );
  return rows.map(reviewRow);
}

/** The figures of scanItems from the stored rollups (see rollupReviews). */
export async function rollupItems(db: SqlExecutor, f: RollupFilter, span?: RollupSpan): Promise<ItemRow[]> {
  const grain = grainFor(ITEM_GRAINS, needs(f));
  if (grain === undefined) return scanItems(db, f);
  const s = span ?? (await rollupSpan(db, f));
  const pieces = spanPieces(s);
  const edge = (range: string) =>
    `select r.scorecard_version as version, i.code, ${ITEM_MEASURES} from ${ITEM_FROM}
      where ${range} and r.score is not null and ${COUNTED} and ${FILTERS}`;
  const { rows } = await db.query<Record<string, unknown>>(
    `select version, code, sum(items)::int as reviews,
            (sum(points_sum) / nullif(sum(points_n), 0))::float8 as avg_deduction,
            (sum(deducted)::numeric / sum(items)::numeric)::float8 as deduction_rate
       from (${union(stored('u.version, u.code', ITEM_COLUMNS, 'qa_rollup_items', grain, pieces), edge)}) x
      group by 1, 2 having sum(items) > 0 order by 1, 2`,
    spanParams(f, s, pieces),
  );
  return rows.map(itemRow);
}

/** Marks per agent and criterion (like with like: per scorecard version): how often each was deducted. */
export interface AgentItemRow {
  agent: string;
  version: number;
  code: string;
  reviews: number;
  deducted: number;
}

/**
 * Per agent × criterion, the reviews and how many deducted it: from the stored item rollups with an agent dimension
 * (and the period's partial days), or from the marks themselves when no stored grain covers the filter (an
 * inspector's own view). scanItemsByAgent is the definition the tests compare with.
 */
export async function rollupItemsByAgent(db: SqlExecutor, f: RollupFilter, span?: RollupSpan): Promise<AgentItemRow[]> {
  const grain = grainFor(ITEM_GRAINS, needs(f, 'agent'));
  if (grain === undefined) return scanItemsByAgent(db, f);
  const s = span ?? (await rollupSpan(db, f));
  const pieces = spanPieces(s);
  const edge = (range: string) =>
    `select r.agent_open_id as agent, r.scorecard_version as version, i.code, ${ITEM_MEASURES} from ${ITEM_FROM}
      where ${range} and r.score is not null and ${COUNTED} and ${FILTERS}`;
  const { rows } = await db.query<Record<string, unknown>>(
    `select agent, version, code, sum(items)::int as reviews, sum(deducted)::int as deducted
       from (${union(stored('u.agent, u.version, u.code', ITEM_COLUMNS, 'qa_rollup_items', grain, pieces), edge)}) x
      group by 1, 2, 3 having sum(items) > 0 order by 1, 2, 3`,
    spanParams(f, s, pieces),
  );
  return rows.map(agentItemRow);
}

export async function scanItemsByAgent(db: SqlExecutor, f: RollupFilter): Promise<AgentItemRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select r.agent_open_id as agent, r.scorecard_version as version, i.code, count(*)::int as reviews,
            count(*) filter (where i.points > 0)::int as deducted
       from qa_review_items i
       join qa_reviews r on r.id = i.review_id
       join qa_conversations c on c.id = r.conversation_id
      where ${WHERE}
      group by 1, 2, 3 order by 1, 2, 3`,
    params(f),
  );
  return rows.map(agentItemRow);
}

const agentItemRow = (r: Record<string, unknown>): AgentItemRow => ({
  agent: String(r.agent),
  version: Number(r.version),
  code: String(r.code),
  reviews: Number(r.reviews),
  deducted: Number(r.deducted),
});
