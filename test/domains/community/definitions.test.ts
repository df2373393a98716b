import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFINITIONS, ratesOf } from '../../../src/domains/community/logic/definitions.js';
import { rollup } from '../../../src/domains/community/rollup-repository.js';
import { addCommunities, apiPost, communityApp, day, type CommunityTestApp } from './helpers.js';

// A small dataset computed by hand (the figures in the comments are the arithmetic, not the code's).
// A1 wecom/ou_a: 3 days; A2 wecom/ou_b: only 11-02 (its other days are late); B1 douyin/ou_a: 11-01 and 11-03.
// 2026-11-01 is a Sunday: it belongs to the ISO week of 10-26; 11-02 and 11-03 to the week of 11-02.
const zero = { membersJoined: 0, membersLeft: 0, activeMembers: 0, messages: 0, orders: 0, gmvFen: 0, refundsFen: 0 };
const DATA = [
  day('A1', '2026-11-01', {
    membersTotal: 100,
    membersJoined: 10,
    membersLeft: 5,
    activeMembers: 20,
    messages: 50,
    orders: 2,
    gmvFen: 10_000,
    refundsFen: 0,
  }),
  day('A1', '2026-11-02', {
    membersTotal: 104,
    membersJoined: 6,
    membersLeft: 2,
    activeMembers: 26,
    messages: 60,
    orders: 4,
    gmvFen: 30_000,
    refundsFen: 500,
  }),
  day('A1', '2026-11-03', { ...zero, membersTotal: 100, membersLeft: 4, activeMembers: 10, messages: 20 }),
  day('A2', '2026-11-02', {
    membersTotal: 50,
    membersJoined: 2,
    membersLeft: 2,
    activeMembers: 5,
    messages: 10,
    orders: 1,
    gmvFen: 5_000,
    refundsFen: 0,
  }),
  day('B1', '2026-11-01', { ...zero, membersTotal: 300, membersLeft: 30, activeMembers: 3, messages: 4 }),
  day('B1', '2026-11-03', {
    membersTotal: 290,
    membersJoined: 5,
    membersLeft: 15,
    activeMembers: 29,
    messages: 40,
    orders: 3,
    gmvFen: 60_000,
    refundsFen: 1_000,
  }),
];

let t: CommunityTestApp;
beforeAll(async () => {
  t = await communityApp({ workers: false });
  await addCommunities(t, [
    { code: 'A1', platform: 'wecom', operator: 'ou_a' },
    { code: 'A2', platform: 'wecom', operator: 'ou_b' },
    { code: 'B1', platform: 'douyin', operator: 'ou_a' },
  ]);
  expect((await apiPost(t, '/api/community/metrics', { rows: DATA })).json()).toMatchObject({ created: 6 });
});
afterAll(async () => t?.close());

const month = (by: 'all' | 'platform' | 'operator' | 'community') =>
  rollup(t.database, { grain: 'month', by, from: '2026-11-01', to: '2026-11-30' });

