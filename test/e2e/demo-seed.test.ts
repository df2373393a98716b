import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
