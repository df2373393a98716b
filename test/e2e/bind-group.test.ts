import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../src/domains/directory/service.js';
import { demoOpenId } from '../../src/sandbox/index.js';
import { waitFor } from '../helpers/app.js';
import { START_BUDGET_MS, startTestProduct, type TestProduct } from '../helpers/product.js';

// 团队.群聊ID needs an oc_ id the Feishu client never shows: the bot greets a new group with how
// to bind it, and `@bot 绑定 <团队>` by the team's lead writes the id into the row. Sandbox, nothing mocked.
describe('binding a team to its group chat (sandbox)', () => {
  let product: TestProduct;
  const now = new Date('2026-03-02T10:00:00+08:00');
  const lead = demoOpenId('fengqiang'); // lead of 仓储物流部 (warehouse)
  const stranger = demoOpenId('wangxiaoli');
  let base: string;
  let teamsTable: string;

  beforeAll(async () => {
    product = await startTestProduct({ clock: { now: () => now }, cron: false });
    base = await waitFor(
      async () => {
        const app = product.sandbox!.state.apps()[0];
        const { rows } = await product.deps.database.query(`select 1 from mirror_tables where table_key = 'teams'`);
        return app && rows.length === 1 ? app.app_token : undefined;
      },
      'the Base provisioned at start',
      60_000,
    );
    teamsTable = product.sandbox!.state.apps()[0]!.tables.find((t) => t.name === '团队')!.table_id;
    await waitFor(
      async () => (await createDirectory({ db: product.deps.database.db }).team('warehouse')) !== null,
      'demo teams synced',
      60_000,
    );
  }, START_BUDGET_MS);
  afterAll(() => product?.close());

  const sandbox = () => product.sandbox!;
  const botSaid = (chatId: string, text: string) =>
    waitFor(
      async () =>
        sandbox()
          .state.messages({ fromBot: true })
          .find((m) => m.chat_id === chatId && m.content.includes(text)),
      `the bot says "${text}"`,
    );

  it('greets a group it is added to with how to bind it', async () => {
    const chat = sandbox().actions.addBotToNewGroup({ operatorOpenId: lead, name: '仓库新群', members: [stranger] });
    const greeting = await botSaid(chat.chat_id, '绑定');
    expect(greeting.content).toContain('组长或管理员');
  });

  it('refuses 绑定 from someone who is not the lead or an admin, and binds for the lead', async () => {
    const chat = sandbox().actions.addBotToNewGroup({ operatorOpenId: lead, name: '仓库工单群', members: [stranger] });
    sandbox().actions.sendUserMessage({ userOpenId: stranger, chatId: chat.chat_id, text: '@bot 绑定 warehouse' });
    await botSaid(chat.chat_id, '只有');
    expect((await createDirectory({ db: product.deps.database.db }).team('warehouse'))!.chatId).not.toBe(chat.chat_id);

    sandbox().actions.sendUserMessage({ userOpenId: lead, chatId: chat.chat_id, text: '@bot 绑定 仓储物流部' });
    await botSaid(chat.chat_id, '已绑定团队群');
    expect((await createDirectory({ db: product.deps.database.db }).team('warehouse'))!.chatId).toBe(chat.chat_id);
    const row = sandbox()
      .state.records(base, teamsTable)
      .find((r) => JSON.stringify(r.fields['团队编码']).includes('"warehouse"'))!;
    expect(JSON.stringify(row.fields['群聊ID'])).toContain(chat.chat_id);
  });

  it('lets an admin bind any team', async () => {
    const directory = createDirectory({ db: product.deps.database.db });
    const before = (await directory.person(stranger))!;
    expect(before.roles).not.toContain('admin');
    await directory.upsertPeople([{ openId: stranger, name: before.name, roles: [...before.roles, 'admin'] }]);
    const chat = sandbox().actions.addBotToNewGroup({ operatorOpenId: stranger, name: '管理员建的群', members: [] });
    sandbox().actions.sendUserMessage({ userOpenId: stranger, chatId: chat.chat_id, text: '@bot 绑定 warehouse' });
    await botSaid(chat.chat_id, '已绑定团队群');
    expect((await directory.team('warehouse'))!.chatId).toBe(chat.chat_id);
  });

  it('asks for a team it knows, in words', async () => {
    const chat = sandbox().actions.addBotToNewGroup({ operatorOpenId: lead, name: '杂项群', members: [] });
    sandbox().actions.sendUserMessage({ userOpenId: lead, chatId: chat.chat_id, text: '@bot 绑定 火星部' });
    const reply = await botSaid(chat.chat_id, '没有名为');
    expect(reply.content).toContain('仓储物流部');
  });
});
