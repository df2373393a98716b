// Synthetic year of a large retailer for the dashboard bench (issue 13 "Numbers"): QA reviews (one conversation
// each, with their criterion marks and a few appeals), contracts with their counterparties, and community-day rows
// (communities × 365 days), written straight into the domains' tables with unnest inserts, like
// bench/exceptions/generate.ts. The QA tab's stored rollups are rebuilt from the reviews afterwards (rebuildRollup);
// the community ones are kept by the daily rows' triggers as the rows go in.
//
// Run on its own: `npx tsx bench/dashboard/generate.ts --reviews 10000 --contracts 1000 --community-days 7300`
// (DATABASE_URL, already migrated by the app).
import { Columns, inTransaction, prng, type Executor } from '../exceptions/generate.js';
import { rebuildRollup } from '../../src/domains/qa/rollup-store.js';
import { addCalibrationRounds } from './calibration.js';

export interface DashboardDataOptions {
  /** QA reviews to add (each with its own conversation). */
  reviews: number;
  contracts: number;
  /** Community-day rows: communities of a year each, about one day in a hundred missing (see addCommunity). */
  communityDays: number;
  now: Date;
  /** Criterion marks per scored review (default 3). */
  itemsPerReview?: number;
  seed?: number;
  /** Rows per statement group / transaction (default 20,000). */
  batch?: number;
  onProgress?: (what: string, done: number, total: number) => void;
}

export interface DashboardData {
  conversations: number;
  reviews: number;
  /** Blind calibration reviews besides `reviews`: 52 weekly rounds (bench/dashboard/calibration.ts). */
  calibrationReviews: number;
  reviewItems: number;
  appeals: number;
  counterparties: number;
  contracts: number;
  communities: number;
  communityDays: number;
  ms: number;
}

/** The bench's people: agents in four teams, inspectors, operators; the manager signs in to the dashboard. */
export const BENCH_MANAGER = 'ou_bench_dash_manager';
const TEAMS = ['cs_north', 'cs_south', 'cs_east', 'cs_west'] as const;
const AGENTS = Array.from({ length: 200 }, (_, i) => `ou_bench_agent_${i}`);
const INSPECTORS = Array.from({ length: 12 }, (_, i) => `ou_bench_inspector_${i}`);
/** The inspector the bench signs in as for the QA tab's queue and calibration calls. */
export const BENCH_INSPECTOR = INSPECTORS[0]!;
const OPERATORS = Array.from({ length: 40 }, (_, i) => `ou_bench_operator_${i}`);
const QA_CHANNELS = ['tmall', 'jd', 'douyin', 'store', 'helpdesk'] as const;
const PLATFORMS = ['wecom', 'feishu', 'douyin', 'xiaohongshu', 'wechat'] as const;
const CONTRACT_TYPES = ['purchase', 'sales', 'service', 'lease', 'other'] as const;
const CONTRACT_STATES = ['draft', 'in_approval', 'active', 'expiring', 'expired', 'terminated', 'renewed'] as const;
const CRITERIA = ['greeting', 'accuracy', 'empathy', 'resolution', 'closing'] as const;
/** Root causes of deductions (qa.root_causes' default keys); the last slot: none given. */
const ROOT_CAUSES = ['script', 'process', 'knowledge', 'attitude', 'system', null] as const;
const DAY = 86_400_000;
const teamOf = (agent: number) => TEAMS[agent % TEAMS.length]!;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Adds the people, teams and one scorecard version the rows refer to (idempotent). */
async function seedPeople(db: Executor): Promise<void> {
  const people = [
    ...AGENTS.map((id, i) => [id, `客服 Agent ${i}`, [teamOf(i)], ['agent']] as const),
    ...INSPECTORS.map((id, i) => [id, `质检 Inspector ${i}`, [], ['qa_inspector']] as const),
    ...OPERATORS.map((id, i) => [id, `运营 Operator ${i}`, [], ['community_operator']] as const),
    [BENCH_MANAGER, '经理 Bench Manager', [], ['manager']] as const,
  ];
  await db.query(
    `insert into directory_people (open_id, name, teams, roles)
     select o, n, string_to_array(t, ','), string_to_array(r, ',') from unnest($1::text[], $2::text[], $3::text[],
       $4::text[]) as x(o, n, t, r)
     on conflict (open_id) do nothing`,
    [
      people.map((p) => p[0]),
      people.map((p) => p[1]),
      people.map((p) => p[2].join(',')),
      people.map((p) => p[3].join(',')),
    ],
  );
  await db.query(
    `insert into directory_teams (key, name) select k, k from unnest($1::text[]) k on conflict (key) do nothing`,
    [[...TEAMS]],
  );
  const criteria = CRITERIA.map((code) => ({ code, name: code, points: 20, redLine: false }));
  await db.query(
    `insert into qa_scorecard_versions (version, criteria, published_at) values (1, $1::jsonb, now())
     on conflict (version) do nothing`,
    [JSON.stringify(criteria)],
  );
}

