import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { waitFor } from '../helpers/app.js';
import { settled, START_BUDGET_MS, provisionedTable, startTestProduct, type TestProduct } from '../helpers/product.js';

// 社群汇总 in Bitable: the ten-minute run sums the stored rollups per ISO week and month (Asia/Shanghai business
// days) in total, per platform and per operator, and writes only the rows that differ. The whole product against
// the sandbox; the figures below are summed by hand from the daily rows posted.
describe('社群汇总 in Bitable', () => {
  let product: TestProduct;
  let now = new Date('2026-12-02T10:00:00+08:00');
  const op1 = demoOpenId('jiangxin');
  const op2 = demoOpenId('wangxiaoli');
  let table: { appToken: string; tableId: string };

  beforeAll(async () => {
    product = await startTestProduct({
      cron: false,
      clock: { now: () => now },
      env: { API_TOKENS: 'summary-grid-token' },
    });
    table = await provisionedTable(product, '社群汇总', 'community_summary');
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const post = async (url: string, body: unknown) => {
    const res = await fetch(`${product.url}${url}`, {
      method: 'POST',
      headers: { authorization: 'Bearer summary-grid-token', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  };
  const day = (community: string, date: string, f: number[]) => {
    const [membersTotal, membersJoined, membersLeft, activeMembers, messages, orders, gmvFen] = f;
    return { community, date, membersTotal, membersJoined, membersLeft, activeMembers, messages, orders, gmvFen };
  };
  const rows = () => product.sandbox!.state.records(table.appToken, table.tableId);
  const text = (v: unknown) => (Array.isArray(v) ? v.map((s: { text?: string }) => s.text ?? '').join('') : v);
  const rowOf = (no: string) => rows().find((r) => text(r.fields['汇总编号']) === no)?.fields;
  const revision = () => product.sandbox!.state.apps()[0]!.tables.find((t) => t.table_id === table.tableId)!.revision;
  let slot = 0;
  /** One run of the ten-minute job, waited for to the end. */
  const sync = async () => {
    expect(await product.deps.jobs.tick('community.summary-bitable', new Date(now.getTime() + ++slot * 600_000))).toBe(
      true,
    );
    await settled(product, 'the summary run');
  };
  const midnight = (d: string) => Date.parse(`${d}T00:00:00+08:00`);

  it('writes a row per week and month: in total, per platform, per operator, with figures summed by hand', async () => {
    await post('/api/community/communities', {
      communities: [
        { code: 'SUM-A', name: '汇总群 A', platform: 'wecom', operatorOpenId: op1 },
        { code: 'SUM-B', name: '汇总群 B', platform: 'douyin', operatorOpenId: op2 },
      ],
    });
    // members total, joined, left, active, messages, orders, GMV (fen). 11-29 is a Sunday (2026-W48), 11-30 a Monday.
    await post('/api/community/metrics', {
      rows: [
        day('SUM-A', '2026-11-29', [100, 10, 2, 20, 50, 2, 10_000]),
        day('SUM-A', '2026-11-30', [105, 6, 1, 30, 60, 3, 20_000]),
        day('SUM-A', '2026-12-01', [103, 1, 3, 10, 40, 1, 5_000]),
        day('SUM-B', '2026-11-30', [50, 5, 0, 5, 10, 0, 0]),
        day('SUM-B', '2026-12-01', [52, 3, 1, 10, 20, 1, 3_000]),
      ],
    });
    await sync();
    // W48, W49, November, December: everything, each platform and each operator that has days in it.
    expect(
      rows()
        .map((r) => text(r.fields['汇总编号']))
        .sort(),
    ).toEqual(
      [
        '2026-W48/all',
        '2026-W48/platform/wecom',
        `2026-W48/operator/${op1}`,
        ...['2026-W49', '2026-11', '2026-12'].flatMap((p) => [
          `${p}/all`,
          `${p}/platform/wecom`,
          `${p}/platform/douyin`,
          `${p}/operator/${op1}`,
          `${p}/operator/${op2}`,
        ]),
      ].sort(),
    );
    // Week 49 (Mon 11-30 … Sun 12-06), everything: A 11-30 + 12-01, B 11-30 + 12-01.
    expect(rowOf('2026-W49/all')).toMatchObject({
      周期类型: '周',
      周期: [{ text: '2026-W49', type: 'text' }],
      开始日期: midnight('2026-11-30'),
      结束日期: midnight('2026-12-06'),
      当前周期: true,
      汇总维度: '全部',
      社群数: 2,
      期初成员: 100 + 45, // A 105 − 6 + 1, B 50 − 5 + 0
      期末成员: 103 + 52,
      新增成员: 15,
      退群成员: 5,
      净增长: 10,
      流失率: 0.0345, // 5 ÷ 145
      活跃率: 0.1774, // 55 active member-days ÷ 310 member-days
      发言数: 130,
      成交订单数: 5,
      成交金额: 280,
      转化率: 0.0909, // 5 ÷ 55
      人均GMV: 1.81, // 28,000 fen ÷ (310 ÷ 2 days)
      有数据天数: 2,
    });
    // November, everything: A 11-29 + 11-30, B 11-30 (opening: A on 11-29, 100 − 10 + 2; B on 11-30).
    expect(rowOf('2026-11/all')).toMatchObject({
      周期类型: '月',
      当前周期: false,
      期初成员: 92 + 45,
      期末成员: 105 + 50,
      新增成员: 21,
      发言数: 120,
      成交金额: 300,
      有数据天数: 2,
    });
    expect(rowOf('2026-W48/platform/wecom')).toMatchObject({ 平台: '企业微信', 社群数: 1, 新增成员: 10, 发言数: 50 });
    expect(rowOf(`2026-12/operator/${op2}`)).toMatchObject({ 汇总维度: '按运营', 期初成员: 50, 期末成员: 52 });
    expect(JSON.stringify(rowOf(`2026-12/operator/${op2}`)!['运营'])).toContain(op2);
  });

  it('writes nothing when nothing changed', async () => {
    const before = revision();
    await sync();
    expect(revision()).toBe(before);
  });

  it("a corrected day rewrites only its week's and its month's rows", async () => {
    const snapshot = new Map(rows().map((r) => [text(r.fields['汇总编号']), JSON.stringify(r.fields)]));
    const before = revision();
    await post('/api/community/metrics', { rows: [day('SUM-B', '2026-11-30', [50, 5, 0, 5, 30, 0, 0])] });
    await sync();
    const changed = rows()
      .filter((r) => snapshot.get(text(r.fields['汇总编号'])) !== JSON.stringify(r.fields))
      .map((r) => text(r.fields['汇总编号']));
    const expected = ['2026-W49', '2026-11'].flatMap((p) => [
      `${p}/all`,
      `${p}/platform/douyin`,
      `${p}/operator/${op2}`,
    ]);
    expect(changed.sort()).toEqual(expected.sort());
    // One write per changed row, none for the rest.
    expect(revision() - before).toBe(expected.length);
    expect(rowOf('2026-W49/all')!['发言数']).toBe(150);
  });

  it('puts back a figure a person types over and tells them why', async () => {
    const record = rows().find((r) => text(r.fields['汇总编号']) === '2026-12/all')!;
    await product.sandbox!.actions.editRecord(op1, table.appToken, table.tableId, record.record_id, { 发言数: 1 });
    await waitFor(async () => rowOf('2026-12/all')!['发言数'] === 60, 'the figure put back');
    const dm = await waitFor(
      async () =>
        product
          .sandbox!.state.messages({ chatId: product.sandbox!.state.p2pChatOf(op1)?.chat_id, fromBot: true })
          .find((m) => m.content.includes('社群汇总') && m.content.includes('发言数')),
      'a DM to the editor',
    );
    expect(dm.content).toContain('2026-12/all');
  });

  it('a run that fails is a failed job, retried until the rows are written; the bot keeps running', async () => {
    await post('/api/community/metrics', { rows: [day('SUM-A', '2026-11-30', [105, 6, 1, 30, 65, 3, 20_000])] });
    // Feishu refuses the run's first write (a 400: the client does not retry it); the job fails, pg-boss runs it again.
    product.sandbox!.faults.failNext(1, { status: 400, pathPrefix: '/open-apis/bitable/' });
    await sync();
    expect(rowOf('2026-W49/all')!['发言数']).toBe(155);
    expect(rowOf('2026-11/all')!['发言数']).toBe(50 + 65 + 30);
    const { rows: jobs } = await product.deps.database.query<{ state: string; retry_count: number }>(
      `select state, retry_count from pgboss.job where name = 'schedule.community.summary-bitable'
        order by created_on desc limit 1`,
    );
    expect(jobs[0]).toEqual({ state: 'completed', retry_count: 1 });
    expect((await fetch(`${product.url}/healthz`)).status).toBe(200);
  });

  it('puts the days around the year end in ISO week 2026-W53 and in their own months', async () => {
    now = new Date('2027-01-02T10:00:00+08:00');
    await post('/api/community/metrics', {
      rows: [
        day('SUM-A', '2026-12-31', [110, 4, 1, 20, 70, 2, 8_000]),
        day('SUM-A', '2027-01-01', [112, 3, 1, 25, 80, 1, 6_000]),
      ],
    });
    await sync();
    // Thursday 2026-12-31 and Friday 2027-01-01: the week of Monday 2026-12-28 (its Thursday is in 2026).
    expect(rowOf('2026-W53/all')).toMatchObject({
      开始日期: midnight('2026-12-28'),
      结束日期: midnight('2027-01-03'),
      当前周期: true,
      新增成员: 7,
      发言数: 150,
      有数据天数: 2,
    });
    expect(rowOf('2027-01/all')).toMatchObject({ 当前周期: true, 新增成员: 3, 期初成员: 110, 发言数: 80 });
    expect(rowOf('2026-12/all')).toMatchObject({ 当前周期: false, 发言数: 60 + 70, 期末成员: 110 + 52 });
    // The week and month that ended lost their 当前周期 tick.
    expect(rowOf('2026-W49/all')!['当前周期']).toBeFalsy();
  });

  it('deletes the rows of weeks that left the 13-week window, keeps months still in the 13-month one', async () => {
    now = new Date('2027-04-01T10:00:00+08:00');
    await sync();
    const labels = new Set(rows().map((r) => String(text(r.fields['汇总编号'])).split('/')[0]));
    // The oldest week kept starts 2027-01-04 (13 weeks back from Monday 2027-03-29); months from 2026-04.
    expect([...labels].sort()).toEqual(['2026-11', '2026-12', '2027-01']);
    expect(rowOf('2027-01/all')).toMatchObject({ 当前周期: false, 新增成员: 3 });
  });
});
