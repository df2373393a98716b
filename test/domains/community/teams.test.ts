// Issue 12 / team codes: a community's 团队 must be one of the directory's teams (团队编码 in 团队), from the API and
// from the 社群 grid alike; an unknown one is refused and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { communityTableSpec } from '../../../src/domains/community/bitable.js';
import { repo } from '../../../src/domains/community/repository.js';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { apiPost, communityApp, type CommunityTestApp } from './helpers.js';

let t: CommunityTestApp;
beforeAll(async () => {
  t = await communityApp({ workers: false });
  await createDirectory({ db: t.deps.database.db }).upsertTeams([
    { key: 'comm_south', name: '华南社群组', chatId: 'oc_south', leadOpenId: 'ou_lead_s' },
  ]);
});
afterAll(async () => t?.close());

const teamOf = async (code: string) => (await repo.byCodes(t.deps.database.db, [code]))[0]?.teamKey;
const post = (communities: unknown[]) => apiPost(t, '/api/community/communities', { communities });

describe('a community’s team is a team of the directory', () => {
  it('POST /api/community/communities: an unknown team is a 400 naming the field, and nothing is stored', async () => {
    const res = await post([
      { code: 'OK-1', name: '好群', platform: 'wecom', team: 'comm_south' },
      { code: 'BAD-1', name: '坏群', platform: 'wecom', team: 'comm_nowhere' },
    ]);
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error: { message: string; details: Array<{ field: string; message: string }> } }>();
    expect(body.error.message).toContain('communities[1].team');
    expect(body.error.message).toContain('未知团队「comm_nowhere」');
    expect(body.error.details).toEqual([
      { field: 'communities[1].team', message: expect.stringContaining('团队编码') },
    ]);
    // The whole batch is refused: the good row is not half-written.
    expect(await teamOf('OK-1')).toBeUndefined();
    expect(await teamOf('BAD-1')).toBeUndefined();
  });

  it('takes a known team, no team (null) and a left-out team (kept)', async () => {
    expect((await post([{ code: 'OK-1', name: '好群', platform: 'wecom', team: 'comm_south' }])).statusCode).toBe(200);
    expect(await teamOf('OK-1')).toBe('comm_south');
    expect((await post([{ code: 'OK-1', name: '好群', platform: 'wecom' }])).statusCode).toBe(200);
    expect(await teamOf('OK-1')).toBe('comm_south');
    expect((await post([{ code: 'OK-1', name: '好群', platform: 'wecom', team: null }])).statusCode).toBe(200);
    expect(await teamOf('OK-1')).toBeNull();
  });

  it('社群 grid: a typed unknown team is refused (put back, DM with why by the kit); a known one is taken', async () => {
    expect((await post([{ code: 'GRID-1', name: '表格群', platform: 'wecom', team: 'comm_south' }])).statusCode).toBe(
      200,
    );
    const spec = communityTableSpec(t.deps.database.db, { withEdits: true });
    const entity = (await repo.byCodes(t.deps.database.db, ['GRID-1']))[0]!;
    const edit = (after: string) => ({
      entity,
      recordNo: 'GRID-1',
      recordId: 'rec_grid_1',
      fields: [{ key: 'team', name: '团队', before: 'comm_south', after }],
      operatorOpenId: 'ou_editor',
      at: t.clock.now(),
      key: `edit-${after}`,
    });
    const refused = await spec.onEdit!(edit('comm_nowhere'));
    expect(refused).toEqual([{ key: 'team', reason: expect.stringContaining('未知团队「comm_nowhere」') }]);
    expect(await teamOf('GRID-1')).toBe('comm_south');
    await createDirectory({ db: t.deps.database.db }).upsertTeams([
      { key: 'comm_north', name: '华北社群组', chatId: 'oc_north', leadOpenId: 'ou_lead_n' },
    ]);
    expect(await spec.onEdit!(edit('comm_north'))).toBeUndefined();
    expect(await teamOf('GRID-1')).toBe('comm_north');
  });

  it('社群 grid: a row added with an unknown team is refused with the reason until the team is fixed', async () => {
    const spec = communityTableSpec(t.deps.database.db, { withEdits: true });
    const row = (team: string) => ({
      recordId: 'rec_new_1',
      values: { code: 'NEW-1', community_name: '新群', platform: '企业微信', team },
      operatorOpenId: 'ou_editor',
      at: t.clock.now(),
      key: `add-${team}`,
    });
    await expect(spec.onAdd!(row('comm_nowhere'))).rejects.toThrow(ValidationError);
    await expect(spec.onAdd!(row('comm_nowhere'))).rejects.toThrow('未知团队「comm_nowhere」');
    expect(spec.refusalField).toBe('bot_status');
    expect(await teamOf('NEW-1')).toBeUndefined();
    const made = await spec.onAdd!(row('comm_south'));
    expect(made?.code).toBe('NEW-1');
    expect(await teamOf('NEW-1')).toBe('comm_south');
  });
});
