import { afterEach, describe, expect, it } from 'vitest';
import { demoOpenId } from '../../src/sandbox/index.js';
import { sample, sameShape, startTestSandbox, type TestSandbox } from './helpers.js';

const card = (title: string, shared = true) => ({
  schema: '2.0',
  config: { update_multi: shared },
  header: { title: { tag: 'plain_text', content: title }, template: 'blue' },
  body: { elements: [{ tag: 'markdown', content: '**hi**' }] },
});
const agent = demoOpenId('wangxiaoli');

describe('sandbox IM messages', () => {
  let t: TestSandbox;
  afterEach(async () => t?.close());

  it('sends to a user by open_id with the documented response shape', async () => {
    t = await startTestSandbox();
    const res = await t.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', {
      body: { receive_id: agent, msg_type: 'text', content: JSON.stringify({ text: 'test content' }) },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 0, msg: 'success' });
    const expected = sample<{ data: Record<string, unknown> }>('im.message.create.response.json').data;
    const { root_id: _r, parent_id: _p, thread_id: _t, upper_message_id: _u, mentions: _m, ...top } = expected;
    expect(sameShape(res.body.data, top)).toEqual([]);
    expect(res.body.data).toMatchObject({
      msg_type: 'text',
      deleted: false,
      updated: false,
      chat_id: t.sandbox.state.p2pChatOf(agent)!.chat_id,
      sender: { id: t.sandbox.credentials.appId, id_type: 'app_id', sender_type: 'app' },
      body: { content: '{"text":"test content"}' },
    });
    expect(res.body.data!.message_id).toMatch(/^om_[0-9a-f]{32}$/);
    expect(res.body.data!.create_time).toMatch(/^\d{13}$/);
  });

  it('sends to a chat, by email and user_id; rejects unknown receivers and bad content', async () => {
    t = await startTestSandbox();
    const group = t.sandbox.state.chats().find((c) => c.chat_type === 'group')!;
    const user = t.sandbox.state.users()[0]!;
    const content = JSON.stringify({ text: 'x' });
    for (const [type, id] of [
      ['chat_id', group.chat_id],
      ['email', user.email],
      ['user_id', user.user_id],
      ['union_id', user.union_id],
    ]) {
      const res = await t.call('POST', `/open-apis/im/v1/messages?receive_id_type=${type}`, {
        body: { receive_id: id, msg_type: 'text', content },
      });
      expect(res.body.code, type).toBe(0);
    }
    const unknown = await t.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', {
      body: { receive_id: 'ou_nobody', msg_type: 'text', content },
    });
    expect(unknown).toMatchObject({ status: 400, body: { code: 230013 } });
    const badChat = await t.call('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', {
      body: { receive_id: 'oc_x', msg_type: 'text', content },
    });
    expect(badChat.body.code).toBe(230001);
    expect(badChat.body.msg).toContain('ext=invalid receive_id');
    const notJson = await t.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', {
      body: { receive_id: agent, msg_type: 'text', content: 'hello' },
    });
    expect(notJson.body.code).toBe(230001);
    const big = JSON.stringify({
      ...card('x'),
      body: { elements: [{ tag: 'markdown', content: 'x'.repeat(31 * 1024) }] },
    });
    const tooBig = await t.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', {
      body: { receive_id: agent, msg_type: 'interactive', content: big },
    });
    expect(tooBig.body.code).toBe(230025);
  });

  it('sends one message per uuid within the hour', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    t = await startTestSandbox({ now: () => new Date(clock) });
    const send = () =>
      t.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', {
        body: { receive_id: agent, msg_type: 'text', content: '{"text":"once"}', uuid: 'u-1' },
      });
    const a = await send();
    const b = await send();
    expect(b.body.data!.message_id).toBe(a.body.data!.message_id);
    expect(t.sandbox.state.botMessages()).toHaveLength(1);
    expect(t.sandbox.state.messageUuids()).toEqual(['u-1']);
    clock += 61 * 60_000;
    const c = await send();
    expect(c.body.data!.message_id).not.toBe(a.body.data!.message_id);
  });

  it('limits sends to 5 per second per chat with 429 + 99991400 + ratelimit headers', async () => {
    const clock = Date.parse('2026-01-01T00:00:00Z');
    t = await startTestSandbox({ now: () => new Date(clock) });
    const results = [];
    for (let i = 0; i < 6; i++) {
      results.push(
        await t.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', {
          body: { receive_id: agent, msg_type: 'text', content: `{"text":"${i}"}` },
        }),
      );
    }
    expect(results.slice(0, 5).every((r) => r.body.code === 0)).toBe(true);
    const limited = results[5]!;
    const expected = sample<{ http_status: number; body: object }>('error.rate_limit.429.json');
    expect(limited.status).toBe(expected.http_status);
    expect(limited.body).toMatchObject(expected.body);
    expect(limited.headers.get('x-ogw-ratelimit-limit')).toBe('5');
    expect(Number(limited.headers.get('x-ogw-ratelimit-reset'))).toBeGreaterThanOrEqual(1);
    // another chat is not affected
    const other = await t.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', {
      body: { receive_id: demoOpenId('chenjing'), msg_type: 'text', content: '{"text":"x"}' },
    });
    expect(other.body.code).toBe(0);
  });

  it('replies in the parent chat with root_id and parent_id', async () => {
    t = await startTestSandbox();
    const chat = t.sandbox.state.p2pChatOf(agent)!;
    const userMessage = t.sandbox.actions.sendUserMessage({ userOpenId: agent, chatId: chat.chat_id, text: '帮助' });
    const res = await t.call('POST', `/open-apis/im/v1/messages/${userMessage.message_id}/reply`, {
      body: sample('im.message.reply.request.json'),
    });
    expect(res.body.code).toBe(0);
    expect(res.body.data).toMatchObject({
      chat_id: chat.chat_id,
      root_id: userMessage.message_id,
      parent_id: userMessage.message_id,
      msg_type: 'text',
    });
    expect(res.body.data!.thread_id).toMatch(/^omt_/);
    const missing = await t.call('POST', '/open-apis/im/v1/messages/om_missing/reply', {
      body: { msg_type: 'text', content: '{"text":"x"}' },
    });
    expect(missing.body.code).toBe(230001);
  });

  it('PATCHes shared cards only, 5 per second per message', async () => {
    const clock = Date.parse('2026-01-01T00:00:00Z');
    t = await startTestSandbox({ now: () => new Date(clock) });
    const sent = await t.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', {
      body: { receive_id: agent, msg_type: 'interactive', content: JSON.stringify(card('v1')) },
    });
    const id = sent.body.data!.message_id as string;
    const patch = (c: object) =>
      t.call('PATCH', `/open-apis/im/v1/messages/${id}`, { body: { content: JSON.stringify(c) } });
    const first = await patch(card('v2'));
    expect(first.body).toMatchObject(sample('im.message.patch.response.json'));
    expect(JSON.parse(t.sandbox.state.botMessages()[0]!.content).header.title.content).toBe('v2');
    expect((await patch(card('v3', false))).body.code).toBe(230001);
    for (let i = 0; i < 3; i++) expect((await patch(card(`v${i}`))).body.code).toBe(0);
    // the non-shared attempt was refused before the limiter: this is the fifth PATCH of the second, the next is the
    // sixth
    expect((await patch(card('v9'))).body.code).toBe(0);
    const limited = await patch(card('v10'));
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe(230020);
    expect(limited.headers.get('x-ogw-ratelimit-reset')).toBeTruthy();
    const notShared = await t.call('POST', '/open-apis/im/v1/messages?receive_id_type=open_id', {
      body: { receive_id: demoOpenId('lina'), msg_type: 'interactive', content: JSON.stringify(card('x', false)) },
    });
    const res = await t.call('PATCH', `/open-apis/im/v1/messages/${notShared.body.data!.message_id as string}`, {
      body: { content: JSON.stringify(card('y')) },
    });
    expect(res.body.code).toBe(230001);
  });
});
