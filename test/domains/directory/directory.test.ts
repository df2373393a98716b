import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory, type Directory } from '../../../src/domains/directory/service.js';
import type { Database } from '../../../src/db/client.js';
import { createTestDatabase } from '../../helpers/db.js';

describe('directory', () => {
  let database: Database;
  let directory: Directory;
  beforeAll(async () => {
    database = await createTestDatabase();
    directory = createDirectory({ db: database.db });
    await directory.upsertTeams([
      { key: 'warehouse', name: '仓库 Warehouse', chatId: 'oc_wh', leadOpenId: 'ou_lead', managerOpenId: 'ou_mgr' },
    ]);
    await directory.upsertPeople([
      { openId: 'ou_a', name: '甲', teams: ['warehouse'], roles: ['warehouse'] },
      { openId: 'ou_b', name: '乙', teams: ['warehouse'], roles: ['warehouse'] },
      { openId: 'ou_c', name: '丙', teams: ['warehouse'], roles: ['warehouse', 'lead'] },
      { openId: 'ou_gone', name: '离职', teams: ['warehouse'], roles: ['warehouse'], active: false },
    ]);
  });
  afterAll(() => database.close());

  it('finds people by team and role, leaving out those who left', async () => {
    expect((await directory.people({ team: 'warehouse' })).map((p) => p.openId)).toEqual(['ou_a', 'ou_b', 'ou_c']);
    expect((await directory.people({ team: 'warehouse', role: 'lead' })).map((p) => p.openId)).toEqual(['ou_c']);
    expect((await directory.team('warehouse'))?.chatId).toBe('oc_wh');
  });

  it('rotates assignments evenly, even when asked concurrently', async () => {
    const picks = await Promise.all(Array.from({ length: 6 }, () => directory.nextInRotation('warehouse')));
    const counts = picks.reduce<Record<string, number>>(
      (acc, p) => ({ ...acc, [p!.openId]: (acc[p!.openId] ?? 0) + 1 }),
      {},
    );
    expect(counts).toEqual({ ou_a: 2, ou_b: 2, ou_c: 2 });
    expect(await directory.nextInRotation('nobody')).toBeNull();
  });

  it('updates a person in place and keeps the rotation cursor on team updates', async () => {
    await directory.upsertPeople([{ openId: 'ou_a', name: '甲（新）', teams: ['warehouse'], roles: ['warehouse'] }]);
    expect((await directory.person('ou_a'))?.name).toBe('甲（新）');
    const before = (await directory.team('warehouse'))!.rotation;
    await directory.upsertTeams([{ key: 'warehouse', name: '仓库', chatId: 'oc_wh2' }]);
    const after = (await directory.team('warehouse'))!;
    expect(after.rotation).toBe(before);
    expect(after.chatId).toBe('oc_wh2');
  });
});
