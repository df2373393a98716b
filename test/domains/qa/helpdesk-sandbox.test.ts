import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../../src/domains/directory/service.js';
import { sealEvent } from '../../../src/feishu/crypto.js';
import { SettingsStore, settingsHost } from '../../../src/core/settings.js';
import { helpdeskMessageOf, receiveHelpdeskMessage } from '../../../src/domains/qa/service/helpdesk.js';
import { declareQaSettings } from '../../../src/domains/qa/settings/index.js';
import { demoOpenId } from '../../../src/sandbox/index.js';
import { waitFor } from '../../helpers/app.js';
import { startTestProduct, type TestProduct } from '../../helpers/product.js';

// Feishu 服务台 as a native QA channel, end to end: the sandbox pushes
// helpdesk.ticket_message.created_v1 (signed, encrypted, retried like Feishu) to the running product;
// each ticket becomes one conversation (channel feishu_helpdesk), whatever repeats or the order.
describe('Feishu Service Desk ticket messages become QA conversations (sandbox)', () => {
  let product: TestProduct;
  const agent = demoOpenId('wangxiaoli');
  const other = demoOpenId('lina');

  beforeAll(async () => {
    product = await startTestProduct({ cron: false });
    await waitFor(
      async () => (await createDirectory({ db: product.deps.database.db }).person(agent))?.active === true,
      'demo people synced',
      60_000,
    );
  }, 120_000);
  afterAll(() => product?.close());

  const sandbox = () => product.sandbox!;
  const push = (ticketId: string, senderType: 1 | 2 | 3, text: string, senderOpenId?: string) =>
    sandbox().actions.pushHelpdeskMessage({ ticketId, senderType, text, senderOpenId });
  const conversation = async (ticketId: string) =>
    (
      await product.deps.database.query<{
        id: string;
        agent_open_id: string;
        message_count: number;
        source: string;
        transcript: string | null;
      }>(
        `select c.id::text, c.agent_open_id, c.message_count, c.source,
                (select string_agg(m.role || ':' || m.text, ' / ' order by m.seq) from qa_messages m
                  where m.conversation_id = c.id) as transcript
           from qa_conversations c where c.channel = 'feishu_helpdesk' and c.external_id = $1`,
        [ticketId],
      )
    ).rows;
  const kept = async (ticketId: string) =>
    (
      await product.deps.database.query<{ n: number }>(
        `select count(*)::int as n from qa_helpdesk_messages where ticket_id = $1`,
        [ticketId],
      )
    ).rows[0]!.n;
  const delivered = (eventId: string) =>
    waitFor(
      async () =>
        sandbox()
          .state.deliveries()
          .find((d) => d.event_id === eventId && d.state === 'delivered'),
      `event ${eventId} delivered`,
    );

  it('bot stage, then the agent: one conversation per ticket, messages in order; redelivery adds none', async () => {
    const ticket = '7000000000000000001';
    // The bot stage: the guest and the service desk's bot; no agent yet, so no conversation yet.
    await delivered(push(ticket, 2, '我的快递三天没动了', 'ou_guest_1').eventId);
    await delivered(push(ticket, 1, '正在为您转接人工客服').eventId);
    await waitFor(async () => (await kept(ticket)) === 2, 'bot-stage messages kept');
    expect(await conversation(ticket)).toEqual([]);

    // The agent answers: the conversation appears with all three messages, attributed to them.
    await delivered(push(ticket, 3, '您好，我是王晓丽，马上为您查询', agent).eventId);
    await waitFor(async () => (await conversation(ticket))[0]?.message_count === 3, 'the conversation');
    await delivered(push(ticket, 2, '好的谢谢', 'ou_guest_1').eventId);
    await waitFor(async () => (await conversation(ticket))[0]?.message_count === 4, 'the 4th message');
    const [c] = await conversation(ticket);
    expect(c).toMatchObject({ agent_open_id: agent, source: 'feishu_helpdesk', message_count: 4 });
    expect(c!.transcript).toBe(
      'customer:我的快递三天没动了 / system:正在为您转接人工客服 / agent:您好，我是王晓丽，马上为您查询 / customer:好的谢谢',
    );

    // Feishu sends the same ticket message again under a new event_id (FEISHU.md: dedupe on the message,
    // not the event): it is taken (200) and changes nothing.
    const last = sandbox()
      .state.deliveries()
      .filter((d) => d.event_type === 'helpdesk.ticket_message.created_v1')
      .at(-1)!;
    const copy = { ...last.envelope, header: { ...last.envelope.header, event_id: `${last.event_id}-again` } };
    const sealed = sealEvent(copy, sandbox().credentials.encryptKey);
    const again = await fetch(`${product.url}/webhook/event`, {
      method: 'POST',
      headers: sealed.headers,
      body: sealed.body,
    });
    expect(again.status).toBe(200);
    await waitFor(
      async () =>
        (
          await product.deps.database.query<{ n: number }>(
            `select count(*)::int as n from lark_events where event_id = $1 and status = 'done'`,
            [copy.header.event_id],
          )
        ).rows[0]?.n === 1,
      'the repeat handled',
    );
    expect((await conversation(ticket))[0]?.message_count).toBe(4);
    await delivered(push(ticket, 3, '已为您催促', agent).eventId);
    await waitFor(async () => (await conversation(ticket))[0]?.message_count === 5, 'the 5th message');
    expect(await conversation(ticket)).toHaveLength(1);
    expect(await kept(ticket)).toBe(5);
  });

  it('two tickets stay apart; a ticket without an agent of 人员与角色 waits and stores nothing', async () => {
    const a = '7000000000000000002';
    const b = '7000000000000000003';
    await delivered(push(a, 2, '发票怎么开', 'ou_guest_2').eventId);
    await delivered(push(b, 2, '尺码偏大吗', 'ou_guest_3').eventId);
    await delivered(push(b, 3, '您好，标准尺码', other).eventId);
    await delivered(push(a, 3, '您好，订单页可申请', agent).eventId);
    await waitFor(async () => (await conversation(a)).length === 1 && (await conversation(b)).length === 1, 'both');
    expect((await conversation(a))[0]).toMatchObject({ agent_open_id: agent, message_count: 2 });
    expect((await conversation(b))[0]).toMatchObject({ agent_open_id: other, message_count: 2 });
    expect((await conversation(b))[0]!.transcript).toBe('customer:尺码偏大吗 / agent:您好，标准尺码');

    // A guest who writes and gets no agent (pushed over the sandbox's HTTP admin route): kept, no conversation.
    const c = '7000000000000000004';
    const res = await fetch(`${sandbox().url}/sandbox/admin/helpdesk/ticket-messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ticket_id: c, sender_type: 2, sender_open_id: 'ou_guest_4', text: '在吗' }),
    });
    expect(res.status).toBe(200);
    await delivered(((await res.json()) as { event_id: string }).event_id);
    await waitFor(async () => (await kept(c)) === 1, 'kept');
    expect(await conversation(c)).toEqual([]);

    // An agent the directory does not know (someone outside 人员与角色): still waiting, nothing stored.
    const deps = {
      database: product.deps.database,
      directory: createDirectory({ db: product.deps.database.db }),
      settings: declareQaSettings(
        settingsHost(new SettingsStore({ database: product.deps.database, log: product.deps.log }), 'qa'),
      ),
    };
    const at = new Date('2026-11-30T02:00:00Z');
    const r = await receiveHelpdeskMessage(deps, {
      ticketMessageId: 'tm-unknown-agent',
      ticketId: c,
      role: 'agent',
      senderOpenId: 'ou_not_in_directory',
      at,
      text: '您好',
    });
    expect(r).toEqual({ status: 'waiting', reason: 'no agent of the directory on this ticket yet' });
    expect(await conversation(c)).toEqual([]);
    expect(await kept(c)).toBe(2);

    // An event we cannot read (no ticket) is skipped, not retried forever; unknown sender types too.
    expect(helpdeskMessageOf({ ticket_message_id: 'x', sender_type: 3 }, {}, at)).toHaveProperty('error');
    expect(helpdeskMessageOf({ ticket_message_id: 'x', sender_type: 9, ticket: { ticket_id: '1' } }, {}, at)).toEqual({
      error: 'unknown sender_type 9',
    });
    // Text the database cannot hold is made storable; the envelope's create_time is the message time.
    expect(
      helpdeskMessageOf(
        { ticket_message_id: 'y', sender_type: 2, text: 'a\u0000b', ticket: { ticket_id: '1' } },
        { create_time: '1764468000000' },
        at,
      ),
    ).toMatchObject({ text: 'a\uFFFDb', at: new Date(1764468000000), role: 'customer' });
  });
});
