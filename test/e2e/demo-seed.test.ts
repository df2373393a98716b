import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/app.js';
import { startTestProduct, type TestProduct } from '../helpers/product.js';

describe('the sandbox demo tenant', () => {
  let product: TestProduct;
  beforeAll(async () => {
    product = await startTestProduct({ seedDemo: true, cron: false, clock: { now: () => new Date('2026-11-25T16:00:00+08:00') } });
  });
  afterAll(() => product?.close());

  it('loads the directory: teams with their group chats, leads and managers', async () => {
    const { rows } = await product.deps.database.query<{ key: string; chat_id: string | null; lead_open_id: string | null }>('select key, chat_id, lead_open_id from directory_teams order by key');
    expect(rows.map((r) => r.key)).toEqual(expect.arrayContaining(['customer_service', 'finance', 'logistics', 'refund_dispute', 'warehouse']));
    expect(rows.every((r) => r.chat_id && r.lead_open_id)).toBe(true);
    const people = await product.deps.database.query<{ n: number }>('select count(*)::int as n from directory_people');
    expect(people.rows[0]!.n).toBe(product.sandbox!.state.users().length);
  });

  it('plays two weeks of exception history: mostly closed, recent ones still open', async () => {
    const { rows } = await product.deps.database.query<{ state: string; n: number }>('select state, count(*)::int as n from exceptions_cases group by state');
    const by = Object.fromEntries(rows.map((r) => [r.state, r.n]));
    const total = rows.reduce((sum, r) => sum + r.n, 0);
    expect(total).toBeGreaterThanOrEqual(40);
    expect(by.closed).toBeGreaterThan(total / 2);
    expect(total - (by.closed ?? 0) - (by.resolved ?? 0)).toBeGreaterThan(3);
    const money = await product.deps.database.query<{ refunded: number; recovered: number }>(
      'select sum(refunded_fen)::int as refunded, sum(recovered_fen)::int as recovered from exceptions_cases',
    );
    expect(money.rows[0]!.refunded).toBeGreaterThan(0);
    expect(money.rows[0]!.recovered).toBeGreaterThan(0);
  });

  it('sends nothing to Feishu for the history itself', () => {
    expect(product.sandbox!.state.botMessages()).toHaveLength(0);
  });

  it('fills the 异常件工单 table with the history once Bitable is provisioned, one row per case', async () => {
    await waitFor(async () => (await product.deps.database.query(`select 1 from mirror_tables where table_key = 'exceptions'`).catch(() => ({ rows: [] }))).rows.length > 0, 'Base provisioned', 60_000);
    const slot = new Date('2026-11-25T16:02:00+08:00');
    await product.deps.jobs.tick('exceptions.bitable-backfill', slot);
    await waitFor(async () => {
      const { rows } = await product.deps.database.query<{ n: number }>('select count(*)::int as n from exceptions_cases where bitable_record_id is null');
      return rows[0]!.n === 0;
    }, 'every case has its row', 60_000);
    const app = product.sandbox!.state.apps()[0]!;
    const table = app.tables.find((t) => t.name === '异常件工单')!;
    const { rows } = await product.deps.database.query<{ n: number }>('select count(*)::int as n from exceptions_cases');
    expect(product.sandbox!.state.records(app.app_token, table.table_id)).toHaveLength(rows[0]!.n);
    // Running it again writes nothing new.
    await product.deps.jobs.tick('exceptions.bitable-backfill', new Date(slot.getTime() + 120_000));
    await new Promise((r) => setTimeout(r, 1500));
    expect(product.sandbox!.state.records(app.app_token, table.table_id)).toHaveLength(rows[0]!.n);
  }, 120_000);
});
