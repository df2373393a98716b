import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardGet, signInAs } from '../../helpers/dashboard.js';
import { waitFor } from '../../helpers/app.js';
import { apiPost, buttons, click, conversation, qaApp, say, settle, type QaTestApp } from './helpers.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers read by key

// A review marked stale (qa_rollup_dirty) is folded into the stored rollups by the follow-up job of the change that
// marked it. A mark made without one — a migration that changes reviews and marks them, as 0044 did for calibration
// scores — used to wait for the next review change anywhere; the scheduled sweep qa.rollup-stale folds it in.
describe('stale QA rollup cells without a follow-up', () => {
  let t: QaTestApp;
  let reviewId = 0;
  let score = 0;
  const totals = async (): Promise<Json> => {
    const res = await dashboardGet(t, '/api/dashboard/qa/summary?days=30', await signInAs(t, 'ou_qa_lead'));
    expect(res.statusCode, res.body).toBe(200);
    return res.json().totals;
  };
  const runSweep = async () => {
    expect(await t.deps.jobs.tick('qa.rollup-stale', t.clock.now())).toBe(true);
    await waitFor(async () => {
      t.deps.jobs.notify('schedule.qa.rollup-stale');
      const { rows } = await t.database.query<{ n: number }>(
        `select count(*)::int as n from pgboss.job where name = 'schedule.qa.rollup-stale' and state <> 'completed'`,
      );
      return rows[0]?.n === 0;
    }, 'the stale-rollup sweep');
  };

  beforeAll(async () => {
    t = await qaApp();
    await apiPost(t, '/api/qa/conversations', { conversations: [conversation('STALE-1')] });
    await settle(t);
    const asked = await say(t, '质检', 'ou_insp_1');
    const accept = buttons(t.feishu.replies(asked).at(-1)!.card).find((b) => b.accept === true)!;
    await click(t, accept, { openId: 'ou_insp_1', formValue: {} });
    await settle(t);
    const { rows } = await t.database.query<{ id: number; score: number }>(
      'select id::int as id, score::float8 as score from qa_reviews where score is not null',
    );
    expect(rows).toHaveLength(1);
    reviewId = rows[0]!.id;
    score = rows[0]!.score;
  });
  afterAll(() => t?.close());

  it('folds in a review marked stale by a migration at the next sweep, and nothing when none is', async () => {
    expect(await totals()).toMatchObject({ reviews: 1, avgScore: score });
    // What a data migration does: change a scored review and mark it stale, no follow-up job queued.
    await t.database.query('update qa_reviews set score = score - 10 where id = $1', [reviewId]);
    await t.database.query('insert into qa_rollup_dirty (review_id) values ($1)', [reviewId]);
    await settle(t);
    // Nothing else folds it in: the stored rollups still show the old score.
    expect(await totals()).toMatchObject({ reviews: 1, avgScore: score });

    await runSweep();
    expect(await totals()).toMatchObject({ reviews: 1, avgScore: score - 10 });
    const { rows } = await t.database.query<{ n: number }>('select count(*)::int as n from qa_rollup_dirty');
    expect(rows[0]!.n).toBe(0);

    // A sweep with nothing stale changes nothing.
    t.clock.current = new Date(t.clock.now().getTime() + 5 * 60_000);
    await runSweep();
    expect(await totals()).toMatchObject({ reviews: 1, avgScore: score - 10 });
  });
});
