import nock from 'nock';
import { rebuildRollup } from '../../../src/domains/qa/rollup-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardGet, signInAs } from '../../helpers/dashboard.js';
import { apiPost, conversation, qaApp, say, type QaTestApp } from './helpers.js';

type Json = Record<string, unknown>;
const period = { from: '2026-11-19T16:00:00Z', to: '2026-11-20T16:00:00Z' };

describe('sample sizes for a margin, and every rate with its sampling-weighted interval', () => {
  let t: QaTestApp;

  beforeAll(async () => {
    t = await qaApp();
    // 小王 (天猫组, tmall): 30 conversations; 小李 (京东组, jd): 10.
    const res = await apiPost(t, '/api/qa/conversations', {
      conversations: [
        ...Array.from({ length: 30 }, (_, i) => conversation(`P${i}`, {}, true)),
        ...Array.from({ length: 10 }, (_, i) => conversation(`Q${i}`, { channel: 'jd', agent: 'ou_agent_2' }, true)),
      ],
    });
    expect(res.json()).toMatchObject({ created: 40 });
    // The plan: 5 per agent.
    expect((await apiPost(t, '/api/qa/sampling', { ...period, seed: 'p' })).json()).toMatchObject({ created: 10 });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('says per channel how many reviews ±20 points at 95 % needs, beside those picked', async () => {
    const res = await apiPost(t, '/api/qa/sampling/sizes', { ...period, by: 'channel', margin: 0.2 });
    expect(res.statusCode).toBe(200);
    const body = res.json() as Json & { groups: Json[] };
    expect(body).toMatchObject({ by: 'channel', margin: 0.2, confidence: 0.95, expectedRate: 0.5 });
    // n0 = 1.959964² · 0.25 / 0.04 = 24.009; 京东 of 10: 24.009/(1 + 23.009/10) = 7.27 → 8;
    // 天猫 of 30: 24.009/(1 + 23.009/30) = 13.59 → 14.
    const jd = body.groups.find((g) => g.key === 'jd')!;
    const tmall = body.groups.find((g) => g.key === 'tmall')!;
    expect(jd).toMatchObject({ name: '京东', conversations: 10, sampled: 5, scored: 0, needed: 8, shortfall: 3 });
    expect(tmall).toMatchObject({ name: '天猫', conversations: 30, sampled: 5, needed: 14, shortfall: 9 });
    // With the 5 picked: 1.959964·√(0.25/5 · 5/9) = 0.3267 and 1.959964·√(0.25/5 · 25/29) = 0.4069.
    expect(jd.margin as number).toBeCloseTo(0.32666, 4);
    expect(tmall.margin as number).toBeCloseTo(0.406915, 4);

    const teams = (await apiPost(t, '/api/qa/sampling/sizes', { ...period, by: 'team', margin: 0.2 })).json() as {
      groups: Json[];
    };
    expect(teams.groups.map((g) => [g.name, g.needed])).toEqual([
      ['京东客服组', 8],
      ['天猫客服组', 14],
    ]);
    // The policy's defaults: ±10 points at 95 %, p = 0.5: 96.04/(1 + 95.04/40) = 28.43 → 29 of all 40.
    const all = (await apiPost(t, '/api/qa/sampling/sizes', { ...period, by: 'all' })).json() as { groups: Json[] };
    expect(all.groups).toEqual([expect.objectContaining({ conversations: 40, sampled: 10, needed: 29 })]);
  });

  it('refuses a bad period or margin with a 422 naming the field', async () => {
    const backwards = await apiPost(t, '/api/qa/sampling/sizes', { from: period.to, to: period.from });
    expect(backwards.statusCode).toBe(422);
    expect(JSON.stringify(backwards.json())).toContain('to');
    const wide = await apiPost(t, '/api/qa/sampling/sizes', { ...period, margin: 0.9 });
    expect(wide.statusCode).toBe(422);
    expect(JSON.stringify(wide.json())).toContain('margin');
  });

  it('reports weighted pass rates and averages with their intervals, or 数据不足 when there is too little', async () => {
    // The ten picks scored: (inclusion probability, score, result). Two of 小王's were risk picks at ½.
    const scored: Array<[number, number, string]> = [
      [1, 90, 'pass'],
      [1, 80, 'pass'],
      [1, 100, 'pass'],
      [0.5, 95, 'pass'],
      [0.5, 75, 'fail'],
      [1, 85, 'pass'],
      [1, 60, 'fail'],
      [1, 70, 'fail'],
      [1, 90, 'pass'],
      [1, 88, 'pass'],
    ];
    const { rows } = await t.database.query<{ id: number }>(
      `select r.id from qa_reviews r join qa_conversations c on c.id = r.conversation_id
        order by c.agent_open_id, r.id`,
    );
    expect(rows).toHaveLength(10);
    for (const [k, r] of rows.entries()) {
      const [p, score, result] = scored[k]!;
      await t.database.query(
        `update qa_reviews set inclusion_probability = $2, score = $3, result = $4, state = 'scored',
                scored_at = $5 where id = $1`,
        [r.id, p, score, result, t.clock.now().toISOString()],
      );
    }
    // Written straight into qa_reviews, past the service that keeps the stored rollups: rebuild them, as
    // `feishu-ops qa-rollup rebuild` does.
    await rebuildRollup(t.database);

    const cookie = await signInAs(t, 'ou_qa_lead');
    const res = await dashboardGet(t, '/api/dashboard/qa/summary?days=30', cookie);
    expect(res.statusCode).toBe(200);
    const s = res.json() as { confidence: number; totals: Json; byChannel: Json[] };
    expect(s.confidence).toBe(0.95);
    // Σw = 12, Σw² = 16 → n_eff = 9; weighted pass 8/12 = 0.6667, Wilson on 9: 0.3542–0.8794.
    // Weighted mean (90+80+100+2·95+2·75+85+60+70+90+88)/12 = 1003/12 = 83.583 ± 7.589.
    const totals = s.totals as { pass: Json; scoreCi: Json; weightedScore: number };
    expect(totals.weightedScore).toBeCloseTo(83.5833, 3);
    expect(totals.pass.estimate as number).toBeCloseTo(0.666667, 5);
    expect(totals.pass.effective as number).toBeCloseTo(9, 9);
    expect(totals.pass.low as number).toBeCloseTo(0.354202, 5);
    expect(totals.pass.high as number).toBeCloseTo(0.879416, 5);
    expect(totals.scoreCi.low as number).toBeCloseTo(83.583333 - 7.588847, 4);
    expect(totals.scoreCi.high as number).toBeCloseTo(83.583333 + 7.588847, 4);
    // 天猫: weights 1,1,1,2,2 → n_eff = 49/11 = 4.45 < 5: not enough data. 京东: five plain picks, 3 pass.
    const tmall = s.byChannel.find((c) => c.key === 'tmall')!;
    const jd = s.byChannel.find((c) => c.key === 'jd')!;
    expect(tmall).toMatchObject({ pass: null, scoreCi: null });
    expect((jd.pass as Json).low as number).toBeCloseTo(0.230724, 5);
    expect((jd.pass as Json).high as number).toBeCloseTo(0.882379, 5);

    // The QA lead's 质检报告 shows the same figures.
    const asked = await say(t, '质检报告', 'ou_qa_lead');
    const card = JSON.stringify(t.feishu.replies(asked).at(-1)!.card);
    expect(card).toContain('加权 weighted 83.6 ±7.6');
    expect(card).toContain('67%（35–88%）');
    expect(card).toContain('京东：78.6 ±11.4 分 · 合格 60%（23–88%）');
    expect(card).toContain('天猫：87.1 分 · 合格 80%（数据不足 not enough data）');
    expect(card).toContain('置信度 confidence 95%');
  });
});
