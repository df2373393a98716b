import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RollupQuery } from '../../../src/domains/community/rollup-repository.js';
import { rollupFromRows } from '../../../src/domains/community/rollup-rows.js';
import { rollupFromStore, rollupsFromStore } from '../../../src/domains/community/rollup-stored.js';
import { createDirectory } from '../../../src/domains/directory/service.js';
import type { ChatFact } from '../../../src/domains/community/logic/chat-events.js';
import { addCommunities, apiPost, communityApp, serviceOf, sh, type CommunityTestApp } from './helpers.js';

// The stored rollups (kept by triggers on every write) must answer exactly what the from-scratch query over the
// daily rows answers, for every grain, dimension and filter, after any sequence of writes: new days, late
// corrections, re-sent days, Feishu group events, communities moving to another operator, platform or team, and
// rows changed or removed by hand. A seeded random walk, checked after every step.

const CODES = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'];
const PLATFORMS = ['wecom', 'douyin', 'feishu'];
const OPERATORS = ['ou_a', 'ou_b', 'ou_c'];
const TEAMS = ['t_north', 't_south', null];
const FIRST = Date.parse('2026-10-01T00:00:00Z');
const DAYS = 45;
const iso = (n: number) => new Date(FIRST + n * 86_400_000).toISOString().slice(0, 10);

/** mulberry32: the same walk on every run and on both databases. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(1130);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;

let t: CommunityTestApp;
beforeAll(async () => {
  t = await communityApp({ workers: false });
  // A community's team must be one of the directory's.
  await createDirectory({ db: t.deps.database.db }).upsertTeams(
    ['t_north', 't_south'].map((key) => ({ key, name: key, chatId: `oc_${key}` })),
  );
  await addCommunities(
    t,
    CODES.map((code, i) => ({ code, platform: PLATFORMS[i % 3], operator: OPERATORS[i % 3], team: TEAMS[i % 3] })),
  );
  // C6 is a Feishu group: its days come from member and message events.
  await t.database.query(`update community_communities set feishu_chat_id = 'oc_c6' where code = 'C6'`);
});
afterAll(async () => t?.close());

const metricRow = (code: string, day: number) => {
  const total = 50 + int(400);
  return {
    community: code,
    date: iso(day),
    membersTotal: total,
    membersJoined: int(20),
    membersLeft: int(15),
    activeMembers: int(total),
    messages: int(300),
    orders: int(12),
    gmvFen: int(90_000),
    refundsFen: int(3_000),
  };
};

/** One random write through one of the app's paths (or by hand in SQL); returns what it did, for a failure. */
async function randomWrite(step: number): Promise<string> {
  const kind = int(10);
  const now = sh('2026-11-30T10:00');
  if (kind <= 3) {
    // A batch by the API: new days, corrections of stored ones, or the same figures again.
    const rows = new Map<string, ReturnType<typeof metricRow>>();
    for (let i = 0, n = 1 + int(25); i < n; i++) {
      const r = metricRow(pick(CODES.slice(0, 5)), int(DAYS));
      rows.set(`${r.community} ${r.date}`, r);
    }
    const res = await apiPost(t, '/api/community/metrics', { rows: [...rows.values()] });
    expect(res.statusCode).toBe(200);
    if (kind === 3) await apiPost(t, '/api/community/metrics', { rows: [...rows.values()] });
    return `api ${rows.size} rows`;
  }
  if (kind === 4) {
    const code = pick(CODES.slice(0, 5));
    const to = { platform: pick(PLATFORMS), operator: pick(OPERATORS), team: pick(TEAMS) };
    await addCommunities(t, [{ code, ...to }]);
    return `move ${code} to ${JSON.stringify(to)}`;
  }
  if (kind === 5 || kind === 6) {
    const day = int(DAYS);
    const at = Date.parse(`${iso(day)}T04:00:00Z`);
    const facts: ChatFact[] = Array.from({ length: 1 + int(6) }, (_, i) => {
      const k = pick(['joined', 'left', 'message'] as const);
      return {
        key: `s${step}-${i}`,
        chatId: 'oc_c6',
        kind: k,
        openId: pick(['ou_x', 'ou_y', 'ou_z']),
        members: k === 'joined' ? 1 : k === 'left' ? -1 : 0,
        eventId: `ev-${step}-${i}`,
        at: at + i * 60_000,
      };
    });
    await serviceOf(t).recordChatFacts(facts, now);
    if (kind === 6) await serviceOf(t).closeChatDay(iso(int(DAYS)), now);
    return `chat ${facts.length} facts on ${iso(day)}`;
  }
  if (kind === 7) {
    const { rows } = await t.database.query(
      `delete from community_daily_metrics where (community_id, day) in (
         select community_id, day from community_daily_metrics order by community_id, day offset $1 limit $2)
       returning day`,
      [int(30), 1 + int(4)],
    );
    return `delete ${rows.length} rows by hand`;
  }
  if (kind === 8) {
    await t.database.query(
      `update community_daily_metrics set members_total = members_total + 7, orders = orders + 1 where day = $1`,
      [iso(int(DAYS))],
    );
    return 'update a day by hand';
  }
  const code = pick(CODES.slice(0, 5));
  await t.database.query(
    `update community_communities set platform = $2, operator_open_id = $3, team_key = $4 where code = $1`,
    [code, pick(PLATFORMS), pick([...OPERATORS, null]), pick(TEAMS)],
  );
  return `move ${code} by hand`;
}

