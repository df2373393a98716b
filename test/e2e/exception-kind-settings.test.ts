import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { waitFor } from '../helpers/app.js';
import { START_BUDGET_MS, startTestProduct, type TestProduct } from '../helpers/product.js';

// A lead sets how often the warehouse is reminded about one kind of case in 异常类型配置; the next
// reminder follows the row as edited. Against the sandbox, nothing mocked, on a simulated Monday.
describe('异常类型配置 drives the exception workflow (sandbox)', () => {
  let product: TestProduct;
  let now = new Date('2026-03-02T14:00:00+08:00');
  const clock = { now: () => now };
  const lead = demoOpenId('fengqiang');
  const agent = demoOpenId('wangxiaoli');
  let base: string;
  let kindsTable: string;

  beforeAll(async () => {
    product = await startTestProduct({ clock, cron: false });
    base = await waitFor(
      async () => {
        const app = product.sandbox!.state.apps()[0];
        const { rows } = await product.deps.database.query(
          `select 1 from mirror_tables where table_key = 'exception_kinds'`,
        );
        return app && rows.length === 1 ? app.app_token : undefined;
      },
      'the Base provisioned at start',
      60_000,
    );
    kindsTable = product.sandbox!.state.apps()[0]!.tables.find((t) => t.name === '异常类型配置')!.table_id;
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const sandbox = () => product.sandbox!;
  const kindRules = async () =>
    (
      await product.deps.database.query<{ value: Record<string, { nudgeIntervalMinutes?: number }> }>(
        `select value from directory_settings where key = 'exceptions.kind_rules'`,
      )
    ).rows[0]?.value;
  const reminders = async (orderNo: string) => {
    const { rows } = await product.deps.database.query<{ warehouse_open_id: string }>(
      `select warehouse_open_id from exceptions_cases where order_no = $1`,
      [orderNo],
    );
    const clerk = rows[0]?.warehouse_open_id;
    if (!clerk) return [];
    return sandbox()
      .state.messages({ chatId: sandbox().state.p2pChatOf(clerk)!.chat_id, fromBot: true })
      .filter((m) => m.content.includes('请回填单号') && m.content.includes(orderNo));
  };
  const sweepAt = async (iso: string) => {
    now = new Date(iso);
    await product.deps.jobs.tick('exceptions.sweep', now);
  };

  it('reminds the warehouse at the interval a lead set for the kind, and follows the edit', async () => {
    // The sandbox wrote the built-in kinds into 异常类型配置 at first start; the lead edits 丢件's row.
    const kinds = sandbox().state.records(base, kindsTable);
    expect(kinds).toHaveLength(8);
    const row = kinds.find((r) => JSON.stringify(r.fields['类型编码']).includes('lost'))!;
    await sandbox().actions.editRecord(lead, base, kindsTable, row.record_id, { '催办间隔(分钟)': 30 });
    await waitFor(
      async () => (await kindRules())?.lost?.nudgeIntervalMinutes === 30,
      'the 30-minute interval in the settings',
    );

    sandbox().actions.sendUserMessage({
      userOpenId: agent,
      chatId: sandbox().state.p2pChatOf(agent)!.chat_id,
      text: '异常件 丢件 TM2026030299 包裹三天没动',
    });
    await waitFor(async () => (await reminders('TM2026030299')).length === 1, 'the first reminder at opening');

    // 30 minutes on (the built-in interval is 60): the second reminder is due.
    await sweepAt('2026-03-02T14:30:00+08:00');
    await waitFor(async () => (await reminders('TM2026030299')).length === 2, 'the second reminder after 30 minutes');

    await sandbox().actions.editRecord(lead, base, kindsTable, row.record_id, { '催办间隔(分钟)': 90 });
    await waitFor(
      async () => (await kindRules())?.lost?.nudgeIntervalMinutes === 90,
      'the 90-minute interval in the settings',
    );
    // An hour after the last reminder is not yet 90 minutes: nothing is sent.
    await sweepAt('2026-03-02T15:30:00+08:00');
    await waitFor(
      async () => product.logs.messages().filter((m) => m === 'exceptions swept').length >= 2,
      'the 15:30 sweep done',
    );
    const { rows } = await product.deps.database.query<{ n: number }>(
      `select count(*)::int as n from exceptions_nudges n join exceptions_cases c on c.id = n.case_id where c.order_no
        = 'TM2026030299'`,
    );
    expect(rows[0]!.n).toBe(2);
    await sweepAt('2026-03-02T16:00:00+08:00');
    await waitFor(
      async () => (await reminders('TM2026030299')).length === 3,
      'the third reminder 90 minutes after the second',
    );
  });
});
