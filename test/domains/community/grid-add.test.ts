import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../../src/sandbox/index.js';
import { waitFor } from '../../helpers/app.js';
import {
  settled,
  START_BUDGET_MS,
  provisionedTable,
  startTestProduct,
  type TestProduct,
} from '../../helpers/product.js';

// A row a person adds to 社群 that the workflow refuses (an unknown 团队) through the kit's onAdd refusal: the
// row stays as typed, 机器人提示 says why, its author gets one DM; fixed, the row is taken and the note emptied.
describe('a 社群 row added with an unknown team', () => {
  let product: TestProduct;
  const author = demoOpenId('jiangxin');
  let table: { appToken: string; tableId: string };

  beforeAll(async () => {
    product = await startTestProduct({ cron: false, env: { API_TOKENS: 'grid-add-token' } });
    table = await provisionedTable(product, '社群', 'communities');
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const sandbox = () => product.sandbox!;
  const text = (v: unknown) => (Array.isArray(v) ? v.map((s: { text?: string }) => s.text ?? '').join('') : (v ?? ''));
  const cell = (recordId: string, name: string) =>
    text(
      sandbox()
        .state.records(table.appToken, table.tableId)
        .find((r) => r.record_id === recordId)?.fields[name],
    );
  const dms = (needle: string) =>
    sandbox()
      .state.messages({ chatId: sandbox().state.p2pChatOf(author)!.chat_id, fromBot: true })
      .filter((m) => m.content.includes(needle));
  const community = async (code: string) =>
    (
      await product.deps.database.query<{ team_key: string | null; bitable_record_id: string | null }>(
        'select team_key, bitable_record_id from community_communities where code = $1',
        [code],
      )
    ).rows[0];

  it('keeps the row as typed, says why in 机器人提示 and DMs its author once; taken once the team is fixed', async () => {
    const typed = { 社群名称: '新开社群 A', 社群编码: 'ADD-1', 平台: '企业微信', 团队: 'comm_nowhere', 备注: '我写的' };
    const row = await sandbox().actions.addRecord(author, table.appToken, table.tableId, typed);
    await waitFor(
      async () => String(cell(row.record_id, '机器人提示')).includes('未知团队「comm_nowhere」'),
      'the row marked with the reason',
      60_000,
    );
    const [dm] = await waitFor(async () => {
      const found = dms('未知团队「comm_nowhere」');
      return found.length > 0 ? found : undefined;
    }, 'the author told');
    expect(dm!.content).toContain('新开社群 A');
    expect(dm!.content).toContain('未被采用');
    // Nothing typed changed, nothing deleted, no community made; the bot's own mark coming back tells no one again.
    await settled(product);
    for (const [name, value] of Object.entries(typed)) expect(cell(row.record_id, name), name).toBe(value);
    expect(await community('ADD-1')).toBeUndefined();
    expect(dms('未知团队「comm_nowhere」')).toHaveLength(1);

    // Another unknown team: a new reason, told again.
    await sandbox().actions.editRecord(author, table.appToken, table.tableId, row.record_id, { 团队: 'comm_x' });
    await waitFor(async () => dms('未知团队「comm_x」').length === 1, 'told the new reason');
    await waitFor(
      async () => String(cell(row.record_id, '机器人提示')).includes('comm_x'),
      'the mark follows the reason',
    );

    // Fixed: the row is taken as the community, the mark emptied, the typed cells as they were.
    await sandbox().actions.editRecord(author, table.appToken, table.tableId, row.record_id, { 团队: 'community' });
    const made = await waitFor(async () => community('ADD-1'), 'the row taken', 60_000);
    expect(made).toEqual({ team_key: 'community', bitable_record_id: row.record_id });
    await waitFor(async () => cell(row.record_id, '机器人提示') === '', 'the mark emptied', 60_000);
    await settled(product);
    expect(cell(row.record_id, '社群名称')).toBe('新开社群 A');
    expect(cell(row.record_id, '备注')).toBe('我写的');
    expect(dms('未知团队')).toHaveLength(2);
  });

  it('refuses a row whose code another community holds: marks it, DMs its author, takes it once renamed', async () => {
    const first = await sandbox().actions.addRecord(author, table.appToken, table.tableId, {
      社群名称: '老社群 B',
      社群编码: 'DUP-1',
      平台: '企业微信',
    });
    await waitFor(async () => (await community('DUP-1'))?.bitable_record_id === first.record_id, 'the first row taken');
    const typed = { 社群名称: '重复社群 C', 社群编码: 'DUP-1', 平台: '企业微信', 备注: '同编码' };
    const row = await sandbox().actions.addRecord(author, table.appToken, table.tableId, typed);
    const reason = '社群编码「DUP-1」已被社群「老社群 B」使用';
    await waitFor(async () => String(cell(row.record_id, '机器人提示')).includes(reason), 'the row marked', 60_000);
    const [dm] = await waitFor(async () => {
      const found = dms(reason);
      return found.length > 0 ? found : undefined;
    }, 'the author told');
    expect(dm!.content).toContain('重复社群 C');
    await settled(product);
    for (const [name, value] of Object.entries(typed)) expect(cell(row.record_id, name), name).toBe(value);
    const held = await product.deps.database.query<{ name: string; bitable_record_id: string }>(
      "select name, bitable_record_id from community_communities where code = 'DUP-1'",
    );
    expect(held.rows).toEqual([{ name: '老社群 B', bitable_record_id: first.record_id }]);
    expect(dms(reason)).toHaveLength(1);

    await sandbox().actions.editRecord(author, table.appToken, table.tableId, row.record_id, { 社群编码: 'DUP-2' });
    await waitFor(async () => (await community('DUP-2'))?.bitable_record_id === row.record_id, 'taken once renamed');
    await waitFor(async () => cell(row.record_id, '机器人提示') === '', 'the mark emptied', 60_000);
  });
  it('refuses a row whose 平台 is no option (抖音, not 抖音粉丝群): marked, one DM, taken once fixed', async () => {
    const typed = { 社群名称: '抖音新群 D', 社群编码: 'PLAT-1', 平台: '抖音', 备注: '平台写错' };
    const row = await sandbox().actions.addRecord(author, table.appToken, table.tableId, typed);
    const reason = '平台「抖音」不是可选项';
    await waitFor(async () => String(cell(row.record_id, '机器人提示')).includes(reason), 'the row marked', 60_000);
    const [dm] = await waitFor(async () => {
      const found = dms(reason);
      return found.length > 0 ? found : undefined;
    }, 'the author told');
    // The DM names the row and the valid options.
    expect(dm!.content).toContain('抖音新群 D');
    for (const option of ['抖音粉丝群', '企业微信', '微信群', '其他']) expect(dm!.content).toContain(option);
    await settled(product);
    for (const [name, value] of Object.entries(typed)) expect(cell(row.record_id, name), name).toBe(value);
    expect(await community('PLAT-1')).toBeUndefined();
    expect(dms(reason)).toHaveLength(1);

    await sandbox().actions.editRecord(author, table.appToken, table.tableId, row.record_id, { 平台: '抖音粉丝群' });
    await waitFor(async () => (await community('PLAT-1'))?.bitable_record_id === row.record_id, 'taken once fixed');
    const platform = await product.deps.database.query<{ platform: string }>(
      "select platform from community_communities where code = 'PLAT-1'",
    );
    expect(platform.rows[0]!.platform).toBe('douyin');
    await waitFor(async () => cell(row.record_id, '机器人提示') === '', 'the mark emptied', 60_000);
    expect(dms(reason)).toHaveLength(1);
  });
});
