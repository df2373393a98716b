import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarDay } from '../../../src/core/zoned-time.js';
import { demoOpenId, startSandbox } from '../../../src/sandbox/index.js';
import { cliProcess, type CliProcess } from '../../helpers/cli-process.js';
import { periodOf } from '../../../src/domains/community/logic/periods.js';

// `feishu-ops sync` keeps 每日指标 as the running bot does: rows the schedule never wrote are created,
// changed figures written, typing in the bot's columns put back. The real command against the offline sandbox.
describe('feishu-ops sync repairs 每日指标', { timeout: 300_000 }, () => {
  let p: CliProcess;
  const cli = (...args: string[]) => p.cli(...args);
  const dayBefore = (n: number) => calendarDay(new Date(Date.now() - n * 86_400_000), 'Asia/Shanghai');
  const [yesterday, twoDaysAgo, monthAgo] = [dayBefore(1), dayBefore(2), dayBefore(30)];

  /** 每日指标 as the sandbox's Bitable holds it (the CLI has finished and saved the sandbox's state). */
  const grid = async (edit?: (s: Awaited<ReturnType<typeof startSandbox>>, table: string, app: string) => unknown) => {
    const sandbox = await startSandbox({ dataDir: p.dataDir, port: 0 });
    try {
      const app = sandbox.state.apps()[0]!;
      const table = app.tables.find((t) => t.name === '每日指标')!;
      await edit?.(sandbox, table.table_id, app.app_token);
      return sandbox.state.records(app.app_token, table.table_id);
    } finally {
      await sandbox.close();
    }
  };
  /** The record number cell as Feishu returns text: a list of segments. */
  const cell = (r: { fields: Record<string, unknown> }, field: string) =>
    ((r.fields[field] as Array<{ text: string }> | undefined) ?? []).map((s) => s.text).join('');
  const no = (r: { fields: Record<string, unknown> }) => cell(r, '指标记录');
  /** 社群汇总 as the sandbox's Bitable holds it. */
  const summary = async () => {
    const sandbox = await startSandbox({ dataDir: p.dataDir, port: 0 });
    try {
      const app = sandbox.state.apps()[0]!;
      const table = app.tables.find((t) => t.name === '社群汇总')!;
      return sandbox.state.records(app.app_token, table.table_id);
    } finally {
      await sandbox.close();
    }
  };

  beforeAll(async () => {
    p = await cliProcess('fo-community-sync-', 240_000);
    await cli('migrate');
    await cli('provision');
    const d = await p.db();
    await d.query(`insert into community_communities (code, name, platform) values ('SYNC-1', '同步测试群', 'wecom')`);
    await d.query(
      `insert into community_daily_metrics (community_id, day, members_total, members_joined, active_members, gmv_fen,
         source, received_at, updated_at)
       select id, d::date, 100, 3, 20, 12345, 'api', now(), now() from community_communities,
         unnest($1::text[]) as d where code = 'SYNC-1'`,
      [[yesterday, twoDaysAgo, monthAgo]],
    );
    await d.close();
  });
  afterAll(async () => p?.close());

  it('writes the window the schedule never wrote, once; the older days stay in Postgres only', async () => {
    const { stdout } = await cli('sync');
    // The dashboard's stored rollups from the three days (one group each, one gap between them and on each side).
    expect(stdout).toContain(
      '社群汇总 community rollups: rebuilt from 3 daily rows 每日指标 (3 day groups 日汇总, 3 gaps',
    );
    expect(stdout).toContain('每日指标 community metrics: the last 14 days, 2 rows checked (2 created');
    const rows = await grid();
    const mine = rows.filter((r) => no(r).includes('SYNC-1@'));
    expect(mine.map(no).sort()).toEqual([`SYNC-1@${twoDaysAgo}`, `SYNC-1@${yesterday}`].sort());
    expect(mine[0]!.fields['群成员数']).toBe(100);
    expect(mine[0]!.fields['成交金额']).toBe(123.45);
    expect(String(mine[0]!.fields['平台'])).toBe('企业微信');

    const again = await cli('sync');
    expect(again.stdout).toContain('2 rows checked (0 created');
    expect((await grid()).length).toBe(rows.length);
  });

  it('writes 社群汇总 for every week and month of the window, once', async () => {
    const { stdout } = await cli('sync');
    expect(stdout).toMatch(/社群汇总 community summary: \d+ weeks and months, \d+ rows checked/);
    const rows = await summary();
    const of = (n: string) => rows.find((r) => cell(r, '汇总编号') === n);
    // Each stored day's week and month has its rows: all communities, by platform, by operator (none: '-').
    for (const day of [yesterday, twoDaysAgo, monthAgo])
      for (const type of ['week', 'month'] as const) {
        const label = periodOf(type, day).label;
        expect(of(`${label}/all`)?.fields['社群数'], `${label}/all`).toBe(1);
        expect(String(of(`${label}/platform/wecom`)?.fields['平台'])).toBe('企业微信');
      }
    const month = of(`${periodOf('month', monthAgo).label}/all`)!;
    const days = [yesterday, twoDaysAgo, monthAgo].filter((d) => d.slice(0, 7) === monthAgo.slice(0, 7)).length;
    expect(month.fields['有数据天数']).toBe(days);
    expect(month.fields['成交金额']).toBe(123.45 * days);

    await cli('sync');
    expect((await summary()).map((r) => r.record_id).sort()).toEqual(rows.map((r) => r.record_id).sort());
  });

  it('brings a changed figure to its row and puts a typed-over bot column back', async () => {
    const d = await p.db();
    await d.query(`update community_daily_metrics set members_total = 111 where day = $1`, [yesterday]);
    await d.close();
    await grid(async (sandbox, tableId, appToken) => {
      const row = sandbox.state.records(appToken, tableId).find((r) => no(r).includes(`SYNC-1@${twoDaysAgo}`))!;
      await sandbox.actions.editRecord(demoOpenId('jiangxin'), appToken, tableId, row.record_id, {
        平台: '抖音粉丝群',
      });
    });
    const { stdout } = await cli('sync');
    expect(stdout).toContain('2 rows checked (0 created');
    const rows = await grid();
    const of = (day: string) => rows.find((r) => no(r).includes(`SYNC-1@${day}`))!;
    expect(of(yesterday).fields['群成员数']).toBe(111);
    expect(String(of(twoDaysAgo).fields['平台'])).toBe('企业微信');
  });
});
