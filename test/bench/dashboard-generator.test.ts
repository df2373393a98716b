import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BENCH_INSPECTOR,
  BENCH_MANAGER,
  generateDashboardData,
  type DashboardData,
} from '../../bench/dashboard/generate.js';
import { communityModule } from '../../src/domains/community/index.js';
import { contractsModule } from '../../src/domains/contracts/index.js';
import { qaModule } from '../../src/domains/qa/index.js';
import { blockNetwork, buildTestApp, type TestApp } from '../helpers/app.js';
import { dashboardGet, signInAs } from '../helpers/dashboard.js';
import { feishuRecorder, sh, TestClock } from '../domains/exceptions/helpers.js';

// The dashboard bench's generator (bench/dashboard/generate.ts) at a tiny size: the rows it says it made are in the
// tables, and the dashboard reads them. No timing here: `npm run bench -- --scenario dashboard` measures.
describe('the dashboard bench generator', () => {
  let t: TestApp;
  let g: DashboardData;
  const clock = new TestClock(sh('2026-11-30T10:00'));
  beforeAll(async () => {
    blockNetwork();
    feishuRecorder();
    t = await buildTestApp({
      modules: [qaModule(), contractsModule(), communityModule()],
      workers: false,
      clock,
      env: { LOG_LEVEL: 'warn' },
    });
    g = await generateDashboardData(t.database, {
      reviews: 500,
      contracts: 90,
      communityDays: 800,
      now: clock.now(),
      batch: 200,
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const count = async (sql: string) => (await t.database.query<{ n: number }>(sql)).rows[0]!.n;

  it('makes the rows it counts', async () => {
    expect(g).toMatchObject({ conversations: 500, reviews: 500, contracts: 90, communities: 3, communityDays: 800 });
    expect(await count('select count(*)::int as n from qa_conversations')).toBe(500);
    expect(await count(`select count(*)::int as n from qa_reviews where sample_reason <> 'calibration'`)).toBe(500);
    // A year of weekly calibration rounds: 5 conversations × the 12 bench inspectors each.
    expect(g.calibrationReviews).toBe(52 * 5 * 12);
    expect(await count('select count(*)::int as n from qa_calibration_rounds')).toBe(52);
    expect(await count(`select count(*)::int as n from qa_reviews where sample_reason = 'calibration'`)).toBe(
      g.calibrationReviews,
    );
    expect(await count('select count(*)::int as n from qa_review_items')).toBe(g.reviewItems);
    expect(await count('select count(*)::int as n from qa_appeals')).toBe(g.appeals);
    expect(await count('select count(*)::int as n from contracts_contracts')).toBe(90);
    expect(await count('select count(*)::int as n from community_communities')).toBe(3);
    expect(await count('select count(*)::int as n from community_daily_metrics')).toBe(800);
    // Three marks per scored review; about one in fifty waits for its inspector.
    const scored = await count(
      `select count(*)::int as n from qa_reviews where score is not null and sample_reason <> 'calibration'`,
    );
    expect(g.reviewItems).toBe(scored * 3);
    expect(scored).toBeGreaterThan(450);
  });

  it('is read by the dashboard: a manager sees the QA reviews of the year and the community days', async () => {
    const cookie = await signInAs(t, BENCH_MANAGER);
    const qa = await dashboardGet(t, '/api/dashboard/qa/summary?days=366', cookie);
    expect(qa.statusCode, qa.body).toBe(200);
    const { since, until } = qa.json().period as { since: string; until: string };
    const { rows } = await t.database.query<{ n: number }>(
      // Calibration rounds' blind scores are no agent's results: the summary leaves them out.
      `select count(*)::int as n from qa_reviews
        where score is not null and scored_at >= $1 and scored_at < $2 and sample_reason <> 'calibration'`,
      [since, until],
    );
    expect(qa.json().totals.reviews).toBe(rows[0]!.n);
    expect(rows[0]!.n).toBeGreaterThan(400);
    const contracts = await dashboardGet(t, '/api/dashboard/contracts/summary', cookie);
    expect(contracts.statusCode, contracts.body).toBe(200);
    const community = await dashboardGet(t, '/api/dashboard/community/summary?days=30', cookie);
    expect(community.statusCode, community.body).toBe(200);
  });

  it('is read by the QA tab’s queue and calibration calls as the bench inspector', async () => {
    const cookie = await signInAs(t, BENCH_INSPECTOR);
    const queue = await dashboardGet(t, '/api/dashboard/qa/queue', cookie);
    expect(queue.statusCode, queue.body).toBe(200);
    const waiting = await count(
      `select count(*)::int as n from qa_reviews where state = 'to_score' and inspector_open_id = '${BENCH_INSPECTOR}'`,
    );
    expect(queue.json().totals.waiting).toBe(waiting);
    const calibration = await dashboardGet(t, '/api/dashboard/qa/calibration?days=366', cookie);
    expect(calibration.statusCode, calibration.body).toBe(200);
    expect(calibration.json().rounds).toHaveLength(52);
    expect(calibration.json().alignment.rounds).toBeGreaterThanOrEqual(51);
  });
});
