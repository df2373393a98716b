import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { waitFor } from '../helpers/app.js';
import { settled, START_BUDGET_MS, startTestProduct, type TestProduct } from '../helpers/product.js';

// 每日指标 in Bitable follows the workflow's figures (mirror.table): the bot writes its own fields only,
// a person's edit of a figure is put back. The whole product against the sandbox.
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
    table = await waitFor(
      async () => {
        const app = product.sandbox!.state.apps()[0];
        const t = app?.tables.find((x) => x.name === '每日指标');
        const { rows } = await product.deps.database
          .query(`select 1 from mirror_tables where table_key = 'community_daily_metrics'`)
          .catch(() => ({ rows: [] }));
        return app && t && rows.length > 0 ? { appToken: app.app_token, tableId: t.table_id } : undefined;
      },
      'the Base provisioned at start',
      120_000,
    );
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
});