/** Adds the reviews and their conversations; answers the conversations' id base (ids base + 1 … base + reviews). */
async function addQa(db: Executor, o: DashboardDataOptions, out: DashboardData, random: () => number) {
  const batch = o.batch ?? 20_000;
  const now = o.now.getTime();
  const items = o.itemsPerReview ?? 3;
  const { rows } = await db.query(
    `select coalesce((select max(id) from qa_conversations), 0)::bigint as c,
            coalesce((select max(id) from qa_reviews), 0)::bigint as r`,
  );
  const first = rows[0] as { c: string; r: string };
  const conversationBase = Number(first.c);
  const reviewBase = Number(first.r);
  for (let from = 0; from < o.reviews; from += batch) {
    const conversations = new Columns('qa_conversations', {
      id: 'bigint',
      channel: 'text',
      external_id: 'text',
      agent_open_id: 'text',
      team_key: 'text',
      started_at: 'timestamptz',
      ended_at: 'timestamptz',
      csat: 'int',
      message_count: 'int',
      source: 'text',
    });
    const reviews = new Columns('qa_reviews', {
      id: 'bigint',
      conversation_id: 'bigint',
      scorecard_version: 'int',
      agent_open_id: 'text',
      inspector_open_id: 'text',
      state: 'text',
      sample_reason: 'text',
      inclusion_probability: 'real',
      score: 'real',
      result: 'text',
      red_line_hit: 'bool',
      opened_at: 'timestamptz',
      scored_at: 'timestamptz',
      seconds_spent: 'int',
      version: 'int',
      created_at: 'timestamptz',
    });
    const marks = new Columns('qa_review_items', {
      review_id: 'bigint',
      code: 'text',
      points: 'real',
      na: 'bool',
      root_cause: 'text',
    });
    const appeals: Array<{ review: number; state: string; at: Date }> = [];
    const end = Math.min(o.reviews, from + batch);
    for (let i = from; i < end; i++) {
      const conversation = conversationBase + i + 1;
      const review = reviewBase + i + 1;
      const agent = Math.floor(random() * AGENTS.length);
      // In time order, as conversations arrive: the table's physical order follows the dates, as in production
      // (a random order would make every date-range read touch the whole table).
      const started = now - 365 * DAY + ((i + random()) / o.reviews) * 364 * DAY;
      // One in fifty is still waiting for its inspector (no score).
      const scored = random() >= 0.02;
      const score = scored ? Math.round(55 + random() * 45) : null;
      const result = score === null ? null : score >= 80 ? 'pass' : random() < 0.05 ? 'red_line' : 'fail';
      conversations.push({
        id: conversation,
        channel: QA_CHANNELS[Math.floor(random() * QA_CHANNELS.length)],
        external_id: `bench-dash-${conversation}`,
        agent_open_id: AGENTS[agent],
        team_key: teamOf(agent),
        started_at: new Date(started),
        ended_at: new Date(started + 20 * 60_000),
        csat: 1 + Math.floor(random() * 5),
        message_count: 6 + Math.floor(random() * 30),
        source: 'bench',
      });
      const scoredAt = new Date(Math.min(now - 60_000, started + random() * 2 * DAY));
      reviews.push({
        id: review,
        conversation_id: conversation,
        scorecard_version: 1,
        agent_open_id: AGENTS[agent],
        inspector_open_id: INSPECTORS[Math.floor(random() * INSPECTORS.length)],
        state: scored ? 'acknowledged' : 'to_score',
        sample_reason: random() < 0.8 ? 'random' : 'bad_rating',
        inclusion_probability: random() < 0.8 ? 0.05 : 0.5,
        score,
        result,
        red_line_hit: result === 'red_line',
        opened_at: new Date(started + DAY / 24),
        scored_at: scored ? scoredAt : null,
        seconds_spent: scored ? 60 + Math.floor(random() * 600) : null,
        version: scored ? 4 : 1,
        // Sampled the morning after the conversation (the queue's age reads it).
        created_at: new Date(Math.min(now - 60_000, started + DAY / 2)),
      });
      if (scored) {
        for (let k = 0; k < items; k++) {
          const points = random() < 0.7 ? 0 : Math.round(random() * 10);
          marks.push({
            review_id: review,
            code: CRITERIA[k % CRITERIA.length],
            points,
            na: random() < 0.05,
            // Not drawn from `random`, so the rest of the data is what it was before causes were added.
            root_cause: points > 0 ? ROOT_CAUSES[(review * 7 + k) % ROOT_CAUSES.length] : null,
          });
        }
        if (result !== 'pass' && random() < 0.1)
          appeals.push({ review, state: random() < 0.3 ? 'overturned' : 'upheld', at: scoredAt });
      }
    }
    await inTransaction(db, async (tx) => {
      out.conversations += await conversations.flush(tx);
      out.reviews += await reviews.flush(tx);
      out.reviewItems += await marks.flush(tx);
      if (appeals.length > 0) {
        await tx.query(
          `insert into qa_appeals (review_id, agent_open_id, reason, state, step_due_at, original_score,
                                   submitted_at, decided_at)
           select r.id, r.agent_open_id, '压测申诉 bench appeal', x.state, x.at, r.score, x.at, x.at
             from unnest($1::bigint[], $2::text[], $3::timestamptz[]) as x(id, state, at)
             join qa_reviews r on r.id = x.id`,
          [appeals.map((a) => a.review), appeals.map((a) => a.state), appeals.map((a) => a.at)],
        );
        out.appeals += appeals.length;
      }
    });
    o.onProgress?.('qa reviews', end, o.reviews);
  }
  for (const t of ['qa_conversations', 'qa_reviews'])
    await db.query(`select setval(pg_get_serial_sequence('${t}', 'id'), greatest(1, (select max(id) from ${t})))`);
  return conversationBase;
}

