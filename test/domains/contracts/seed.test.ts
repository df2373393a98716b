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

  it('charges the demo contracts to the lines through payments: both lines show real use, 已占用 as defined', async () => {
    const { rows } = await t.database.query<{
      code: string;
      committed: number;
      reserved: number;
      spent: number;
      expected: number;
    }>(
      `select b.code, b.committed_fen::int as committed, b.reserved_fen::int as reserved, b.spent_fen::int as spent,
              coalesce((select sum(case when c.state in ('active', 'expiring') then c.amount_cny_fen
                                        when c.state in ('expired', 'terminated', 'renewed') then coalesce((
                                          select sum(p.amount_fen) from contracts_payments p where p.contract_id = c.id
                                             and p.state in ('pending_approval', 'approved', 'paid')), 0)
                                        else 0 end)
                          from contracts_contracts c where c.budget_id = b.id), 0)::int as expected
         from contracts_budgets b order by b.code`,
    );
    // 物流: 快递 3 × ¥60,000 + 同城 ¥45,000 + 春节 ¥12,000 + 冷链 ¥40,000; 推广: 投放 ¥140,000.
    expect(rows.map((r) => [r.code, r.reserved])).toEqual([
      ['LOG-2026', 277_000_00],
      ['MKT-2026', 140_000_00],
    ]);
    for (const r of rows) {
      expect(r.spent).toBeGreaterThan(0);
      expect(r.committed).toBe(r.expected);
    }
    // The expired contract holds only what it paid; the renewed one's renewal holds its amount.
    const held = await t.database.query<{ title: string; state: string; held: number }>(
      `select title, state, budget_committed_fen::int as held from contracts_contracts
        where title in ('春节促销物料采购', '冷链运输合同') order by title, id`,
    );
    expect(held.rows).toEqual([
      { title: '冷链运输合同', state: 'renewed', held: 40_000_00 },
      { title: '冷链运输合同', state: 'active', held: 90_000_00 },
      { title: '春节促销物料采购', state: 'expired', held: 12_000_00 },
    ]);
  });
});
