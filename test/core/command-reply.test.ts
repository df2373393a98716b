import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SentMessage } from '../../src/core/messenger.js';
import { defineModule } from '../../src/core/module.js';
import { blockNetwork, buildTestApp, FEISHU_URL, nockToken, waitFor, type TestApp } from '../helpers/app.js';
import { messageEvent, signed } from '../helpers/events.js';

// A command's reply resolves to the message Feishu sent (data.message_id of the reply API), so a module can update
// that card in place later; a handler that only awaits it (or returns it) works as before.
const sentBack: SentMessage[] = [];
const echo = defineModule({
  name: 'echo',
  setup(bot) {
    bot.command(
      ['ping'],
      async (ctx) => {
        sentBack.push(await ctx.reply({ text: 'pong' }, 'pong'));
      },
      { description: 'ping', usage: 'ping' },
    );
    // Ends with its reply: what it resolves to is not used by the core.
    bot.command(['pong'], async (ctx) => ctx.reply({ text: 'ping' }, 'ping'), { description: 'pong', usage: 'pong' });
  },
});

describe('a command reply gives the sent message', () => {
  let t: TestApp;
  beforeAll(async () => {
    blockNetwork();
    t = await buildTestApp({ modules: [echo], workers: true });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });

  const done = async (eventId: string) =>
    waitFor(async () => {
      const { rows } = await t.database.query<{ status: string }>(
        'select status from lark_events where event_id = $1',
        [eventId],
      );
      return rows[0]?.status === 'done';
    }, 'event done');

  it("resolves to Feishu's message_id and chat_id of the reply", async () => {
    nockToken(1);
    const scope = nock(FEISHU_URL)
      .post('/open-apis/im/v1/messages/om_ping_1/reply')
      .reply(200, { code: 0, msg: 'success', data: { message_id: 'om_sent_reply_7', chat_id: 'oc_p2p_chat' } });
    const event = messageEvent('ping', { messageId: 'om_ping_1' });
    expect((await t.app.inject({ method: 'POST', url: '/webhook/event', ...signed(event) })).statusCode).toBe(200);
    await done(event.header.event_id);
    scope.done();
    expect(sentBack).toEqual([{ messageId: 'om_sent_reply_7', chatId: 'oc_p2p_chat' }]);
  });

  it('a handler that returns its reply still answers once', async () => {
    const scope = nock(FEISHU_URL)
      .post('/open-apis/im/v1/messages/om_pong_1/reply')
      .reply(200, { code: 0, msg: 'success', data: { message_id: 'om_sent_reply_8' } });
    const event = messageEvent('pong', { messageId: 'om_pong_1' });
    await t.app.inject({ method: 'POST', url: '/webhook/event', ...signed(event) });
    await done(event.header.event_id);
    scope.done();
  });
});
