import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../src/domains/directory/service.js';
import { demoOpenId } from '../../src/sandbox/index.js';
import { waitFor } from '../helpers/app.js';
import { START_BUDGET_MS, startTestProduct, type TestProduct } from '../helpers/product.js';

// Leads keep people, teams, the calendar and the rules in the shared Bitable tables; the bot
// routes and times cases by them. Against the sandbox, nothing mocked, on a fixed Monday 10:00.
describe('the directory follows the shared Bitable tables (sandbox)', () => {
  let product: TestProduct;
  const now = new Date('2026-03-02T10:00:00+08:00');
  const clock = { now: () => now };
  const lead = demoOpenId('fengqiang');
  const agent = demoOpenId('wangxiaoli');
  let base: string;
  const tables: Record<string, string> = {};

  beforeAll(async () => {
    product = await startTestProduct({ clock, cron: false });
    base = await waitFor(
      async () => {
        const app = product.sandbox!.state.apps()[0];
        const { rows } = await product.deps.database.query(
          `select 1 from mirror_tables where table_key in ('people', 'teams', 'settings', 'business_calendar')`,
        );
        return app && rows.length === 4 ? app.app_token : undefined;
      },
      'the Base provisioned at start',
      60_000,
    );
    for (const t of product.sandbox!.state.apps()[0]!.tables) tables[t.name] = t.table_id;
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const sandbox = () => product.sandbox!;
  const directory = () => createDirectory({ db: product.deps.database.db });
  const add = (table: string, fields: Record<string, unknown>) =>
    sandbox().actions.addRecord(lead, base, tables[table]!, fields);
  /** Opens a case in chat and returns the SLA line of the case card the bot posts. */
  const openCase = async (text: string, orderNo: string) => {
    sandbox().actions.sendUserMessage({
      userOpenId: agent,
      chatId: sandbox().state.p2pChatOf(agent)!.chat_id,
      text: `异常件 ${text} ${orderNo}`,
    });
    const card = await waitFor(
      async () =>
        sandbox()
          .state.messages({ fromBot: true })
          .find((m) => m.content.includes(orderNo) && m.content.includes('SLA 截止')),
      `the card of ${orderNo}`,
    );
    return /SLA 截止 Due (\d\d-\d\d \d\d:\d\d)/.exec(card.content)?.[1];
  };

  /** The row of `table` whose `field` holds `value` (a text cell, or a person cell's open_id). */
  const rowOf = (table: string, field: string, value: string) =>
    sandbox()
      .state.records(base, tables[table]!)
      .find((r) => {
        const cell = r.fields[field] as unknown;
        return Array.isArray(cell)
          ? cell.some((c: { id?: string; text?: string }) => c.id === value || c.text === value)
          : cell === value;
      })!;

  it('starts from the demo company the sandbox wrote into 人员与角色 and 团队', async () => {
    const people = sandbox().state.records(base, tables['人员与角色']!);
    expect(people).toHaveLength(sandbox().state.users().length);
    expect(JSON.stringify(rowOf('团队', '团队编码', 'warehouse').fields['群聊ID'])).toContain(
      (await directory().team('warehouse'))!.chatId!,
    );
    expect(await directory().person(lead)).toMatchObject({
      source: 'bitable',
      teams: expect.arrayContaining(['warehouse']),
      active: true,
    });
  });

  it('routes the warehouse reminder to a clerk a lead moves into the warehouse in 人员与角色', async () => {
    const newClerk = demoOpenId('dengchao');
    const team = rowOf('团队', '团队编码', 'warehouse');
    await sandbox().actions.editRecord(lead, base, tables['团队']!, team.record_id, { 团队名称: '仓储' });
    // The lead moves the warehouse roster: the clerks are on leave, a colleague from legal steps in.
    for (const key of ['fengqiang', 'xiejun', 'handong', 'tangwei']) {
      await sandbox().actions.editRecord(
        lead,
        base,
        tables['人员与角色']!,
        rowOf('人员与角色', '飞书账号', demoOpenId(key)).record_id,
        { 在岗: false },
      );
    }
    await sandbox().actions.editRecord(
      lead,
      base,
      tables['人员与角色']!,
      rowOf('人员与角色', '飞书账号', newClerk).record_id,
      { 角色: ['仓库'], 所属团队: [team.record_id] },
    );
    await waitFor(async () => {
      const people = await directory().people({ team: 'warehouse', role: 'warehouse' });
      return people.length === 1 && people[0]!.openId === newClerk;
    }, 'only the new clerk on duty in the warehouse');
    // The 团队 edit is its own event, maybe handled after the people's: poll for it too.
    await expect
      .poll(() => directory().team('warehouse'), { timeout: 20_000 })
      .toMatchObject({ name: '仓储', source: 'bitable', active: true });

    await openCase('丢件', 'TM2026030201');
    const { rows } = await product.deps.database.query<{ warehouse_open_id: string }>(
      `select warehouse_open_id from exceptions_cases where order_no = 'TM2026030201'`,
    );
    expect(rows[0]!.warehouse_open_id).toBe(newClerk);
    await waitFor(
      async () =>
        sandbox()
          .state.messages({ chatId: sandbox().state.p2pChatOf(newClerk)!.chat_id, fromBot: true })
          .find((m) => m.content.includes('请回填单号')),
      'the reminder in the new clerk’s chat',
    );
  });

  it('times the next case by an SLA row edited in 规则配置', async () => {
    // 丢件 is P2 by default: 480 business minutes from Monday 10:00 end Tuesday 10:00.
    expect(await openCase('丢件', 'TM2026030202')).toBe('03-03 10:00');
    const rule = await add('规则配置', {
      规则名称: 'SLA 丢件 P1高',
      规则类型: 'SLA时限',
      异常类型: '丢件',
      优先级: 'P2 高',
      数值: 4,
      单位: '小时',
      启用: true,
    });
    await sandbox().actions.editRecord(lead, base, tables['规则配置']!, rule.record_id, { 数值: 2 });
    await waitFor(
      async () =>
        (
          await product.deps.database.query(
            `select 1 from directory_settings where key = 'exceptions.sla' and value->'byKind'->'lost'->>'P2' = '120'`,
          )
        ).rows.length > 0,
      'the edited SLA in the directory',
    );
    expect(await openCase('丢件', 'TM2026030203')).toBe('03-02 12:00');
  });

  it('moves a deadline past a holiday added to 工作日历', async () => {
    expect(await openCase('破损', 'JD2026030204')).toBe('03-03 10:00');
    await add('工作日历', { 日期: new Date('2026-03-03T00:00:00+08:00').getTime(), 类型: '节假日', 名称: '公司团建' });
    await waitFor(
      async () =>
        (
          await product.deps.database.query(
            `select 1 from directory_settings where key = 'shared.business_calendar' and value::text like
              '%2026-03-03%'`,
          )
        ).rows.length > 0,
      'the holiday in the calendar',
    );
    expect(await openCase('破损', 'JD2026030205')).toBe('03-04 10:00');
  });

  it('skips a bad row, says why, and keeps working', async () => {
    await add('规则配置', {
      规则名称: '写错的规则',
      规则类型: 'SLA时限',
      异常类型: '丢件',
      优先级: 'P2 高',
      数值: 3,
      单位: '元',
      启用: true,
    });
    await add('人员与角色', { 姓名: '没有账号的人', 角色: ['仓库'], 在岗: true });
    await waitFor(
      async () =>
        product.logs
          .entries()
          .filter((e) => e.msg === 'bitable row not used by the directory' && String(e.problem).includes('写错的规则'))
          .length > 0,
      'the bad rule reported',
    );
    await waitFor(
      async () =>
        product.logs
          .entries()
          .some((e) => e.msg === 'bitable row not used by the directory' && String(e.problem).includes('没有账号的人')),
      'the row without an account reported',
    );
    // The good SLA row still holds, and cases still open.
    expect(await openCase('丢件', 'TM2026030206')).toBe('03-02 12:00');
  });
});
