import { describe, expect, it } from 'vitest';
import {
  agentQuota,
  allocate,
  assign,
  samplePlan,
  SamplingPolicy,
  type Candidate,
  type Pick,
} from '../../../../src/domains/qa/logic/sampling.js';

const policy = SamplingPolicy.parse({ perAgent: 8 });

/** 4 agents × (60 Tmall + 20 JD); of every 10, one bad rating, one refund tag, one pre-check hit. */
function population(): Candidate[] {
  const out: Candidate[] = [];
  let id = 0;
  for (const agent of ['ou_a', 'ou_b', 'ou_c', 'ou_d'])
    for (const [channel, n] of [
      ['tmall', 60],
      ['jd', 20],
    ] as const)
      for (let i = 0; i < n; i++) {
        id++;
        out.push({
          id,
          agent,
          channel,
          csat: i % 10 === 0 ? 1 : 5,
          tags: i % 10 === 1 ? ['退款'] : [],
          precheckHits: i % 10 === 2 ? 2 : 0,
        });
      }
  return out;
}
const risky = (c: Candidate) => c.csat === 1 || c.tags.length > 0 || c.precheckHits > 0;

describe('the sampling plan', () => {
  const all = population();
  const byId = new Map(all.map((c) => [c.id, c]));

  it('gives every agent their quota, split over channels by volume, and the same seed draws the same plan', () => {
    const plan = samplePlan(all, policy, 'week-48');
    const count = (f: (p: Pick) => boolean) => plan.filter(f).length;
    for (const agent of ['ou_a', 'ou_b', 'ou_c', 'ou_d']) {
      expect(count((p) => p.agent === agent && p.channel === 'tmall')).toBe(6);
      expect(count((p) => p.agent === agent && p.channel === 'jd')).toBe(2);
    }
    expect(new Set(plan.map((p) => p.id)).size).toBe(plan.length);
    expect(samplePlan(all, policy, 'week-48')).toEqual(plan);
    expect(samplePlan(all, policy, 'week-49').map((p) => p.id)).not.toEqual(plan.map((p) => p.id));
    // An agent with fewer conversations than the quota has all of them reviewed.
    expect(samplePlan(all.slice(0, 3), policy, 's')).toHaveLength(3);
  });

  it('picks risky conversations (bad rating, refund/complaint tag, pre-check hit) more often, not only', () => {
    let riskyPicks = 0;
    let picks = 0;
    const reasons = new Map<string, number>();
    for (let s = 0; s < 200; s++) {
      for (const p of samplePlan(all, policy, `seed-${s}`)) {
        picks++;
        if (risky(byId.get(p.id)!)) riskyPicks++;
        reasons.set(p.reason, (reasons.get(p.reason) ?? 0) + 1);
      }
    }
    // 30% of the population is risky; each risky one weighs 3 (1 + 2) or 4 (1 + 3).
    const share = riskyPicks / picks;
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThan(0.8);
    expect([...reasons.keys()].sort()).toEqual(['bad_rating', 'complaint', 'precheck', 'random']);
  });

  it('records each pick’s chance so 1/probability weighting recovers the population (Horvitz–Thompson)', () => {
    const runs = 400;
    let riskyEstimate = 0;
    let totalEstimate = 0;
    for (let s = 0; s < runs; s++) {
      for (const p of samplePlan(all, policy, `ht-${s}`)) {
        expect(p.probability).toBeGreaterThan(0);
        expect(p.probability).toBeLessThanOrEqual(1);
        totalEstimate += 1 / p.probability / runs;
        if (risky(byId.get(p.id)!)) riskyEstimate += 1 / p.probability / runs;
      }
    }
    expect(totalEstimate / all.length).toBeGreaterThan(0.85);
    expect(totalEstimate / all.length).toBeLessThan(1.15);
    expect(riskyEstimate / all.filter(risky).length).toBeGreaterThan(0.8);
    expect(riskyEstimate / all.filter(risky).length).toBeLessThan(1.2);
  });

  it('sized by margin: each agent gets what ±10 points at 95 % needs of their conversations, capped', () => {
    const precision = { margin: 0.1, confidence: 0.95, expectedRate: 0.5 };
    const count = (picks: Pick[]) =>
      Object.fromEntries(['ou_a', 'ou_b', 'ou_c', 'ou_d'].map((a) => [a, picks.filter((p) => p.agent === a).length]));
    // n0 = 1.96² · 0.25 / 0.1² = 96.04; of 80 conversations: 96.04 / (1 + 95.04 / 80) = 43.9 → 44.
    const byMargin = SamplingPolicy.parse({ perAgent: 200, size: 'margin' });
    expect(agentQuota(byMargin, 80, precision)).toBe(44);
    expect(count(samplePlan(all, byMargin, 's1', precision))).toEqual({ ou_a: 44, ou_b: 44, ou_c: 44, ou_d: 44 });
    // A small period: 10 conversations need 9.1 → 10, all of them; none need none.
    expect(agentQuota(byMargin, 10, precision)).toBe(10);
    expect(agentQuota(byMargin, 0, precision)).toBe(0);
    // The inspectors' capacity caps it; a narrower margin asks for more.
    expect(count(samplePlan(all, { ...byMargin, perAgent: 30 }, 's1', precision)).ou_a).toBe(30);
    expect(agentQuota(byMargin, 80, { ...precision, margin: 0.05 })).toBeGreaterThan(44);
    // Fixed sizing ignores the margin.
    expect(count(samplePlan(all, policy, 's1', precision)).ou_a).toBe(8);
    // Probabilities stay right: Σ 1/p over an agent's picks ≈ their 80 conversations.
    const picks = samplePlan(all, byMargin, 's2', precision).filter((p) => p.agent === 'ou_a');
    const estimate = picks.reduce((sum, p) => sum + 1 / p.probability, 0);
    expect(estimate).toBeGreaterThan(60);
    expect(estimate).toBeLessThan(100);
  });

  it('allocates a quota proportionally, largest remainder first, never beyond a stratum', () => {
    expect(allocate(8, [60, 20])).toEqual([6, 2]);
    expect(allocate(5, [1, 1, 10])).toEqual([1, 0, 4]);
    expect(allocate(10, [2, 3])).toEqual([2, 3]);
    expect(allocate(0, [4])).toEqual([0]);
  });
});

