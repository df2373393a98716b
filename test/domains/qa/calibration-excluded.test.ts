import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardGet, signInAs } from '../../helpers/dashboard.js';
import { rebuildRollup } from '../../../src/domains/qa/rollup-store.js';
import { apiPost, click, conversation, qaApp, say, settle, type QaTestApp } from './helpers.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers read by key
const text = (card: unknown) => JSON.stringify(card);
const RATERS = ['ou_insp_1', 'ou_insp_2', 'ou_qa_lead'];

/** The accept-all button of a scoring card. */
function acceptButton(card: unknown): Json {
  let found: Json | undefined;
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const o = n as Json;
      if (o.tag === 'button')
        for (const b of (o.behaviors as Json[]) ?? []) if (b.value?.accept === true) found = b.value as Json;
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return found!;
}

/**
 * 小王 has one ordinary review (R1, 80, pass, PRO-01 and ATT-01 deducted) and one conversation (C1) scored blind in a
 * calibration round by three raters (徐静, 梁晨, 郑雪), each 69, fail, ACC-01 and ATT-02 deducted. Only R1 is
 * 小王's result: the round measures the inspectors, not the agent.
 */
describe('calibration reviews are not an agent’s results', () => {
  let t: QaTestApp;
  const summary = async (openId: string, path = 'summary?days=30') =>
    dashboardGet(t, `/api/dashboard/qa/${path}`, await signInAs(t, openId));

  beforeAll(async () => {
    t = await qaApp();
    await apiPost(t, '/api/qa/conversations', { conversations: [conversation('R1')] });
    await settle(t);
    const asked = await say(t, '质检', 'ou_insp_1');
    await click(t, acceptButton(t.feishu.replies(asked).at(-1)!.card), { openId: 'ou_insp_1', formValue: {} });
    await settle(t);
    await apiPost(t, '/api/qa/conversations', { conversations: [conversation('C1', {}, true)] });
    const round = await apiPost(t, '/api/qa/calibration', {
      name: 'W48',
      conversations: [{ channel: 'tmall', externalId: 'C1' }],
      inspectors: ['ou_insp_1', 'ou_insp_2'],
      lead: 'ou_qa_lead',
      by: 'ou_qa_lead',
    });
    expect(round.statusCode, round.body).toBe(201);
    const { rows } = await t.database.query<{ id: number; version: number; inspector: string }>(
      `select id::int as id, version, inspector_open_id as inspector from qa_reviews
        where calibration_round_id is not null order by id`,
    );
    expect(rows.map((r) => r.inspector).sort()).toEqual([...RATERS].sort());
    for (const r of rows) {
      const res = await click(
        t,
        { action: 'qa.score', reviewId: r.id, version: Number(r.version) },
        { openId: r.inspector, formValue: { 'm_ACC-01': '5', 'm_ATT-02': '2' } },
      );
      expect(res.toast?.type).toBe('success');
    }
    await settle(t);
    const scored = await t.database.query<{ n: number }>(
      `select count(*)::int as n from qa_reviews where calibration_round_id is not null and score = 69`,
    );
    expect(scored.rows[0]!.n).toBe(3);
  });
  afterAll(async () => {
    await t?.close();
    nock.cleanAll();
  });

  const onlyTheOrdinaryReview = async () => {
    const r: Json = (await summary('ou_qa_lead')).json();
    expect(r.totals).toMatchObject({ reviews: 1, avgScore: 80, passRate: 1, failed: 0 });
    expect(r.byAgent).toEqual([expect.objectContaining({ name: '小王', reviews: 1, avgScore: 80 })]);
    expect(r.byTeam).toEqual([expect.objectContaining({ name: '天猫客服组', reviews: 1 })]);
    // The raters' time on the round is calibration work, shown on the calibration panel, not throughput.
    expect(r.byInspector).toEqual([expect.objectContaining({ name: '徐静', reviews: 1 })]);
    expect(r.byItem.find((i: Json) => i.code === 'ACC-01')).toMatchObject({ reviews: 1, deductionRate: 0 });
    // Three raters deducting ACC-01 on one conversation is no repeated deduction of 小王's.
    expect(r.training.groups.map((g: Json) => g.code)).not.toContain('ACC-01');
    const own: Json = (await summary('ou_agent_1')).json();
    expect(own.totals).toMatchObject({ reviews: 1, avgScore: 80 });
    const causes: Json = (await summary('ou_qa_lead', 'root-causes?days=30')).json();
    // R1's own deductions (slow first reply, greeting), none of the round's ACC-01 and ATT-02.
    expect(causes.byItem.map((g: Json) => g.code).sort()).toEqual(['ATT-01', 'PRO-01']);
  };

  it('the dashboard summary, root causes and stored rollups count the ordinary review only', async () => {
    await onlyTheOrdinaryReview();
    const { rows } = await t.database.query<{ n: number }>(
      `select coalesce(sum(reviews), 0)::int as n from qa_rollup_reviews where grain = 5 and agent = 'ou_agent_1'`,
    );
    expect(rows[0]!.n).toBe(1);
    // A rebuild gives the same.
    await rebuildRollup(t.database);
    await onlyTheOrdinaryReview();
  });

  it('我的质检 and 质检报告 show 小王 one review of 80, none of the round’s 69', async () => {
    const mine = text(t.feishu.replies(await say(t, '我的质检', 'ou_agent_1')).at(-1)!.card);
    expect(mine).toContain('80.0');
    expect(mine).not.toContain('69.0');
    const report = text(t.feishu.replies(await say(t, '质检报告 小王', 'ou_qa_lead')).at(-1)!.card);
    expect(report).toContain('80.0');
    expect(report).not.toContain('69.0');
    expect(report).not.toContain('74.8'); // (80 + 3 × 69) / 4
  });

  it('the calibration views still see all three raters', async () => {
    const c: Json = (await summary('ou_qa_lead', 'calibration?days=30')).json();
    expect(c.rounds.map((r: Json) => [r.name, r.scored, r.expected])).toEqual([['W48', 3, 3]]);
  });
});
