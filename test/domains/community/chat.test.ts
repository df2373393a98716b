import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { FEISHU_URL, waitFor } from '../../helpers/app.js';
import { envelope, signed } from '../../helpers/events.js';
import { cardText, communityApp, say, serviceOf, sh, type CommunityTestApp } from './helpers.js';

// A Feishu group bound as a community: its member events and messages are its daily metrics.
// Event shapes as FEISHU.md §m.4 / the SDK's IHandles types give them; Feishu mocked with nock.
let t: CommunityTestApp;
const CHAT = 'oc_community_chat_1';
const OPERATOR = 'ou_cop_1';

beforeAll(async () => {
  t = await communityApp({ start: '2026-11-30T10:00' });
  await createDirectory({ db: t.database.db }).upsertPeople([
    { openId: OPERATOR, name: '社群运营', teams: [], roles: ['community_operator'] },
    { openId: 'ou_agent_x', name: '客服', teams: [], roles: ['agent'] },
  ]);
  nock(FEISHU_URL)
    .persist()
    .get(`/open-apis/im/v1/chats/${CHAT}`)
    .reply(200, { code: 0, msg: 'success', data: { name: '宝妈交流群', user_count: '40', bot_count: '1' } });
});
afterAll(async () => t?.close());

const signedAt = (body: unknown) => signed(body, { timestamp: Math.floor(t.clock.now().getTime() / 1000) });

/** Posts an event as Feishu does and waits until it is processed. */
async function deliver(body: ReturnType<typeof envelope>) {
  const res = await t.app.inject({ method: 'POST', url: '/webhook/event', ...signedAt(body) });
  expect(res.statusCode).toBe(200);
  await waitFor(async () => {
    const { rows } = await t.database.query<{ status: string }>('select status from lark_events where event_id = $1', [
      body.header.event_id,
    ]);
    return rows[0]?.status === 'done';
  }, `${body.header.event_type} processed`);
}

const user = (openId: string) => ({
  name: openId,
  tenant_key: 'tenant-test',
  user_id: { union_id: `on_${openId}`, user_id: `u_${openId}`, open_id: openId },
});
const memberEvent = (type: string, openIds: string[], at: Date, eventId?: string) => {
  const body = envelope(
    type,
    {
      chat_id: CHAT,
      operator_id: { union_id: 'on_op', user_id: 'u_op', open_id: OPERATOR },
      external: false,
      operator_tenant_key: 'tenant-test',
      users: openIds.map(user),
      name: '宝妈交流群',
      i18n_names: { zh_cn: '宝妈交流群', en_us: '', ja_jp: '' },
    },
    eventId,
  );
  body.header.create_time = String(at.getTime());
  return body;
};
const groupMessage = (openId: string, messageId: string, at: Date) =>
  envelope('im.message.receive_v1', {
    sender: {
      sender_id: { union_id: `on_${openId}`, user_id: `u_${openId}`, open_id: openId },
      sender_type: 'user',
      tenant_key: 'tenant-test',
    },
    message: {
      message_id: messageId,
      create_time: String(at.getTime()),
      chat_id: CHAT,
      chat_type: 'group',
      message_type: 'text',
      content: JSON.stringify({ text: '今天有团购吗' }),
    },
  });

async function bindInGroup(text: string, openId: string) {
  const body = envelope('im.message.receive_v1', {
    sender: { sender_id: { open_id: openId }, sender_type: 'user', tenant_key: 'tenant-test' },
    message: {
      message_id: `om_bind_${Math.random().toString(36).slice(2, 8)}`,
      create_time: String(t.clock.now().getTime()),
      chat_id: CHAT,
      chat_type: 'group',
      message_type: 'text',
      content: JSON.stringify({ text: `@_user_1 ${text}` }),
      mentions: [{ key: '@_user_1', id: { open_id: 'ou_bot' }, name: 'feishu-ops', tenant_key: 'tenant-test' }],
    },
  });
  await deliver(body);
  return cardText(t.feishu.sent.filter((s) => s.kind === 'reply').at(-1)!.card);
}

async function dayRow(day: string) {
  const { rows } = await t.database.query<Record<string, number | string>>(
    `select m.members_total as "membersTotal", m.members_joined as joined, m.members_left as "left",
            m.active_members as active, m.messages, m.source
       from community_daily_metrics m join community_communities c on c.id = m.community_id
      where c.feishu_chat_id = $1 and m.day = $2::date`,
    [CHAT, day],
  );
  return rows[0];
}

