import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import { defineModule } from '../../src/core/module.js';
import {
  blockNetwork,
  buildTestApp,
  FEISHU_URL,
  jobsDrained,
  nockToken,
  waitFor,
  type TestApp,
} from '../helpers/app.js';
import { envelope, messageEvent, signed } from '../helpers/events.js';

interface Reply {
  msg_type: string;
  content: string;
  uuid: string;
}

let failuresLeft = 0;
const flaky = defineModule({
  name: 'flaky',
  setup(bot) {
    bot.event('test.flaky_v1', async () => {
      if (failuresLeft-- > 0) throw new Error('downstream unavailable');
    });
    bot.event('test.broken_v1', async () => {
      throw new Error('always broken');
    });
  },
});

describe('event processing from the queue', () => {
  let t: TestApp;
  const replies: Array<{ messageId: string; body: Reply }> = [];

  beforeAll(async () => {
    blockNetwork();
    t = await buildTestApp({ modules: [flaky], workers: true, env: { JOB_RETRY_LIMIT: '2' } });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });
  afterEach(() => nock.cleanAll());

  function nockReplies(times: number) {
    nockToken(1);
    return nock(FEISHU_URL)
      .post(/\/open-apis\/im\/v1\/messages\/[^/]+\/reply/)
      .times(times)
      .reply(200, function (uri, body) {
        const messageId = uri.split('/')[5]!;
        replies.push({ messageId, body: body as Reply });
        return { code: 0, msg: 'success', data: { message_id: `om_reply_${replies.length}`, chat_id: 'oc_p2p_chat' } };
      });
  }

  const send = (body: unknown) => t.app.inject({ method: 'POST', url: '/webhook/event', ...signed(body) });

  const statusOf = async (eventId: string) =>
    (
      await t.database.query<{ status: string; attempts: number; last_error: string | null }>(
        'select status, attempts, last_error from lark_events where event_id = $1',
        [eventId],
      )
    ).rows[0];

  it('answers "帮助" in a direct chat with a help card listing every command', async () => {
    const scope = nockReplies(1);
    const event = messageEvent('帮助', { messageId: 'om_help_1' });
    expect((await send(event)).statusCode).toBe(200);
    await waitFor(async () => (await statusOf(event.header.event_id))?.status === 'done', 'event done');
    scope.done();
    const reply = replies.find((r) => r.messageId === 'om_help_1')!;
    expect(reply.body.msg_type).toBe('interactive');
    const card = JSON.parse(reply.body.content);
    expect(card.schema).toBe('2.0');
    expect(card.header.title.content).toContain('帮助');
    expect(JSON.stringify(card.body)).toContain('help');
    expect(reply.body.uuid).toMatch(/^[0-9a-f]{40}$/);
  });

  it('answers a group @-mention of "/help" and strips the mention', async () => {
    nockReplies(1);
    const event = messageEvent('/help', { chatType: 'group', messageId: 'om_help_group' });
    await send(event);
    await waitFor(async () => (await statusOf(event.header.event_id))?.status === 'done', 'event done');
    const card = JSON.parse(replies.find((r) => r.messageId === 'om_help_group')!.body.content);
    expect(card.header.title.content).toContain('Help');
  });

  it('answers unknown text with a hint card, never silence', async () => {
    nockReplies(1);
    const event = messageEvent('hepl', { messageId: 'om_unknown' });
    await send(event);
    await waitFor(async () => (await statusOf(event.header.event_id))?.status === 'done', 'event done');
    const card = JSON.parse(replies.find((r) => r.messageId === 'om_unknown')!.body.content);
    expect(card.header.title.content).toContain('没听懂');
    expect(JSON.stringify(card.body)).toContain('help'); // did you mean help?
  });

  it('stays quiet in a group when nobody @-mentions it', async () => {
    const event = messageEvent('帮助', { chatType: 'group', mention: false, messageId: 'om_quiet' });
    await send(event);
    await waitFor(async () => (await statusOf(event.header.event_id))?.status === 'done', 'event done');
    expect(replies.find((r) => r.messageId === 'om_quiet')).toBeUndefined();
  });

  it('retries a failing event with backoff and completes it', async () => {
    failuresLeft = 2;
    const event = envelope('test.flaky_v1', {});
    await send(event);
    const done = await waitFor(async () => {
      const s = await statusOf(event.header.event_id);
      return s?.status === 'done' ? s : undefined;
    }, 'flaky event done');
    expect(done.attempts).toBe(3);
    expect(done.last_error).toBeNull();
  });

  it('marks an event dead after the retry limit, with its last error', async () => {
    const event = envelope('test.broken_v1', {});
    await send(event);
    const dead = await waitFor(async () => {
      const s = await statusOf(event.header.event_id);
      return s?.status === 'dead' ? s : undefined;
    }, 'broken event dead');
    expect(dead.attempts).toBe(3); // first try + JOB_RETRY_LIMIT=2 retries
    expect(dead.last_error).toContain('always broken');
  });

  it('processes a redelivered event once', async () => {
    const scope = nockReplies(1);
    const event = messageEvent('help', { messageId: 'om_once' });
    await Promise.all([send(event), send(event), send(event)]);
    await waitFor(async () => (await statusOf(event.header.event_id))?.status === 'done', 'event done');
    // No second run on its way: every event job has finished.
    await jobsDrained(t.database, ['lark.event']);
    scope.done();
    expect(replies.filter((r) => r.messageId === 'om_once')).toHaveLength(1);
  });
});
