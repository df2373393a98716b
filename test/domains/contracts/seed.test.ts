import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSeeds, type DemoPerson } from '../../../src/core/seed.js';
import { contractsApp, settle, type ContractsTestApp } from './helpers.js';

const person = (openId: string, role: string): DemoPerson => ({
  openId,
  key: openId,
  name: openId,
  enName: openId,
  department: role,
  role,
  title: role,
});

// The sandbox's demo: contracts in every state, made through the workflow, and their budget lines.
describe('the demo contracts', () => {
  let t: ContractsTestApp;
  const seed = () =>
    runSeeds(t.registry.seeds, {
      now: t.clock.now(),
      log: t.deps.log,
      tenant: { people: [person('ou_req', 'warehouse'), person('ou_fin', 'finance')], chats: [] },
      history: true,
    });

  beforeAll(async () => {
    t = await contractsApp({ start: '2026-03-02T10:00' });
    await seed();
    await settle(t);
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  it('holds a contract in every state, and a second start adds nothing', async () => {
    const states = async () =>
      (
        await t.database.query<{ state: string; n: number }>(
          'select state, count(*)::int as n from contracts_contracts group by state order by state',
        )
      ).rows;
    const first = await states();
    expect(first.map((r) => r.state)).toEqual([
      'active',
      'draft',
      'expired',
      'expiring',
      'in_approval',
      'renewed',
      'terminated',
    ]);
    await seed();
    expect(await states()).toEqual(first);
  });

  it('sends nothing; the contract in approval waits on legal; lines have year, category and owner', async () => {
    await settle(t);
    expect(t.feishu.sent).toHaveLength(0);
    const { rows: waiting } = await t.database.query<{ approver: string }>(
      `select s.approver_open_id as approver from contracts_contracts c join contracts_approval_steps s
         on s.contract_id = c.id and s.round = c.round and s.decision = 'pending' where c.state = 'in_approval'`,
    );
    expect(waiting).toEqual([{ approver: 'ou_legal' }]);
    const { rows } = await t.database.query<{ code: string; fiscal_year: number; category: string; owner: string }>(
      `select code, fiscal_year, category, owner_open_id as owner from contracts_budgets order by code`,
    );
    expect(rows).toEqual([
      { code: 'LOG-2026', fiscal_year: 2026, category: 'logistics', owner: 'ou_fin' },
      { code: 'MKT-2026', fiscal_year: 2026, category: 'marketing', owner: 'ou_fin' },
    ]);
  });
});