describe('assignment to inspectors', () => {
  const plan = samplePlan(population(), policy, 'assign');

  it('balances the load, counting what inspectors already have waiting', () => {
    const to = assign(
      plan,
      [
        { openId: 'ou_i1', load: 0, channels: [] },
        { openId: 'ou_i2', load: 0, channels: [] },
        { openId: 'ou_i3', load: 10, channels: [] },
      ],
      's',
    );
    const got = (id: string) => [...to.values()].filter((v) => v === id).length;
    expect(to.size).toBe(plan.length); // 32
    // 32 new + 10 waiting = 42: 14 each.
    expect([got('ou_i1'), got('ou_i2'), got('ou_i3')]).toEqual([14, 14, 4]);
  });

  it('gives a channel’s conversations to inspectors of that channel, anyone when nobody reviews it', () => {
    const to = assign(
      plan,
      [
        { openId: 'ou_jd', load: 0, channels: ['jd'] },
        { openId: 'ou_tm', load: 0, channels: ['tmall'] },
      ],
      's',
    );
    for (const p of plan) expect(to.get(p.id)).toBe(p.channel === 'jd' ? 'ou_jd' : 'ou_tm');
    const none = assign(plan, [{ openId: 'ou_dy', load: 0, channels: ['douyin'] }], 's');
    expect(none.size).toBe(plan.length);
    expect(assign(plan, [], 's').size).toBe(0);
  });
});
