// Who sees which communities on the dashboard's community tab (tabReach, the scope function the tab reads):
// a manager every one, an operator those they run, a lead their teams' and those they run themselves outside
// them. The rollups read for each reach from the stored tables equal the from-scratch query.
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardAccess, scopeOf } from '../../../src/dashboard/access.js';
import { ForbiddenError } from '../../../src/core/errors.js';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { rollup } from '../../../src/domains/community/rollup-repository.js';
import { rollupFromRows } from '../../../src/domains/community/rollup-rows.js';
import { inReach, reachFilters, tabReach, type TabAsk } from '../../../src/domains/community/service/reach.js';
import { addCommunities, apiPost, communityApp, weeklyRows, type CommunityTestApp } from './helpers.js';

let t: CommunityTestApp;
beforeAll(async () => {
  t = await communityApp({ workers: false });
  const directory = createDirectory({ db: t.deps.database.db });
  await directory.upsertTeams([
    { key: 'comm_south', name: '华南社群组', chatId: 'oc_south', leadOpenId: 'ou_lead' },
    { key: 'comm_north', name: '华北社群组', chatId: 'oc_north', leadOpenId: 'ou_lead_n' },
  ]);
  await directory.upsertPeople([
    { openId: 'ou_lead', name: '华南组长', teams: ['comm_south'], roles: ['community_operator', 'lead'] },
    { openId: 'ou_op', name: '运营', teams: ['comm_south'], roles: ['community_operator'] },
    { openId: 'ou_mgr', name: '经理', teams: [], roles: ['manager'] },
    { openId: 'ou_agent', name: '客服', teams: [], roles: ['agent'] },
  ]);
  await addCommunities(t, [
    { code: 'S-1', operator: 'ou_op', team: 'comm_south' },
    { code: 'N-1', operator: 'ou_op', team: 'comm_north', platform: 'douyin' },
    { code: 'OWN-N', operator: 'ou_lead', team: 'comm_north', platform: 'wechat' },
    { code: 'OWN-0', operator: 'ou_lead', team: null, platform: 'xiaohongshu' },
  ]);
  const rows = ['S-1', 'N-1', 'OWN-N', 'OWN-0'].flatMap((c, i) =>
    weeklyRows(c, '2026-11-29', 10, () => ({ membersJoined: i + 1, membersLeft: 0 })),
  );
  expect((await apiPost(t, '/api/community/metrics', { rows })).statusCode).toBe(200);
});
afterAll(async () => t?.close());

/** The tab's scope for a signed-in person, as the tab's guard puts it on the request. */
async function scopeFor(openId: string) {
  const req = { viewer: { openId }, dashboardScope: null } as unknown as FastifyRequest;
  await dashboardAccess(t.deps.database.db).guard('community')(req);
  return scopeOf(req);
}

/** The communities (by code) a person's reach on the tab covers, read through the rollups by community. */
async function seen(openId: string, ask: TabAsk = {}): Promise<string[]> {
  const reach = tabReach(await scopeFor(openId), ask);
  const q = { grain: 'span' as const, from: '2026-11-20', to: '2026-11-29', ...reachFilters(reach) };
  // Across communities: the stored rollups equal the from-scratch query for this reach, by day and for the span.
  for (const grain of ['span', 'day'] as const)
    for (const by of ['all', 'platform', 'operator'] as const)
      expect(await rollup(t.database, { ...q, grain, by })).toEqual(
        await rollupFromRows(t.database, { ...q, grain, by }),
      );
  const communities = (await rollup(t.database, { ...q, by: 'community' })).map((r) => r.key);
  // The open-alerts filter agrees with the rollups.
  const { rows } = await t.database.query<{ code: string; team_key: string | null; operator_open_id: string }>(
    'select code, team_key, operator_open_id from community_communities order by code',
  );
  expect(
    rows.filter((c) => inReach(reach, { team: c.team_key, operator: c.operator_open_id })).map((c) => c.code),
  ).toEqual([...communities].sort());
  return communities.sort();
}

describe('the community tab’s reach, by role', () => {
  it('a manager sees every community, or one team when asked', async () => {
    expect(await seen('ou_mgr')).toEqual(['N-1', 'OWN-0', 'OWN-N', 'S-1']);
    expect(await seen('ou_mgr', { team: 'comm_north' })).toEqual(['N-1', 'OWN-N']);
  });

  it('an operator sees the communities they operate, in every team, and no one else’s', async () => {
    expect(await seen('ou_op')).toEqual(['N-1', 'S-1']);
    await expect(seen('ou_op', { operator: 'ou_lead' })).rejects.toThrow(ForbiddenError);
    await expect(seen('ou_op', { team: 'comm_south' })).rejects.toThrow(ForbiddenError);
  });

  it('a lead sees their teams’ communities and the ones they run themselves outside them', async () => {
    // S-1 is 华南's (run by ou_op); OWN-N (华北) and OWN-0 (no team) are run by the lead; N-1 is neither.
    expect(await seen('ou_lead')).toEqual(['OWN-0', 'OWN-N', 'S-1']);
    // Asking for one team of theirs narrows to that team; another team is refused.
    expect(await seen('ou_lead', { team: 'comm_south' })).toEqual(['S-1']);
    await expect(seen('ou_lead', { team: 'comm_north' })).rejects.toThrow(ForbiddenError);
    // Asking for one person: that person's communities within the lead's reach.
    expect(await seen('ou_lead', { operator: 'ou_lead' })).toEqual(['OWN-0', 'OWN-N']);
    expect(await seen('ou_lead', { operator: 'ou_op' })).toEqual(['S-1']);
  });

  it('someone the tab has no level for gets no scope at all', async () => {
    await expect(scopeFor('ou_agent')).rejects.toThrow(ForbiddenError);
  });
});