/** Random questions: every grain and stored dimension, with and without each filter, over random ranges. */
function randomQueries(n: number): RollupQuery[] {
  return Array.from({ length: n }, () => {
    const a = int(DAYS + 4) - 2;
    const b = Math.min(DAYS + 2, a + int(DAYS));
    const q: RollupQuery = {
      grain: pick(['day', 'week', 'month', 'span'] as const),
      by: pick(['all', 'platform', 'operator'] as const),
      from: iso(a),
      to: iso(b),
    };
    const filter = int(5);
    if (filter === 1) q.platform = pick(PLATFORMS);
    if (filter === 2) q.operator = pick(OPERATORS);
    if (filter === 3) q.teams = random() < 0.2 ? [] : [pick(['t_north', 't_south'])];
    return q;
  });
}

/** Periods that hold whole calendar months (read from the month rows) and partial ones at their edges. */
function monthQueries(): RollupQuery[] {
  const spans: Array<Pick<RollupQuery, 'grain' | 'from' | 'to'>> = [
    { grain: 'span', from: '2026-10-01', to: '2026-10-31' },
    { grain: 'span', from: '2026-09-28', to: '2026-11-20' },
    { grain: 'span', from: '2026-10-01', to: '2026-11-14' },
    { grain: 'span', from: '2026-10-02', to: '2026-11-30' },
    { grain: 'month', from: '2026-09-28', to: '2026-11-20' },
    { grain: 'week', from: '2026-09-28', to: '2026-11-20' },
  ];
  return spans.map((q) => {
    const r: RollupQuery = { ...q, by: pick(['all', 'platform', 'operator'] as const) };
    const filter = int(5);
    if (filter === 1) r.platform = pick(PLATFORMS);
    if (filter === 2) r.operator = pick(OPERATORS);
    if (filter === 3) r.teams = [pick(['t_north', 't_south'])];
    return r;
  });
}

