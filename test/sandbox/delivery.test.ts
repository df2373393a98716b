import { afterEach, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { sample, sameShape, startTestSandbox, type TestSandbox } from './helpers.js';
import { startReceiver } from './fake-bot.js';

const agent = demoOpenId('wangxiaoli');
const card = {
  schema: '2.0',
  config: { update_multi: true },
  header: { title: { tag: 'plain_text', content: 'v1' }, template: 'blue' },
  body: { elements: [] },
};

describe('sandbox event delivery', () => {
  let t: TestSandbox;
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await t?.close();
  });

  async function receiver(answer: Parameters<typeof startReceiver>[1]) {
    const r = await startReceiver(t.sandbox.credentials.encryptKey, answer);
    closers.push(() => r.app.close());
    t.sandbox.setBotEndpoints({ eventUrl: `${r.url}/webhook/event`, cardUrl: `${r.url}/webhook/card` });
    return r;
  }

  it('delivers a p2p message as an encrypted v2 envelope, signed over the raw body', async () => {
    t = await startTestSandbox();
    const r = await receiver(() => ({}));
    const chat = t.sandbox.state.p2pChatOf(agent)!;
    const sent = t.sandbox.actions.sendUserMessage({ userOpenId: agent, chatId: chat.chat_id, text: '帮助' });
    await expect.poll(() => r.received.length).toBe(1);
    const req = r.received[0]!;
    expect(Object.keys(JSON.parse(req.rawBody) as object)).toEqual(['encrypt']);
    expect(req.signatureValid).toBe(true);
    expect(req.headers['x-lark-request-timestamp']).toMatch(/^\d{10}$/);
    expect(req.headers['x-lark-request-nonce']).toBeTruthy();
    const official = sample<Record<string, unknown>>('im.message.receive_v1.group_mention.json');
    const {
      mentions: _m,
      root_id: _r,
      parent_id: _p,
      thread_id: _t,
      ...message
    } = (official.event as { message: Record<string, unknown> }).message;
    expect(sameShape(req.envelope, { ...official, event: { ...(official.event as object), message } })).toEqual([]);
    expect(req.envelope.header).toMatchObject({
      event_type: 'im.message.receive_v1',
      token: t.sandbox.credentials.verificationToken,
      app_id: t.sandbox.credentials.appId,
      create_time: expect.stringMatching(/^\d{13}$/),
    });
    expect(req.envelope.event).toMatchObject({
      sender: { sender_id: { open_id: agent }, sender_type: 'user' },
      message: {
        message_id: sent.message_id,
        chat_id: chat.chat_id,
        chat_type: 'p2p',
        message_type: 'text',
        content: '{"text":"帮助"}',
      },
    });
    // The receiver has the request before the stand-in records its answer: poll, never a fixed wait.
    await expect.poll(() => t.sandbox.state.deliveries()[0]?.state).toBe('delivered');
  });

  it('delivers group messages only when the bot is @-mentioned, with mentions[]', async () => {
    t = await startTestSandbox();
    const r = await receiver(() => ({}));
    const group = t.sandbox.state.chats().find((c) => c.chat_type === 'group' && c.members.includes(agent))!;
    t.sandbox.actions.sendUserMessage({ userOpenId: agent, chatId: group.chat_id, text: '大家好' });
    t.sandbox.actions.sendUserMessage({ userOpenId: agent, chatId: group.chat_id, text: '@运营助手 帮助' });
    await expect.poll(() => r.received.length).toBe(1);
    // Nothing else on its way: no delivery in flight, and only the mention was queued at all.
    await t.sandbox.state.idle();
    expect(t.sandbox.state.deliveries()).toHaveLength(1);
    expect(r.received).toHaveLength(1);
    expect(r.received[0]!.envelope.event.message).toMatchObject({
      chat_type: 'group',
      content: '{"text":"@_user_1 帮助"}',
      mentions: [{ key: '@_user_1', id: { open_id: t.sandbox.state.bot().open_id }, name: '运营助手' }],
    });
  });

  it('retries un-acked events on the (scaled) 15 s / 5 min / 1 h / 6 h schedule, then gives up', async () => {
    t = await startTestSandbox({ retryScheduleMs: [20, 40, 60, 80] });
    const r = await receiver(() => ({ status: 500 }));
    t.sandbox.actions.sendUserMessage({
      userOpenId: agent,
      chatId: t.sandbox.state.p2pChatOf(agent)!.chat_id,
      text: 'x',
    });
    await expect.poll(() => t.sandbox.state.deliveries()[0]?.state, { timeout: 5000 }).toBe('failed');
    expect(r.received).toHaveLength(5);
    const ids = new Set(r.received.map((x) => x.envelope.header.event_id));
    expect(ids.size).toBe(1);
    const at = t.sandbox.state.deliveries()[0]!.attempts.map((a) => a.at);
    expect(at[4]! - at[0]!).toBeGreaterThanOrEqual(200 - 5);
  });

  it('stops retrying once the bot answers 200', async () => {
    t = await startTestSandbox({ retryScheduleMs: [10, 10, 10, 10] });
    let calls = 0;
    const r = await receiver(() => ({ status: ++calls < 3 ? 503 : 200 }));
    t.sandbox.actions.sendUserMessage({
      userOpenId: agent,
      chatId: t.sandbox.state.p2pChatOf(agent)!.chat_id,
      text: 'x',
    });
    await expect.poll(() => t.sandbox.state.deliveries()[0]?.state).toBe('delivered');
    expect(r.received).toHaveLength(3);
  });

  it('holds events until the bot endpoints are known, and drops deliveries on demand', async () => {
    t = await startTestSandbox();
    const chatId = t.sandbox.state.p2pChatOf(agent)!.chat_id;
    t.sandbox.actions.sendUserMessage({ userOpenId: agent, chatId, text: 'early' });
    expect(t.sandbox.state.deliveries()[0]!.state).toBe('waiting-endpoint');
    t.sandbox.faults.dropDeliveries(1);
    t.sandbox.actions.sendUserMessage({ userOpenId: agent, chatId, text: 'lost' });
    const r = await receiver(() => ({}));
    await expect.poll(() => r.received.length).toBe(1);
    expect(r.received[0]!.envelope.event.message).toMatchObject({ content: '{"text":"early"}' });
    await expect.poll(() => t.sandbox.state.deliveries().map((d) => d.state)).toEqual(['delivered', 'dropped']);
  });

  it('delivers card.action.trigger synchronously, applies toast + raw card, issues a 30-min 2-use token', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    t = await startTestSandbox({ now: () => new Date(clock) });
    const answer = sample('card.action.trigger.response.raw.json');
    const r = await receiver((req) => (req.path === '/webhook/card' ? { body: answer } : {}));
    const sent = await t.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', {
      body: { receive_id: agent, msg_type: 'interactive', content: JSON.stringify(card) },
    });
    const messageId = sent.body.data!.message_id as string;
    const result = await t.sandbox.actions.clickCard({
      operatorOpenId: agent,
      messageId,
      action: { tag: 'button', value: { key: 'value' } },
    });
    expect(result).toEqual({ ok: true, cardUpdated: true, toast: { type: 'info', content: '卡片交互成功' } });
    const req = r.received.find((x) => x.path === '/webhook/card')!;
    expect(req.signatureValid).toBe(true);
    const official = sample<{ event: Record<string, unknown> }>('card.action.trigger.json');
    const { delivery_type: _d, ...event } = official.event;
    const { url: _u, preview_token: _p, ...context } = event.context as Record<string, unknown>;
    const { form_value: _f, name: _n, ...action } = event.action as Record<string, unknown>;
    expect(sameShape(req.envelope, { ...official, event: { ...event, context, action } })).toEqual([]);
    expect(JSON.parse(t.sandbox.state.botMessages()[0]!.content)).toEqual(
      (answer as { card: { data: unknown } }).card.data,
    );

    const token = req.envelope.event.token as string;
    expect(token).toMatch(/^c-/);
    const update = (c: object) => t.call('POST', '/open-apis/interactive/v1/card/update', { body: { token, card: c } });
    const delayed = sample<{ card: object }>('interactive.card.update.delayed.request.json');
    expect((await update(delayed.card)).body).toMatchObject(sample('interactive.card.update.delayed.response.json'));
    expect((await update(delayed.card)).body.code).toBe(0);
    expect((await update(delayed.card)).body.code).toBe(300040);
    await t.sandbox.actions.clickCard({ operatorOpenId: agent, messageId, action: { tag: 'button', value: {} } });
    const second = r.received.filter((x) => x.path === '/webhook/card')[1]!.envelope.event.token as string;
    clock += 31 * 60_000;
    expect(
      (await t.call('POST', '/open-apis/interactive/v1/card/update', { body: { token: second, card: delayed.card } }))
        .body.code,
    ).toBe(300030);
  });

  it('reports callback failures as Feishu client error codes and never retries callbacks', async () => {
    t = await startTestSandbox({ callbackTimeoutMs: 200 });
    const sent = await t.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', {
      body: { receive_id: agent, msg_type: 'interactive', content: JSON.stringify(card) },
    });
    const messageId = sent.body.data!.message_id as string;
    const click = () =>
      t.sandbox.actions.clickCard({ operatorOpenId: agent, messageId, action: { tag: 'button', value: {} } });
    expect((await click()).errorCode).toBe(200340);
    let mode = 'status';
    const r = await receiver(async () => {
      if (mode === 'slow') await new Promise((res) => setTimeout(res, 400));
      return mode === 'status'
        ? { status: 500 }
        : mode === 'legacy'
          ? { body: { card: { type: 'raw', data: { elements: [] } } } }
          : {};
    });
    expect((await click()).errorCode).toBe(200671);
    mode = 'slow';
    expect((await click()).errorCode).toBe(200341);
    mode = 'legacy';
    expect((await click()).errorCode).toBe(200830);
    expect(r.received.filter((x) => x.path === '/webhook/card')).toHaveLength(3);
  });
});
