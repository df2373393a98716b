import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { waitFor } from '../helpers/app.js';
import { settled, START_BUDGET_MS, provisionedTable, startTestProduct, type TestProduct } from '../helpers/product.js';

// 每日指标 in Bitable follows the workflow's figures (mirror.table): the bot writes its own fields only,
// a person's edit of a figure from the API is put back; a day a person adds by hand is taken in (or refused
// with a DM, the row left as typed) and corrected in the grid. The whole product against the sandbox.
describe('每日指标 in Bitable', () => {
  let product: TestProduct;
  const now = new Date('2026-11-30T10:00:00+08:00');
  const operator = demoOpenId('jiangxin');
  let table: { appToken: string; tableId: string };

  beforeAll(async () => {
    product = await startTestProduct({
      cron: false,
      clock: { now: () => now },
      env: { API_TOKENS: 'metrics-grid-token' },
    });
    table = await provisionedTable(product, '每日指标', 'community_daily_metrics');
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const post = async (url: string, body: unknown) => {
    const res = await fetch(`${product.url}${url}`, {
      method: 'POST',
      headers: { authorization: 'Bearer metrics-grid-token', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  };
  const rows = () => product.sandbox!.state.records(table.appToken, table.tableId);
  const rowOf = (no: string) => rows().find((r) => JSON.stringify(r.fields['指标记录']).includes(no));
  // Each run is its own ten-minute slot (a slot runs once).
  let slot = 0;
  /** One run of the 10-minute sync, waited for to the end (its job done, what it wrote delivered back). */
  const sync = async () => {
    expect(await product.deps.jobs.tick('community.metrics-bitable', new Date(now.getTime() + ++slot * 600_000))).toBe(
      true,
    );
    await settled(product, 'the metrics sync run');
  };

  it('writes the recent days with their figures, numbered code@date; again, nothing new', async () => {
    await post('/api/community/communities', {
      communities: [{ code: 'GRID-1', name: '网格测试群', platform: 'wecom', operatorOpenId: operator }],
    });
    const day = (date: string, membersTotal: number) => ({
      community: 'GRID-1',
      date,
      membersTotal,
      membersJoined: 5,
      membersLeft: 2,
      activeMembers: 40,
      messages: 120,
      orders: 3,
      gmvFen: 45_000,
      refundsFen: 0,
    });
    // 10-01 is older than the mirrored window: it stays in Postgres only.
    await post('/api/community/metrics', {
      rows: [day('2026-10-01', 180), day('2026-11-28', 200), day('2026-11-29', 203)],
    });
    await sync();
    await waitFor(async () => rowOf('GRID-1@2026-11-29'), 'the 11-29 row');
    const row = rowOf('GRID-1@2026-11-29')!;
    expect(row.fields['群成员数']).toBe(203);
    expect(row.fields['成交金额']).toBe(450);
    expect(JSON.stringify(row.fields['平台'])).toContain('企业微信');
    expect(JSON.stringify(row.fields['数据来源'])).toContain('接口');
    expect(rowOf('GRID-1@2026-11-28')).toBeDefined();
    expect(rowOf('GRID-1@2026-10-01')).toBeUndefined();
    const count = rows().length;
    await sync();
    expect(rows().length).toBe(count);
  });

  it('a late correction reaches the row; a person typing over a figure is put back', async () => {
    await post('/api/community/metrics', {
      rows: [
        {
          community: 'GRID-1',
          date: '2026-11-29',
          membersTotal: 210,
          membersJoined: 12,
          membersLeft: 2,
          activeMembers: 40,
          messages: 120,
          orders: 3,
          gmvFen: 45_000,
          refundsFen: 0,
        },
      ],
    });
    await sync();
    await waitFor(async () => rowOf('GRID-1@2026-11-29')?.fields['群成员数'] === 210, 'the corrected figure');
    const row = rowOf('GRID-1@2026-11-29')!;
    await product.sandbox!.actions.editRecord(operator, table.appToken, table.tableId, row.record_id, {
      群成员数: 999,
    });
    await waitFor(
      async () => rows().find((r) => r.record_id === row.record_id)?.fields['群成员数'] === 210,
      'the figure put back',
    );
    // The editor is told why, in a DM naming the field.
    const dm = await waitFor(
      async () =>
        product
          .sandbox!.state.messages({ chatId: product.sandbox!.state.p2pChatOf(operator)?.chat_id, fromBot: true })
          .find((m) => m.content.includes('群成员数')),
      'a DM to the editor',
    );
    expect(dm.content).toContain('999');
    const { rows: stored } = await product.deps.database.query<{ members: number }>(
      `select members_total as members from community_daily_metrics m join community_communities c
         on c.id = m.community_id where c.code = 'GRID-1' and m.day = '2026-11-29'`,
    );
    expect(stored[0]!.members).toBe(210);
  });

  const stored = async (day: string) =>
    (
      await product.deps.database.query<{ members: number; joined: number; gmv: number; source: string }>(
        `select members_total as members, members_joined as joined, gmv_fen::float8 as gmv, m.source
           from community_daily_metrics m join community_communities c on c.id = m.community_id
          where c.code = 'GRID-1' and m.day = $1`,
        [day],
      )
    ).rows[0];
  const dmsTo = (who: string) =>
    product.sandbox!.state.messages({ chatId: product.sandbox!.state.p2pChatOf(who)?.chat_id, fromBot: true });
  const communityRecord = async () =>
    waitFor(async () => {
      const { rows: c } = await product.deps.database.query<{ id: string | null }>(
        `select bitable_record_id as id from community_communities where code = 'GRID-1'`,
      );
      return c[0]?.id ?? undefined;
    }, 'GRID-1 in 社群');
  const midnight = (day: string) => Date.parse(`${day}T00:00:00+08:00`);

  it('takes in a day a person adds by hand: stored as 手工录入, the row numbered, what they typed kept', async () => {
    const added = await product.sandbox!.actions.addRecord(operator, table.appToken, table.tableId, {
      日期: midnight('2026-11-27'),
      社群: [await communityRecord()],
      群成员数: 195,
      新增成员: 4,
      活跃成员: 30,
      成交金额: 123.45,
    });
    await waitFor(async () => (await stored('2026-11-27'))?.members === 195, 'the day stored');
    expect(await stored('2026-11-27')).toEqual({ members: 195, joined: 4, gmv: 12_345, source: 'bitable' });
    const row = await waitFor(async () => {
      const r = rows().find((x) => x.record_id === added.record_id);
      return r && String(JSON.stringify(r.fields['指标记录'])).includes('GRID-1@2026-11-27') ? r : undefined;
    }, 'the row numbered');
    expect(row.fields['群成员数']).toBe(195);
    expect(row.fields['成交金额']).toBe(123.45);
    expect(JSON.stringify(row.fields['数据来源'])).toContain('手工录入');
    // A correction typed into the hand-entered row is taken (audited), and the cell keeps what was typed.
    await product.sandbox!.actions.editRecord(operator, table.appToken, table.tableId, added.record_id, {
      群成员数: 196,
    });
    await waitFor(async () => (await stored('2026-11-27'))?.members === 196, 'the correction stored');
    const { rows: audit } = await product.deps.database.query<{ source: string }>(
      `select source from community_metric_corrections where day = '2026-11-27'`,
    );
    expect(audit).toEqual([{ source: 'bitable' }]);
    await settled(product, 'the correction written back');
    expect(rows().find((x) => x.record_id === added.record_id)!.fields['群成员数']).toBe(196);
  });

  it('refuses a bad row with a DM naming why, leaves it as typed, and takes it once it is fixed', async () => {
    const before = dmsTo(operator).length;
    const added = await product.sandbox!.actions.addRecord(operator, table.appToken, table.tableId, {
      日期: midnight('2026-11-26'),
      社群: [await communityRecord()],
      群成员数: 190,
      退群成员: -3,
    });
    const dm = await waitFor(
      async () =>
        dmsTo(operator)
          .slice(before)
          .find((m) => m.content.includes('未录入')),
      'a DM to the person who added the row',
    );
    expect(dm.content).toContain('不能为负数');
    expect(await stored('2026-11-26')).toBeUndefined();
    await settled(product, 'the refusal settled');
    const typed = rows().find((x) => x.record_id === added.record_id)!;
    expect(typed.fields['退群成员']).toBe(-3);
    expect(typed.fields['指标记录']).toBeUndefined();
    await product.sandbox!.actions.editRecord(operator, table.appToken, table.tableId, added.record_id, {
      退群成员: 3,
    });
    await waitFor(async () => (await stored('2026-11-26'))?.members === 190, 'the fixed row stored');
  });

  it('refuses a second row for a day the grid has, and never overwrites figures from the API', async () => {
    const before = dmsTo(operator).length;
    // 11-29 came from the API and has its row (GRID-1@2026-11-29).
    await product.sandbox!.actions.addRecord(operator, table.appToken, table.tableId, {
      日期: midnight('2026-11-29'),
      社群: [await communityRecord()],
      群成员数: 1,
    });
    const dm = await waitFor(
      async () =>
        dmsTo(operator)
          .slice(before)
          .find((m) => m.content.includes('未录入')),
      'a DM to the person who added the row',
    );
    expect(dm.content).toContain('GRID-1@2026-11-29');
    expect(await stored('2026-11-29')).toMatchObject({ members: 210, source: 'api' });
    // 10-01 is out of the grid's window but came from the API: a hand-entered row does not replace it.
    const later = dmsTo(operator).length;
    await product.sandbox!.actions.addRecord(operator, table.appToken, table.tableId, {
      日期: midnight('2026-10-01'),
      社群: [await communityRecord()],
      群成员数: 1,
    });
    const second = await waitFor(
      async () =>
        dmsTo(operator)
          .slice(later)
          .find((m) => m.content.includes('未录入')),
      'a second DM',
    );
    expect(second.content).toContain('接口');
    expect(await stored('2026-10-01')).toMatchObject({ members: 180, source: 'api' });
  });
});