describe('the metric definitions, pinned on hand-computed data', () => {
  it('writes every definition down once, in both languages', () => {
    expect(DEFINITIONS.map((d) => d.key)).toEqual([
      'net_growth',
      'churn_rate',
      'activity_rate',
      'conversion_rate',
      'gmv_per_member',
      'dedup',
    ]);
    for (const d of DEFINITIONS) expect(d.text.zh.length > 5 && d.text.en.length > 5).toBe(true);
  });

  it('net growth = joined − left: (10+6+0+2+0+5) − (5+2+4+2+30+15) = 23 − 58 = −35', async () => {
    const [all] = await month('all');
    expect(all).toMatchObject({ joined: 23, left: 58, netGrowth: -35, rows: 6, days: 3, communities: 3 });
  });

  it('churn = left ÷ opening: A1 (100−10+5) + A2 (50−2+2) + B1 (300−0+30) = 475 → 58/475', async () => {
    const [all] = await month('all');
    expect(all!.openingMembers).toBe(475);
    expect(all!.closingMembers).toBe(100 + 50 + 290);
    expect(all!.churnRate).toBeCloseTo(58 / 475, 12);
  });

  it('activity rate = Σ active ÷ Σ members (member-days): 93 / 944', async () => {
    const [all] = await month('all');
    expect(all).toMatchObject({ activeDays: 93, memberDays: 944 });
    expect(all!.activityRate).toBeCloseTo(93 / 944, 12);
  });

  it('conversion rate = Σ orders ÷ Σ active members: 10 / 93', async () => {
    const [all] = await month('all');
    expect(all!.orders).toBe(10);
    expect(all!.conversionRate).toBeCloseTo(10 / 93, 12);
  });

  it('GMV per member = Σ GMV ÷ (member-days ÷ days with data): 105000 ÷ (944 ÷ 3) fen; refunds apart', async () => {
    const [all] = await month('all');
    expect(all).toMatchObject({ gmvFen: 105_000, refundsFen: 1_500 });
    expect(all!.gmvPerMemberFen).toBeCloseTo(105_000 / (944 / 3), 9);
  });

  it('by platform: wecom churn 13/145, 45000 ÷ (354 ÷ 3); douyin only its 2 days: 60000 ÷ (590 ÷ 2)', async () => {
    const rows = Object.fromEntries((await month('platform')).map((r) => [r.key, r]));
    expect(rows.wecom).toMatchObject({
      joined: 18,
      left: 13,
      openingMembers: 145,
      memberDays: 354,
      activeDays: 61,
      orders: 7,
      days: 3,
    });
    expect(rows.wecom!.churnRate).toBeCloseTo(13 / 145, 12);
    expect(rows.wecom!.gmvPerMemberFen).toBeCloseTo(45_000 / (354 / 3), 9);
    expect(rows.douyin).toMatchObject({ joined: 5, left: 45, openingMembers: 330, memberDays: 590, days: 2 });
    expect(rows.douyin!.gmvPerMemberFen).toBeCloseTo(60_000 / (590 / 2), 9);
    expect(rows.douyin!.conversionRate).toBeCloseTo(3 / 32, 12);
  });

  it('by operator: ou_a runs A1 and B1 — 56 left of 425 opening members', async () => {
    const rows = Object.fromEntries((await month('operator')).map((r) => [r.key, r]));
    expect(rows.ou_a).toMatchObject({
      communities: 2,
      left: 56,
      openingMembers: 425,
      memberDays: 894,
      gmvFen: 100_000,
    });
    expect(rows.ou_b).toMatchObject({ communities: 1, left: 2, openingMembers: 50 });
  });

  it('by ISO week: the Sunday 11-01 closes the week of 10-26; opening members restart each week', async () => {
    const weeks = await rollup(t.database, { grain: 'week', by: 'all', from: '2026-11-01', to: '2026-11-30' });
    expect(weeks.map((w) => w.period)).toEqual(['2026-10-26', '2026-11-02']);
    expect(weeks[0]).toMatchObject({
      joined: 10,
      left: 35,
      openingMembers: 425,
      memberDays: 400,
      days: 1,
      gmvPerMemberFen: 25,
    });
    // Week of 11-02: A1 opens with 104−6+2 = 100, A2 with 50, B1 (first row 11-03) with 290−5+15 = 300.
    expect(weeks[1]).toMatchObject({ joined: 13, left: 23, openingMembers: 450, memberDays: 544, days: 2 });
    expect(weeks[1]!.gmvPerMemberFen).toBeCloseTo(95_000 / (544 / 2), 9);
  });

  it('per day, community: A1 11-03: 4 of 104 left, 10 of 100 active, 0 orders → conversion, GMV/member 0', async () => {
    const [a1] = await rollup(t.database, {
      grain: 'day',
      by: 'community',
      from: '2026-11-03',
      to: '2026-11-03',
      community: 'A1',
    });
    expect(a1).toMatchObject({
      key: 'A1',
      period: '2026-11-03',
      openingMembers: 104,
      activityRate: 0.1,
      conversionRate: 0,
      gmvPerMemberFen: 0,
    });
    expect(a1!.churnRate).toBeCloseTo(4 / 104, 12);
  });

  it('gives no figure (not 0, not ∞) when a rate has nothing to divide by', () => {
    const none = ratesOf({
      rows: 0,
      days: 0,
      joined: 0,
      left: 0,
      memberDays: 0,
      activeDays: 0,
      openingMembers: 0,
      closingMembers: 0,
      messages: 0,
      orders: 0,
      gmvFen: 0,
      refundsFen: 0,
    });
    expect(none).toEqual({
      netGrowth: 0,
      churnRate: null,
      activityRate: null,
      conversionRate: null,
      gmvPerMemberFen: null,
    });
  });
});
