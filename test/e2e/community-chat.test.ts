import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../src/domains/directory/service.js';
import { demoOpenId } from '../../src/sandbox/index.js';
import { waitFor } from '../helpers/app.js';
import { START_BUDGET_MS, startTestProduct, type TestProduct } from '../helpers/product.js';

// A Feishu group as a community, end to end on the sandbox: an operator binds the group with
// `@bot 社群 绑定`, people join, leave, have an invitation withdrawn and talk; the group's 每日指标
// row holds those counts. The sandbox pushes every group message (the im:message.group_msg scope).
describe('a Feishu group bound as a community (sandbox)', () => {
  let product: TestProduct;
  const now = new Date('2026-03-02T10:00:00+08:00');
  const operator = demoOpenId('jiangxin'); // 社群运营
  const people = ['wangxiaoli', 'fengqiang', 'luting'].map(demoOpenId);

  beforeAll(async () => {
    product = await startTestProduct({
      clock: { now: () => now },
      cron: false,
      sandbox: { groupMessages: 'all', callbackTimeoutMs: 30_000 },
    });
    await waitFor(
      async () => (await createDirectory({ db: product.deps.database.db }).person(operator))?.active === true,
      'demo people synced',
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
  const row = async (chatId: string) => {
    const { rows } = await product.deps.database.query<Record<string, number>>(
      `select m.members_total as members, m.members_joined as joined, m.members_left as "left",
              m.active_members as active, m.messages
         from community_daily_metrics m join community_communities c on c.id = m.community_id
        where c.feishu_chat_id = $1 and m.day = '2026-03-02'`,
      [chatId],
    );
    return rows[0];
  };

  it('counts joins, leaves, withdrawn invitations and messages of the bound group', async () => {
    const chat = sandbox().actions.addBotToNewGroup({ operatorOpenId: operator, name: '会员福利群', members: [] });
    sandbox().actions.sendUserMessage({ userOpenId: operator, chatId: chat.chat_id, text: '@bot 社群 绑定' });
    const bound = await botSaid(chat.chat_id, '已绑定社群');
    expect(bound.content).toContain('会员福利群');
    // One member at bind time (the operator); the bind message itself is the first message.
    await waitFor(async () => (await row(chat.chat_id))?.members === 1, 'the bound day row');

    const change = (kind: 'added' | 'deleted' | 'withdrawn', ids: string[]) =>
      sandbox().actions.changeGroupMembers({
        change: kind,
        operatorOpenId: operator,
        chatId: chat.chat_id,
        userOpenIds: ids,
      });
    change('added', people);
    change('deleted', [people[0]!]);
    change('withdrawn', [people[1]!]);
    sandbox().actions.sendUserMessage({ userOpenId: people[2]!, chatId: chat.chat_id, text: '大家好' });
    sandbox().actions.sendUserMessage({ userOpenId: people[2]!, chatId: chat.chat_id, text: '今天有什么活动' });

    const expected = { members: 2, joined: 3, left: 2, active: 2, messages: 3 };
    await waitFor(
      async () => JSON.stringify(await row(chat.chat_id)) === JSON.stringify(expected),
      'the day row with every event',
    );
    expect(await row(chat.chat_id)).toEqual(expected);
    // The sandbox's own member list agrees with the count.
    expect(
      sandbox()
        .state.chats()
        .find((c) => c.chat_id === chat.chat_id)!.members,
    ).toHaveLength(2);
  });
});
