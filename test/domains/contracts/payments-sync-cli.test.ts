import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId, startSandbox } from '../../../src/sandbox/index.js';
import { cliProcess, type CliProcess } from '../../helpers/cli-process.js';

// `feishu-ops sync` writes the 付款 rows of payments requested before the 付款 mirror (they have no row until their
// next change otherwise). The real command against the offline sandbox.
describe('feishu-ops sync backfills 付款', { timeout: 300_000 }, () => {
  let p: CliProcess;
  const cli = (...args: string[]) => p.cli(...args);
  const text = (v: unknown) => (Array.isArray(v) ? (v as Array<{ text: string }>).map((s) => s.text).join('') : v);

  /** 付款 as the sandbox's Bitable holds it (the CLI has finished and saved the sandbox's state). */
  const grid = async () => {
    const sandbox = await startSandbox({ dataDir: p.dataDir, port: 0 });
    try {
      const app = sandbox.state.apps()[0]!;
      const table = app.tables.find((t) => t.name === '付款')!;
      return sandbox.state.records(app.app_token, table.table_id);
    } finally {
      await sandbox.close();
    }
  };

  beforeAll(async () => {
    p = await cliProcess('fo-payments-sync-', 240_000);
    await cli('migrate');
    await cli('provision');
    const d = await p.db();
    await d.query(`insert into contracts_counterparties (name) values ('旧付款相对方')`);
    await d.query(
      `insert into contracts_contracts (contract_no, title, counterparty_id, type, amount_fen, amount_cny_fen,
         start_date, end_date, owner_open_id, state, source)
       select 'HT-OLD-1', '旧合同', id, 'purchase', 1000000, 1000000, '2026-01-01', '2026-12-31', 'ou_owner',
         'active', 'api' from contracts_counterparties where name = '旧付款相对方'`,
    );
    await d.query(
      `insert into contracts_payments (contract_id, amount_fen, state, planned_date, requested_by, decided_by)
       select id, 250000, 'approved', '2026-11-20'::date, $1, $2 from contracts_contracts
       union all
       select id, 99900, 'pending_approval', null::date, 'api', null from contracts_contracts`,
      [demoOpenId('jiangxin'), demoOpenId('lina')],
    );
    await d.close();
  });
  afterAll(async () => p?.close());

  it('writes a row for each payment without one, once', async () => {
    const { stdout } = await cli('sync');
    expect(stdout).toContain('付款 payments: 2 payments without a row written');
    const rows = await grid();
    const of = (n: string) => rows.find((r) => text(r.fields['付款编号']) === n);
    const [first, second] = [of('FK000001')!, of('FK000002')!];
    expect(first.fields['付款金额']).toBe(2500);
    expect(String(first.fields['状态'])).toBe('已审批');
    expect(second.fields['付款金额']).toBe(999);
    expect(String(second.fields['状态'])).toBe('待审批');
    const d = await p.db();
    const stored = await d.query(`select id, bitable_record_id from contracts_payments order by id`);
    await d.close();
    expect(stored.rows.map((r) => r.bitable_record_id)).toEqual([first.record_id, second.record_id]);

    const again = await cli('sync');
    expect(again.stdout).toContain('付款 payments: 0 payments without a row written');
    expect((await grid()).length).toBe(rows.length);
  });
});
