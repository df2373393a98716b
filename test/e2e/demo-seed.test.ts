import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/app.js';
import { settled, START_BUDGET_MS, startTestProduct, type TestProduct } from '../helpers/product.js';

describe('the sandbox demo tenant', () => {
  let product: TestProduct;
  beforeAll(async () => {
    product = await startTestProduct({
      seedDemo: true,
      cron: false,
      clock: { now: () => new Date('2026-11-25T16:00:00+08:00') },
    });
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  it('loads the directory: teams with their group chats, leads and managers', async () => {
    const { rows } = await product.deps.database.query<{
      key: string;
      chat_id: string | null;
      lead_open_id: string | null;
    }>('select key, chat_id, lead_open_id from directory_teams order by key');
    expect(rows.map((r) => r.key)).toEqual(
      expect.arrayContaining(['customer_service', 'finance', 'logistics', 'refund_dispute', 'warehouse']),
    );
    expect(rows.every((r) => r.chat_id && r.lead_open_id)).toBe(true);
    const people = await product.deps.database.query<{ n: number }>(
      `select count(*)::int as n from directory_people where source = 'bitable'`,
    );
    expect(people.rows[0]!.n).toBe(product.sandbox!.state.users().length);
  });

  it('keeps the people, teams and exception kinds where an admin looks for them: in the Base', () => {
    const app = product.sandbox!.state.apps()[0]!;
    const count = (name: string) =>
      product.sandbox!.state.records(app.app_token, app.tables.find((t) => t.name === name)!.table_id).length;
    expect(count('人员与角色')).toBe(product.sandbox!.state.users().length);
    expect(count('团队')).toBe(8);
    expect(count('异常类型配置')).toBe(8);
  });

  it('holds contracts in every state, made through the workflow, charged to budget lines with an owner', async () => {
    const { rows } = await product.deps.database.query<{ state: string }>(
      'select distinct state from contracts_contracts order by state',
    );
    expect(rows.map((r) => r.state)).toEqual([
      'active',
      'draft',
      'expired',
      'expiring',
      'in_approval',
      'renewed',
      'terminated',
    ]);
    const lines = await product.deps.database.query<{ n: number }>(
      'select count(*)::int as n from contracts_budgets where owner_open_id is not null and fiscal_year = 2026',
    );
    expect(lines.rows[0]!.n).toBe(2);
  });

  it('plays two weeks of exception history: mostly closed, recent ones still open', async () => {
    const { rows } = await product.deps.database.query<{ state: string; n: number }>(
      'select state, count(*)::int as n from exceptions_cases group by state',
    );
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

  it('holds a year of daily metrics for ~60 communities on five platforms, up to yesterday', async () => {
    const { rows } = await product.deps.database.query<{ platform: string; communities: number; days: number }>(
      `select c.platform, count(distinct c.id)::int as communities, count(*)::int as days,
              to_char(max(m.day), 'YYYY-MM-DD') as last
         from community_communities c join community_daily_metrics m on m.community_id = c.id
        where c.code like 'DEMO-%' group by c.platform order by c.platform`,
    );
    expect(rows.map((r) => r.platform)).toEqual(['douyin', 'feishu', 'wechat', 'wecom', 'xiaohongshu']);
    expect(rows.reduce((n, r) => n + r.communities, 0)).toBe(60);
    for (const r of rows) expect(r).toMatchObject({ communities: 12, days: 12 * 365, last: '2026-11-24' });
  });

  it('plays three weeks of QA: each agent sampled daily, scored by the inspectors, yesterday to score', async () => {
    const { rows } = await product.deps.database.query<{
      agents: number;
      days: number;
      scored: number;
      waiting: number;
      deducted: number;
      timed: number;
      first: string;
      last: string;
    }>(
      `select count(distinct c.agent_open_id)::int as agents,
              count(distinct (c.started_at at time zone 'Asia/Shanghai')::date)::int as days,
              count(*) filter (where r.state = 'scored')::int as scored,
              count(*) filter (where r.state = 'to_score' and r.inspector_open_id is not null)::int as waiting,
              count(*) filter (where r.score < 100)::int as deducted,
              count(*) filter (where r.seconds_spent between 60 and 600)::int as timed,
              to_char(min(r.scored_at at time zone 'Asia/Shanghai'), 'YYYY-MM-DD') as first,
              to_char(max(r.scored_at at time zone 'Asia/Shanghai'), 'YYYY-MM-DD') as last
         from qa_conversations c join qa_reviews r on r.conversation_id = c.id
        where c.external_id like 'demo-%'`,
    );
    const agents = await product.deps.database.query<{ n: number }>(
      `select count(*)::int as n from directory_people where 'agent' = any(roles) and channel is not null`,
    );
    const r = rows[0]!;
    expect(r.agents).toBe(agents.rows[0]!.n);
    expect(r).toMatchObject({ days: 21, first: '2026-11-05', last: '2026-11-24' }); // yesterday's conversations wait
    expect(r.scored).toBeGreaterThan(r.agents * 30); // 2 a weekday, 1 a weekend day, all sampled
    expect(r.waiting).toBeGreaterThan(r.agents); // yesterday's sample
    expect(r.deducted).toBeGreaterThan(r.scored / 5);
    expect(r.timed).toBe(r.scored);
  });

  it("mirrors yesterday's sample, still to score, into 质检记录 for scoring in Bitable", async () => {
    const { rows } = await product.deps.database.query<{ id: number }>(
      `select r.id::int as id from qa_reviews r join qa_conversations c on c.id = r.conversation_id
        where c.external_id like 'demo-%' and r.state = 'to_score'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    const written = await waitFor(
      async () => {
        const { rows: held } = await product.deps.database.query<{ n: number }>(
          `select count(*)::int as n from qa_reviews r join qa_conversations c on c.id = r.conversation_id
            where c.external_id like 'demo-%' and r.state = 'to_score' and r.bitable_record_id is not null`,
        );
        return held[0]!.n === rows.length ? held[0]!.n : undefined;
      },
      "yesterday's reviews in 质检记录",
      120_000,
    );
    const app = product.sandbox!.state.apps()[0]!;
    const table = app.tables.find((t) => t.name === '质检记录')!;
    expect(product.sandbox!.state.records(app.app_token, table.table_id).length).toBeGreaterThanOrEqual(written);
  });

  it('sends nothing to Feishu for the history itself', async () => {
    // Asked once whatever the history queued has run, not while it may still be on its way.
    await settled(product, 'the history played');
    expect(product.sandbox!.state.botMessages()).toHaveLength(0);
  });

  it('fills the 异常件工单 table with the history once Bitable is provisioned, one row per case', async () => {
    await waitFor(
      async () =>
        (
          await product.deps.database
            .query(`select 1 from mirror_tables where table_key = 'exceptions'`)
            .catch(() => ({ rows: [] }))
        ).rows.length > 0,
      'Base provisioned',
      60_000,
    );
    const slot = new Date('2026-11-25T16:02:00+08:00');
    await product.deps.jobs.tick('exceptions.bitable-backfill', slot);
    await waitFor(
      async () => {
        const { rows } = await product.deps.database.query<{ n: number }>(
          'select count(*)::int as n from exceptions_cases where bitable_record_id is null',
        );
        return rows[0]!.n === 0;
      },
      'every case has its row',
      60_000,
    );
    const app = product.sandbox!.state.apps()[0]!;
    const table = app.tables.find((t) => t.name === '异常件工单')!;
    const { rows } = await product.deps.database.query<{ n: number }>(
      'select count(*)::int as n from exceptions_cases',
    );
    expect(product.sandbox!.state.records(app.app_token, table.table_id)).toHaveLength(rows[0]!.n);
    // Running it again writes nothing new.
    expect(await product.deps.jobs.tick('exceptions.bitable-backfill', new Date(slot.getTime() + 120_000))).toBe(true);
    await settled(product, 'the second backfill run');
    expect(product.sandbox!.state.records(app.app_token, table.table_id)).toHaveLength(rows[0]!.n);
  }, 120_000);
});