describe('a Feishu group as a community', () => {
  it('refuses 社群 绑定 from someone who is not an operator, and binds for an operator', async () => {
    expect(await bindInGroup('社群 绑定', 'ou_agent_x')).toContain('只有社群运营');
    const text = await bindInGroup('社群 绑定', OPERATOR);
    expect(text).toContain('已绑定社群');
    expect(text).toContain('宝妈交流群');
    expect(text).toContain('**当前成员 Members now** 40');
    const { rows } = await t.database.query<{ platform: string; operator: string }>(
      `select platform, operator_open_id as operator from community_communities where feishu_chat_id = $1`,
      [CHAT],
    );
    expect(rows).toEqual([{ platform: 'feishu', operator: OPERATOR }]);
    // The operator's own message counts from the moment the group is a community; the refused one before did not.
    expect(await dayRow('2026-11-30')).toMatchObject({ membersTotal: 40, joined: 0, messages: 1, source: 'feishu' });
    // Again: nothing changes but the message count, and the card says it is already one.
    expect(await bindInGroup('社群 绑定', OPERATOR)).toContain('本群已是社群');
    expect(await dayRow('2026-11-30')).toMatchObject({ membersTotal: 40, active: 1, messages: 2 });
  });

  it('counts joins, leaves, withdrawn invitations and messages into the day; a redelivery counts once', async () => {
    const at = sh('2026-11-30T11:00');
    await deliver(memberEvent('im.chat.member.user.added_v1', ['ou_a', 'ou_b', 'ou_c'], at));
    await deliver(memberEvent('im.chat.member.user.deleted_v1', ['ou_b'], at));
    await deliver(memberEvent('im.chat.member.user.withdrawn_v1', ['ou_c'], at));
    await deliver(groupMessage('ou_a', 'om_m1', at));
    await deliver(groupMessage('ou_a', 'om_m2', at));
    await deliver(groupMessage('ou_d', 'om_m3', at));
    // Feishu pushes the same message again under a new event id (FEISHU.md §m.4): still one message.
    await deliver(groupMessage('ou_d', 'om_m3', at));
    // 40 + 3 − 2; speakers: the operator (two binds), ou_a, ou_d; messages 2 + 3.
    expect(await dayRow('2026-11-30')).toMatchObject({ membersTotal: 41, joined: 3, left: 2, active: 3, messages: 5 });

    // The same event handled twice (a job re-run after a crash): the facts are keyed by event id.
    const again = memberEvent('im.chat.member.user.added_v1', ['ou_e'], at, 'evt_fixed_1');
    await deliver(again);
    const svc = serviceOf(t);
    const { memberFacts } = await import('../../../src/domains/community/logic/chat-events.js');
    const facts = memberFacts(again.header.event_type, 'evt_fixed_1', again.event, again.header, Date.now());
    expect(await svc.recordChatFacts(facts, t.clock.now())).toBe(0);
    // The same event id delivered again is acknowledged as a duplicate by the inbox.
    await t.app.inject({ method: 'POST', url: '/webhook/event', ...signedAt(again) });
    expect(await dayRow('2026-11-30')).toMatchObject({ membersTotal: 42, joined: 4 });
  });

  it('a late event rewrites its day and carries members forward; a quiet day reads 0, not late', async () => {
    t.clock.set('2026-12-02T10:00');
    const svc = serviceOf(t);
    await svc.closeChatDay('2026-12-01', t.clock.now());
    expect(await dayRow('2026-12-01')).toMatchObject({ membersTotal: 42, joined: 0, messages: 0 });
    // A join on 11-30 arriving now (Feishu retried it for hours) moves 11-30 and every later day.
    await deliver(memberEvent('im.chat.member.user.added_v1', ['ou_late'], sh('2026-11-30T23:00')));
    expect(await dayRow('2026-11-30')).toMatchObject({ membersTotal: 43, joined: 5 });
    expect(await dayRow('2026-12-01')).toMatchObject({ membersTotal: 43, joined: 0 });
  });

  it('ignores groups that are not communities and messages from bots', async () => {
    const before = await t.database.query<{ n: number }>('select count(*)::int as n from community_chat_facts');
    const other = memberEvent('im.chat.member.user.added_v1', ['ou_z'], sh('2026-12-02T09:00'));
    (other.event as { chat_id: string }).chat_id = 'oc_not_a_community';
    await deliver(other);
    const fromBot = groupMessage('ou_botty', 'om_bot_1', sh('2026-12-02T09:00'));
    (fromBot.event as { sender: { sender_type: string } }).sender.sender_type = 'app';
    await deliver(fromBot);
    const after = await t.database.query<{ n: number }>('select count(*)::int as n from community_chat_facts');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('社群 日报群 in a group makes it the digest group (operators only); the digest then goes there', async () => {
    expect(await bindInGroup('社群 日报群', 'ou_agent_x')).toContain('只有社群运营');
    expect(await bindInGroup('社群 日报群', OPERATOR)).toContain('已设为社群日报群');
    const { rows } = await t.database.query<{ value: unknown; by: string }>(
      `select value, updated_by as by from directory_settings where key = 'community.reporting'`,
    );
    expect(rows).toEqual([{ value: { digestChatId: CHAT }, by: OPERATOR }]);
    expect(await serviceOf(t).sendDigest(t.clock.now())).toBe(true);
    expect(cardText(t.feishu.to(CHAT).at(-1)!.card)).toContain('社群日报');
  });

  it('shows the group community in 社群 <名称> with its counts', async () => {
    await say(t, '社群 宝妈交流群', OPERATOR);
    const text = cardText(t.feishu.sent.filter((s) => s.kind === 'reply').at(-1)!.card);
    expect(text).toContain('宝妈交流群');
    expect(text).toContain('飞书群');
  });
});
