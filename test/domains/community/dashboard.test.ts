import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { dashboardGet, signInAs } from '../../helpers/dashboard.js';
import { addCommunities, apiPost, communityApp, day, type CommunityTestApp } from './helpers.js';

let t: CommunityTestApp;
beforeAll(async () => {
  t = await communityApp({ workers: false });
  const directory = createDirectory({ db: t.deps.database.db });
  await directory.upsertTeams([
    { key: 'comm_south', name: '华南社群组', chatId: 'oc_south', leadOpenId: 'ou_lead_s', managerOpenId: 'ou_mgr' },
    { key: 'comm_north', name: '华北社群组', chatId: 'oc_north', leadOpenId: 'ou_lead_n', managerOpenId: 'ou_mgr' },
  ]);
  await directory.upsertPeople([
    { openId: 'ou_mgr', name: '经理', teams: [], roles: ['manager'] },
    { openId: 'ou_op_1', name: '运营一', teams: [], roles: ['community_operator'] },
    { openId: 'ou_agent', name: '客服', teams: [], roles: ['agent'] },
    { openId: 'ou_lead_s', name: '华南组长', teams: ['comm_south'], roles: ['community_operator', 'lead'] },
    { openId: 'ou_lead_x', name: '无组组长', teams: [], roles: ['community_operator', 'lead'] },
  ]);
  await addCommunities(t, [
    { code: 'A1', operator: 'ou_op_1', platform: 'wecom', team: 'comm_south' },
    { code: 'B1', operator: 'ou_op_2', platform: 'douyin', team: 'comm_north' },
  ]);
  await apiPost(t, '/api/community/metrics', {
    rows: [
      day('A1', '2026-11-28', {
        membersTotal: 100,
        membersJoined: 10,
        membersLeft: 5,
        activeMembers: 20,
        orders: 2,
        gmvFen: 10_000,
      }),
      day('B1', '2026-11-28', {
        membersTotal: 300,
        membersJoined: 0,
        membersLeft: 30,
        activeMembers: 3,
        orders: 0,
        gmvFen: 0,
      }),
    ],
  });
});
afterAll(async () => t?.close());

const summary = async (openId: string | null, query = 'from=2026-11-01&to=2026-11-30') =>
  dashboardGet(t, `/api/dashboard/community/summary?${query}`, openId ? await signInAs(t, openId) : null);

describe('GET /api/dashboard/community/summary', () => {
  it('gives a manager every community: totals, by platform and operator, the trend and the definitions', async () => {
    const res = await summary('ou_mgr');
    expect(res.statusCode).toBe(200);
    const r = res.json() as {
      totals: Record<string, number>;
      byPlatform: Array<{ key: string }>;
      byOperator: Array<{ key: string }>;
      trend: unknown[];
      definitions: unknown[];
    };
    expect(r.totals).toMatchObject({ communities: 2, joined: 10, left: 35, openingMembers: 95 + 330, netGrowth: -25 });
    expect(r.byPlatform.map((p) => p.key)).toEqual(['douyin', 'wecom']);
    expect(r.byOperator.map((p) => p.key)).toEqual(['ou_op_1', 'ou_op_2']);
    expect(r.trend).toHaveLength(1);
    expect(r.definitions).toHaveLength(6);
  });

  it('shows an operator only the communities they operate, and refuses another operator’s', async () => {
    const own = (await summary('ou_op_1')).json() as { totals: Record<string, number> };
    expect(own.totals).toMatchObject({ communities: 1, joined: 10, left: 5 });
    expect((await summary('ou_op_1', 'days=30&operator=ou_op_2')).statusCode).toBe(403);
  });

  it('shows a team lead their teams’ communities only; another team is refused, none when they lead none', async () => {
    const lead = (await summary('ou_lead_s')).json() as {
      totals: Record<string, number>;
      byOperator: Array<{ key: string }>;
    };
    expect(lead.totals).toMatchObject({ communities: 1, joined: 10, left: 5 });
    expect(lead.byOperator.map((o) => o.key)).toEqual(['ou_op_1']);
    expect((await summary('ou_lead_s', 'days=30&team=comm_south')).statusCode).toBe(200);
    expect((await summary('ou_lead_s', 'days=30&team=comm_north')).statusCode).toBe(403);
    expect(((await summary('ou_lead_x')).json() as { totals: unknown }).totals).toBeNull();
    // A manager may ask for one team.
    const north = (await summary('ou_mgr', 'from=2026-11-01&to=2026-11-30&team=comm_north')).json() as {
      totals: Record<string, number>;
    };
    expect(north.totals).toMatchObject({ communities: 1, left: 30 });
  });

  it('keeps a community’s team when an update leaves it out, and clears it on null', async () => {
    await addCommunities(t, [{ code: 'A1', operator: 'ou_op_1', platform: 'wecom' }]);
    expect(((await summary('ou_lead_s')).json() as { totals: Record<string, number> }).totals).toMatchObject({
      communities: 1,
    });
    await addCommunities(t, [{ code: 'A1', operator: 'ou_op_1', platform: 'wecom', team: null }]);
    expect(((await summary('ou_lead_s')).json() as { totals: unknown }).totals).toBeNull();
    await addCommunities(t, [{ code: 'A1', operator: 'ou_op_1', platform: 'wecom', team: 'comm_south' }]);
  });

  it('401 without a session, 403 without a community role, 400 for a bad period', async () => {
    expect((await summary(null)).statusCode).toBe(401);
    expect((await summary('ou_agent')).statusCode).toBe(403);
    expect((await summary('ou_mgr', 'days=0')).statusCode).toBe(400);
  });
});

describe('a lead’s own communities on the community tab', () => {
  it('a lead also sees the communities they operate themselves outside their teams', async () => {
    // ou_lead_s leads 华南 (A1) and runs L1 in 华北 themselves; ou_lead_x leads no team and runs L2 in none.
    await addCommunities(t, [
      { code: 'L1', operator: 'ou_lead_s', platform: 'wechat', team: 'comm_north' },
      { code: 'L2', operator: 'ou_lead_x', platform: 'wechat', team: null },
    ]);
    await apiPost(t, '/api/community/metrics', {
      rows: [day('L1', '2026-11-28', { membersJoined: 4, membersLeft: 0 }), day('L2', '2026-11-28')],
    });
    const lead = (await summary('ou_lead_s')).json() as {
      totals: Record<string, number>;
      byOperator: Array<{ key: string }>;
    };
    expect(lead.totals).toMatchObject({ communities: 2, joined: 14 });
    expect(lead.byOperator.map((o) => o.key).sort()).toEqual(['ou_lead_s', 'ou_op_1']);
    // Asking for their team narrows to it; the other lead sees their own community and no other.
    const team = (await summary('ou_lead_s', 'from=2026-11-01&to=2026-11-30&team=comm_south')).json() as {
      totals: Record<string, number>;
    };
    expect(team.totals).toMatchObject({ communities: 1, joined: 10 });
    const other = (await summary('ou_lead_x')).json() as { byOperator: Array<{ key: string }> };
    expect(other.byOperator.map((o) => o.key)).toEqual(['ou_lead_x']);
    // The manager sees all four; an operator still only their own.
    expect(((await summary('ou_mgr')).json() as { totals: { communities: number } }).totals.communities).toBe(4);
    expect(((await summary('ou_op_1')).json() as { totals: { communities: number } }).totals.communities).toBe(1);
  });
});
