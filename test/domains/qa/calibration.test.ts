import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, apiPost, click, conversation, qaApp, say, settle, type QaTestApp } from './helpers.js';

type Json = Record<string, unknown>;
const LEAD = 'ou_qa_lead'; // 郑雪
const A = 'ou_insp_1'; // 徐静
const B = 'ou_insp_2'; // 梁晨

// Deductions per conversation and inspector (every other criterion 0). Weights: ACC-01 25 of 5 points
// (5 per point), ATT-02 15 of 5 points (3 per point); pass from 80.
const MARKS: Record<string, Record<string, Record<string, string>>> = {
  C1: { [LEAD]: {}, [A]: {}, [B]: { 'm_ACC-01': '4' } }, // 100 P · 100 P · 80 P
  C2: { [LEAD]: { 'm_ACC-01': '3' }, [A]: { 'm_ACC-01': '5' }, [B]: { 'm_ACC-01': '3' } }, // 85 P · 75 F · 85 P
  C3: {
    [LEAD]: { 'm_ACC-01': '5', 'm_ATT-02': '2' }, // 69 F
    [A]: { 'm_ACC-01': '5' }, // 75 F
    [B]: { 'm_ATT-02': '2' }, // 94 P
  },
};

describe('inspector calibration: a round, deviations from the lead, kappa, the report in chat and API', () => {
  let t: QaTestApp;
  const round = {
    name: '2026-W48 校准',
    conversations: ['C1', 'C2', 'C3'].map((id) => ({ channel: 'tmall', externalId: id })),
    inspectors: [A, B],
    lead: LEAD,
    by: LEAD,
  };

  beforeAll(async () => {
    t = await qaApp();
    const res = await apiPost(t, '/api/qa/conversations', {
      conversations: ['C1', 'C2', 'C3'].map((id) => conversation(id, {}, true)),
    });
    expect(res.json()).toMatchObject({ created: 3 });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('gives every inspector and the lead each conversation once; a repeat or a non-lead adds nothing', async () => {
    const res = await apiPost(t, '/api/qa/calibration', round);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: round.name, created: 9, reviews: 9 });
    const again = await apiPost(t, '/api/qa/calibration', round);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: 0 });
    const notLead = await apiPost(t, '/api/qa/calibration', { ...round, name: 'x', by: A });
    expect(notLead.statusCode).toBe(403);
    const unknown = await apiPost(t, '/api/qa/calibration', {
      ...round,
      name: 'y',
      conversations: [{ channel: 'tmall', externalId: 'NOPE' }],
    });
    expect(unknown.statusCode).toBe(404);
    const notInspector = await apiPost(t, '/api/qa/calibration', { ...round, name: 'z', inspectors: ['ou_agent_1'] });
    expect(notInspector.statusCode).toBe(422);
    const { rows } = await t.database.query<{ n: number }>(
      `select count(*)::int as n from qa_reviews where sample_reason = 'calibration'`,
    );
    expect(rows[0]!.n).toBe(9);
  });

  it('scores on the card, sends the agent no feedback, and reports each inspector against the lead', async () => {
    const { rows } = await t.database.query<{ id: number; version: number; inspector: string; ext: string }>(
      `select r.id, r.version, r.inspector_open_id as inspector, c.external_id as ext
         from qa_reviews r join qa_conversations c on c.id = r.conversation_id
        where r.calibration_round_id is not null order by r.id`,
    );
    for (const r of rows) {
      const res = await click(
        t,
        { action: 'qa.score', reviewId: Number(r.id), version: Number(r.version) },
        { openId: r.inspector, formValue: MARKS[r.ext]![r.inspector]! },
      );
      expect(res.toast?.type).toBe('success');
    }
    await settle(t);
    const scores = await t.database.query<{ ext: string; inspector: string; score: number; result: string }>(
      `select c.external_id as ext, r.inspector_open_id as inspector, r.score, r.result
         from qa_reviews r join qa_conversations c on c.id = r.conversation_id order by 1, 2`,
    );
    expect(scores.rows.map((r) => [r.ext, r.inspector, Number(r.score), r.result])).toEqual([
      ['C1', A, 100, 'pass'],
      ['C1', B, 80, 'pass'],
      ['C1', LEAD, 100, 'pass'],
      ['C2', A, 75, 'fail'],
      ['C2', B, 85, 'pass'],
      ['C2', LEAD, 85, 'pass'],
      ['C3', A, 75, 'fail'],
      ['C3', B, 94, 'pass'],
      ['C3', LEAD, 69, 'fail'],
    ]);
    // Calibration measures inspectors: the agent got no feedback card.
    expect(t.feishu.to('ou_agent_1')).toEqual([]);

    const id = (await t.database.query<{ id: number }>('select id from qa_calibration_rounds')).rows[0]!.id;
    const res = await apiGet(t, `/api/qa/calibration/${id}`);
    expect(res.statusCode).toBe(200);
    const r = res.json() as Json & { inspectors: Json[]; criteria: Json[] };
    expect(r).toMatchObject({ conversations: 3, scored: 9, expected: 9, lead: LEAD, threshold: 0.1 });
    // Pass/fail counts per conversation [P, F]: [3,0], [2,1], [1,2] → P̄ = (1 + ⅓ + ⅓)/3 = 5/9;
    // p = 6/9, 3/9 → P̄e = 5/9; κ = 0.
    expect(r.passKappa as number).toBeCloseTo(0, 12);
    const of = (who: string) => r.inspectors.find((i) => i.inspector === who)!;
    // 徐静 vs the lead: 0, −10, +6 → bias −4/3, |dev| 16/3; pass P F F vs P P F: agree ⅔;
    // κ: po ⅔, pe = ⅓·⅔ + ⅔·⅓ = 4/9 → (2/9)/(5/9) = 0.4.
    expect(of(A)).toMatchObject({ name: '徐静', scored: 3 });
    expect(of(A).bias as number).toBeCloseTo(-4 / 3, 9);
    expect(of(A).deviation as number).toBeCloseTo(16 / 3, 9);
    expect(of(A).passAgreement as number).toBeCloseTo(2 / 3, 9);
    expect(of(A).kappa as number).toBeCloseTo(0.4, 9);
    // 梁晨: −20, 0, +25 → bias 5/3, |dev| 15; always pass: pe = 1·⅔, po = ⅔ → κ 0.
    expect(of(B).bias as number).toBeCloseTo(5 / 3, 9);
    expect(of(B).deviation as number).toBeCloseTo(15, 9);
    expect(of(B).kappa as number).toBeCloseTo(0, 9);
    expect(of(LEAD)).toMatchObject({ bias: 0, deviation: 0, passAgreement: 1, kappa: null });
    const crit = (code: string) => r.criteria.find((c) => c.code === code)!;
    // ACC-01 points [0,0,4], [3,5,3], [5,5,0]: sd/5 = 0.377124, 0.188562, 0.471405 → 0.345697, flagged.
    expect(crit('ACC-01').spread as number).toBeCloseTo(0.345697, 5);
    expect(crit('ACC-01')).toMatchObject({ flagged: true });
    expect(crit('ACC-01').kappa as number).toBeCloseTo(0, 9);
    // ATT-02 [0,0,0], [0,0,0], [2,0,2]: spread 0.188562/3 = 0.062854, under 10 %;
    // deducted or not [0,3], [0,3], [2,1]: P̄ = 7/9, P̄e = 53/81 → κ = 10/28.
    expect(crit('ATT-02').spread as number).toBeCloseTo(0.062854, 5);
    expect(crit('ATT-02')).toMatchObject({ flagged: false });
    expect(crit('ATT-02').kappa as number).toBeCloseTo(10 / 28, 9);
    expect(crit('COM-01')).toMatchObject({ spread: 0, kappa: null, flagged: false });

    // The lead's 校准报告 in chat; an inspector is refused.
    const asked = await say(t, '校准报告', LEAD);
    const card = JSON.stringify(t.feishu.replies(asked).at(-1)!.card);
    expect(card).toContain('W48 校准'); // the name is escaped (- as &#45;)
    expect(card).toContain('已评 scored 9/9');
    expect(card).toContain('徐静：-1.3 · 5.3 · 67% · κ 0.40');
    expect(card).toContain('梁晨：+1.7 · 15.0 · 67% · κ 0.00');
    expect(card).toContain('⚠ 信息准确 Accuracy：35% · κ 0.00');
    expect(card).toContain('服务态度 Courtesy：6% · κ 0.36');
    const refused = await say(t, `校准报告 ${id}`, A);
    expect(JSON.stringify(t.feishu.replies(refused).at(-1))).toContain('仅限质检主管');
    const bad = await say(t, '校准报告 abc', LEAD);
    expect(JSON.stringify(t.feishu.replies(bad).at(-1))).toContain('用法 usage');
  });
});
