import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/app.js';
import { apiGet, apiPost, click, conversation, qaApp, settle, sh, type QaTestApp } from './helpers.js';

const LEAD = 'ou_qa_lead'; // 郑雪
const A = 'ou_insp_1'; // 徐静
const B = 'ou_insp_2'; // 梁晨

// Calibration that runs itself: Monday's round from last week's reviews, daily reminders to whoever
// still has one to score, and each inspector's alignment with the lead round after round.
describe('the weekly calibration round, its reminders and alignment over time', () => {
  let t: QaTestApp;
  const texts = (openId: string) => t.feishu.to(openId).map((s) => JSON.stringify(s.card));
  const calibrationReviews = async () =>
    (
      await t.database.query<{ id: number; version: number; inspector: string; state: string; round: number }>(
        `select id::int as id, version, inspector_open_id as inspector, state, calibration_round_id::int as round
           from qa_reviews where calibration_round_id is not null order by id`,
      )
    ).rows;

  /** Claims the schedule's slot at `at` and waits for its run (false: the slot was taken already). */
  const runSchedule = async (name: string, at: Date): Promise<boolean> => {
    const claimed = await t.deps.jobs.tick(name, at);
    await waitFor(async () => {
      t.deps.jobs.notify(`schedule.${name}`);
      const { rows } = await t.database.query<{ n: number }>(
        `select count(*)::int as n from pgboss.job where name = $1 and state <> 'completed'`,
        [`schedule.${name}`],
      );
      return rows[0]?.n === 0;
    }, name);
    await settle(t);
    return claimed;
  };

  beforeAll(async () => {
    t = await qaApp({ start: '2026-11-21T07:30' });
    // Six conversations on Friday 11-20 (Tmall and JD), sampled on Saturday morning and scored by the inspectors.
    const res = await apiPost(t, '/api/qa/conversations', {
      conversations: [
        ...['T1', 'T2', 'T3', 'T4'].map((id) => conversation(id, {}, true)),
        ...['J1', 'J2'].map((id) => conversation(id, { channel: 'jd', agent: 'ou_agent_2' }, true)),
      ],
    });
    expect(res.json()).toMatchObject({ created: 6 });
    const plan = await apiPost(t, '/api/qa/sampling', { from: sh('2026-11-20T00:00'), to: sh('2026-11-21T00:00') });
    expect(plan.json()).toMatchObject({ created: 6 });
    const { rows } = await t.database.query<{ id: number; version: number; inspector: string }>(
      `select id::int as id, version, inspector_open_id as inspector from qa_reviews order by id`,
    );
    for (const r of rows) {
      const scored = await click(
        t,
        { action: 'qa.score', reviewId: r.id, version: r.version, accept: true },
        {
          openId: r.inspector,
        },
      );
      expect(scored.toast?.type).toBe('success');
    }
    await settle(t);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('Monday 08:00 starts a blind round of five of last week’s conversations for the inspectors and lead', async () => {
    const monday = sh('2026-11-23T08:00');
    expect(await runSchedule('qa.calibration-round', monday)).toBe(true);
    const rounds = await t.database.query<{ name: string; lead_open_id: string; inspectors: string[]; n: number }>(
      `select name, lead_open_id, inspectors, jsonb_array_length(conversation_ids)::int as n
         from qa_calibration_rounds`,
    );
    expect(rounds.rows).toEqual([
      {
        name: '周校准 Weekly calibration 2026-11-16 – 2026-11-22',
        lead_open_id: LEAD,
        inspectors: expect.arrayContaining([A, B, LEAD]),
        n: 5,
      },
    ]);
    // Both channels are in the set; every rater has each conversation once, blind (no feedback to agents).
    const channels = await t.database.query<{ channel: string }>(
      `select distinct c.channel from qa_conversations c
         join qa_calibration_rounds r on r.conversation_ids @> to_jsonb(c.id) order by 1`,
    );
    expect(channels.rows.map((r) => r.channel)).toEqual(['jd', 'tmall']);
    expect(await calibrationReviews()).toHaveLength(5 * 3);
    // The schedule again (a retry, a second instance): the same round, nothing added.
    expect(await runSchedule('qa.calibration-round', sh('2026-11-23T08:05'))).toBe(true);
    expect((await t.database.query('select id from qa_calibration_rounds')).rows).toHaveLength(1);
    expect(await calibrationReviews()).toHaveLength(15);
  });

  it('reminds each rater by DM once a day until they have scored their share', async () => {
    const before = { A: texts(A).length, B: texts(B).length, LEAD: texts(LEAD).length };
    expect(await runSchedule('qa.calibration-reminders', sh('2026-11-23T10:00'))).toBe(true);
    expect(texts(A).slice(before.A)).toEqual([expect.stringContaining('5 条校准会话待评分')]);
    expect(texts(B).slice(before.B)).toHaveLength(1);
    expect(texts(LEAD).slice(before.LEAD)).toHaveLength(1);
    // The lead and 徐静 score theirs (徐静 one point off on ACC-01 for each); only 梁晨 is reminded next day.
    for (const r of (await calibrationReviews()).filter((x) => x.inspector !== B)) {
      const res = await click(
        t,
        { action: 'qa.score', reviewId: r.id, version: r.version },
        { openId: r.inspector, formValue: r.inspector === A ? { 'm_ACC-01': '1' } : {} },
      );
      expect(res.toast?.type).toBe('success');
    }
    await settle(t);
    const next = { A: texts(A).length, B: texts(B).length, LEAD: texts(LEAD).length };
    expect(await runSchedule('qa.calibration-reminders', sh('2026-11-24T10:00'))).toBe(true);
    expect(texts(B).slice(next.B)).toEqual([expect.stringContaining('5 条校准会话待评分')]);
    expect(texts(A)).toHaveLength(next.A);
    expect(texts(LEAD)).toHaveLength(next.LEAD);
  });

  it('shows each inspector’s alignment with the lead round by round', async () => {
    for (const r of (await calibrationReviews()).filter((x) => x.state === 'to_score')) {
      const res = await click(t, { action: 'qa.score', reviewId: r.id, version: r.version }, { openId: r.inspector });
      expect(res.toast?.type).toBe('success');
    }
    const res = await apiGet(t, '/api/qa/calibration/alignment');
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      rounds: number;
      inspectors: Array<{ inspector: string; points: Array<{ scored: number; bias: number; deviation: number }> }>;
    };
    expect(body.rounds).toBe(1);
    const of = (who: string) => body.inspectors.find((i) => i.inspector === who)!.points;
    // ACC-01 weighs 25 over 5 points: one point off is 5 below the lead on every conversation.
    expect(of(A)).toEqual([expect.objectContaining({ scored: 5, bias: -5, deviation: 5 })]);
    expect(of(B)).toEqual([expect.objectContaining({ scored: 5, bias: 0, deviation: 0 })]);
    expect((await apiGet(t, '/api/qa/calibration/alignment?rounds=0')).statusCode).toBe(422);
    expect((await apiGet(t, '/api/qa/calibration/alignment?rounds=abc')).statusCode).toBe(422);
  });
});