async function addContracts(db: Executor, o: DashboardDataOptions, out: DashboardData, random: () => number) {
  const now = o.now.getTime();
  const { rows } = await db.query(`select coalesce(max(id), 0)::bigint as max from contracts_contracts`);
  const base = Number((rows[0] as { max: string }).max);
  const parties = Math.max(1, Math.ceil(o.contracts / 40));
  const inserted = await db.query(
    `insert into contracts_counterparties (name, risk_level)
     select '压测对手方 Bench party ' || ($1::bigint + g), (array['low','medium','high'])[1 + g % 3]
       from generate_series(1, $2::int) g
     on conflict (name) do nothing returning id`,
    [base, parties],
  );
  const partyIds = (inserted.rows as Array<{ id: string }>).map((r) => Number(r.id));
  out.counterparties += partyIds.length;
  const c = new Columns('contracts_contracts', {
    contract_no: 'text',
    title: 'text',
    counterparty_id: 'bigint',
    type: 'text',
    amount_fen: 'bigint',
    amount_cny_fen: 'bigint',
    sign_date: 'date',
    start_date: 'date',
    end_date: 'date',
    owner_open_id: 'text',
    department: 'text',
    state: 'text',
    risk_level: 'text',
    source: 'text',
    external_id: 'text',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  });
  for (let i = 0; i < o.contracts; i++) {
    const n = base + i + 1;
    const start = now - random() * 730 * DAY;
    const amount = Math.round((1_000 + random() * 500_000) * 100);
    c.push({
      contract_no: `BENCH-${n}`,
      title: `压测合同 Bench contract ${n}`,
      counterparty_id: partyIds.length > 0 ? partyIds[n % partyIds.length] : null,
      type: CONTRACT_TYPES[n % CONTRACT_TYPES.length],
      amount_fen: amount,
      amount_cny_fen: amount,
      sign_date: isoDay(start - 3 * DAY),
      start_date: isoDay(start),
      end_date: isoDay(start + (180 + random() * 720) * DAY),
      owner_open_id: AGENTS[n % AGENTS.length],
      department: TEAMS[n % TEAMS.length],
      state: CONTRACT_STATES[Math.floor(random() * CONTRACT_STATES.length)],
      risk_level: random() < 0.1 ? 'high' : 'low',
      source: 'bench',
      external_id: `bench-dash-${n}`,
      created_at: new Date(start - 5 * DAY),
      updated_at: new Date(start),
    });
  }
  await inTransaction(db, async (tx) => {
    out.contracts += await c.flush(tx);
  });
  o.onProgress?.('contracts', o.contracts, o.contracts);
}