const stored = async () => ({
  rollups: (
    await t.database.query(
      `select to_char(day, 'YYYY-MM-DD') as day, platform, team_key, operator_open_id, rows, joined::text,
              "left"::text, member_days::text, active_days::text, messages::text, orders::text, gmv_fen::text,
              refunds_fen::text
         from community_metric_rollups order by 1, 2, 3, 4`,
    )
  ).rows,
  months: (
    await t.database.query(
      `select to_char(month, 'YYYY-MM-DD') as month, platform, team_key, operator_open_id, rows, joined::text,
              "left"::text, member_days::text, active_days::text, messages::text, orders::text, gmv_fen::text,
              refunds_fen::text, day_bits
         from community_metric_month_rollups order by 1, 2, 3, 4`,
    )
  ).rows,
  gaps: (
    await t.database.query(
      `select community_id::text, to_char(prev_day, 'YYYY-MM-DD') as prev, to_char(next_day, 'YYYY-MM-DD') as next
         from community_metric_gaps order by 1, 2 nulls first, 3`,
    )
  ).rows,
});

describe('stored community rollups', () => {
  it('answer what the daily rows answer after every step of a random sequence of writes', async () => {
    const done: string[] = [];
    for (let step = 0; step < 40; step++) {
      done.push(await randomWrite(step));
      for (const q of [...randomQueries(step % 5 === 0 ? 30 : 8), ...monthQueries()]) {
        const expected = await rollupFromRows(t.database, q);
        const actual = await rollupFromStore(t.database, q);
        expect(actual, `after ${done.join('; ')}\nquery ${JSON.stringify(q)}`).toEqual(expected);
      }
      // Several dimensions in one statement (the dashboard's totals, by platform and by operator).
      const [q] = randomQueries(1);
      const together = await rollupsFromStore(t.database, q!, ['all', 'platform', 'operator']);
      for (const by of ['all', 'platform', 'operator'] as const)
        expect(together[by], `${by} of ${JSON.stringify(q)}`).toEqual(await rollupFromRows(t.database, { ...q!, by }));
    }
    const { rows } = await t.database.query<{ n: number }>('select count(*)::int as n from community_daily_metrics');
    expect(rows[0]!.n).toBeGreaterThan(60);
    expect(done.filter((d) => d.startsWith('chat')).length).toBeGreaterThan(3);
    expect(done.filter((d) => d.startsWith('move')).length).toBeGreaterThan(3);
  });

  it('are what community_rollups_rebuild() makes from the daily rows', async () => {
    const kept = await stored();
    expect(kept.rollups.length).toBeGreaterThan(20);
    expect(new Set(kept.months.map((m) => m.month))).toEqual(new Set(['2026-10-01', '2026-11-01']));
    expect(kept.gaps.length).toBeGreaterThan(5);
    await t.database.query('select community_rollups_rebuild()');
    expect(await stored()).toEqual(kept);
  });

  it('stay right when writers of the same communities run at once (one writer per community at a time)', async () => {
    // Eight batches in parallel, each a scatter of days over the same communities: on PostgreSQL they overlap in
    // time (separate connections); the gaps each one leaves must still be what the rows say.
    const batches = Array.from({ length: 8 }, () =>
      Array.from({ length: 12 }, () => metricRow(pick(CODES.slice(0, 5)), DAYS + int(15))).filter(
        (r, i, all) => all.findIndex((x) => x.community === r.community && x.date === r.date) === i,
      ),
    );
    const answers = await Promise.all(batches.map((rows) => apiPost(t, '/api/community/metrics', { rows })));
    expect(
      answers.map((a) => a.statusCode),
      answers.map((a) => a.body).join('\n'),
    ).toEqual(batches.map(() => 200));
    const kept = await stored();
    await t.database.query('select community_rollups_rebuild()');
    expect(await stored()).toEqual(kept);
    for (const q of [...randomQueries(10).map((q) => ({ ...q, to: iso(DAYS + 15) })), ...monthQueries()])
      expect(await rollupFromStore(t.database, q)).toEqual(await rollupFromRows(t.database, q));
  });

  it('follow a truncate of the daily rows', async () => {
    await t.database.query('truncate community_daily_metrics');
    expect(await stored()).toEqual({ rollups: [], months: [], gaps: [] });
  });
});