/**
 * Community-day rows: communities of a year each, run by the bench's operators (each in one of the four teams), with
 * about one day in a hundred missing (a feed that was late and never re-sent) so the stored rollups' gaps are
 * exercised at full size. The rows go straight into community_daily_metrics; its statement triggers (migration
 * 0026) keep community_metric_rollups and community_metric_gaps as they would for the API.
 */
async function addCommunity(db: Executor, o: DashboardDataOptions, out: DashboardData, random: () => number) {
  const batch = o.batch ?? 20_000;
  const today = Math.floor(o.now.getTime() / DAY) * DAY;
  const { rows } = await db.query(`select coalesce(max(id), 0)::bigint as max from community_communities`);
  const base = Number((rows[0] as { max: string }).max);
  // Enough communities for the rows with one day in a hundred missing (about 361 rows each).
  const count = Math.ceil(o.communityDays / 360);
  const made = await db.query(
    `insert into community_communities (code, name, platform, operator_open_id, team_key)
     select 'bench-' || ($1::bigint + g), '压测社群 Bench community ' || ($1::bigint + g), ($3::text[])[1 + g % 5],
            ($4::text[])[1 + g % $5::int], ($6::text[])[1 + g % 4]
       from generate_series(1, $2::int) g
     returning id`,
    [base, count, [...PLATFORMS], OPERATORS, OPERATORS.length, [...TEAMS]],
  );
  const ids = (made.rows as Array<{ id: string }>).map((r) => Number(r.id)).sort((a, b) => a - b);
  out.communities += ids.length;
  let left = o.communityDays;
  let m = newMetrics();
  for (const id of ids) {
    let members = 200 + Math.floor(random() * 2_000);
    for (let d = 364; d >= 0 && left > 0; d--) {
      const joined = Math.floor(random() * 20);
      const leftToday = Math.floor(random() * 15);
      members = Math.max(0, members + joined - leftToday);
      if (random() < 0.01) continue;
      left--;
      const orders = Math.floor(random() * 30);
      const at = new Date(today - d * DAY + 3_600_000);
      m.push({
        community_id: id,
        day: isoDay(today - d * DAY),
        members_total: members,
        members_joined: joined,
        members_left: leftToday,
        active_members: Math.floor(members * random() * 0.3),
        messages: Math.floor(random() * 500),
        orders,
        gmv_fen: orders * Math.round(5_000 + random() * 20_000),
        refunds_fen: Math.round(random() * 5_000),
        source: 'api',
        received_at: at,
        updated_at: at,
      });
      if (m.length >= batch) {
        const chunk = m;
        m = newMetrics();
        await inTransaction(db, async (tx) => {
          out.communityDays += await chunk.flush(tx);
        });
        o.onProgress?.('community days', out.communityDays, o.communityDays);
      }
    }
  }
  await inTransaction(db, async (tx) => {
    out.communityDays += await m.flush(tx);
  });
  // Each batch of 20,000 rows updated every group's row of its days once: a year of dead versions that a year of daily
  // writes would have spread out and autovacuum reclaimed. Laid out as the migration's backfill lays them out.
  await db.query('vacuum full analyze community_metric_rollups, community_metric_month_rollups, community_metric_gaps');
}

const newMetrics = () =>
  new Columns('community_daily_metrics', {
    community_id: 'bigint',
    day: 'date',
    members_total: 'int',
    members_joined: 'int',
    members_left: 'int',
    active_members: 'int',
    messages: 'int',
    orders: 'int',
    gmv_fen: 'bigint',
    refunds_fen: 'bigint',
    source: 'text',
    received_at: 'timestamptz',
    updated_at: 'timestamptz',
  });

/** Appends the rows; the counts it answers are the rows it inserted. */
export async function generateDashboardData(db: Executor, o: DashboardDataOptions): Promise<DashboardData> {
  const started = Date.now();
  const random = prng(o.seed ?? 20261130);
  const out: DashboardData = {
    conversations: 0,
    reviews: 0,
    calibrationReviews: 0,
    reviewItems: 0,
    appeals: 0,
    counterparties: 0,
    contracts: 0,
    communities: 0,
    communityDays: 0,
    ms: 0,
  };
  await seedPeople(db);
  if (o.reviews > 0) {
    const first = await addQa(db, o, out, random);
    // Its own sequence of draws: the reviews above are what they were before rounds were added.
    const rounds = await addCalibrationRounds(
      db,
      { now: o.now, inspectors: INSPECTORS, conversationIds: { first, count: o.reviews } },
      prng((o.seed ?? 20261130) + 1),
    );
    out.calibrationReviews += rounds.reviews;
    // The rows went straight into the tables, past the service that keeps the QA tab's stored rollups.
    await rebuildRollup(db);
    o.onProgress?.('qa rollups rebuilt', o.reviews, o.reviews);
  }
  if (o.contracts > 0) await addContracts(db, o, out, random);
  if (o.communityDays > 0) await addCommunity(db, o, out, random);
  await db.query(
    'analyze qa_conversations, qa_calibration_rounds, qa_reviews, qa_review_items, qa_appeals, qa_rollup_reviews, ' +
      'qa_rollup_items, qa_rollup_causes, ' +
      'contracts_contracts, ' +
      'contracts_counterparties, community_communities, community_daily_metrics',
  );
  out.ms = Date.now() - started;
  return out;
}

// As a script: fill DATABASE_URL's (migrated) database.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const { parseArgs } = await import('node:util');
  const pg = (await import('pg')).default;
  const { values } = parseArgs({
    options: {
      reviews: { type: 'string', default: '10000' },
      contracts: { type: 'string', default: '1000' },
      'community-days': { type: 'string', default: '7300' },
    },
  });
  const client = new pg.Client({
    connectionString: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  await client.connect();
  try {
    const r = await generateDashboardData(client, {
      reviews: Number(values.reviews),
      contracts: Number(values.contracts),
      communityDays: Number(values['community-days']),
      now: new Date(),
    });
    console.log(JSON.stringify(r));
  } finally {
    await client.end();
  }
}
