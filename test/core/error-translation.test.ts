import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import nock from 'nock';
import type { CommandContext } from '../../src/core/contexts.js';
import { ConflictError, NotFoundError, PermanentError } from '../../src/core/errors.js';
import { defineModule } from '../../src/core/module.js';
import { blockNetwork, buildTestApp, FEISHU_URL, nockToken, waitFor, type TestApp } from '../helpers/app.js';
import { messageEvent, signed } from '../helpers/events.js';

const seen: Array<Pick<CommandContext, 'command' | 'parentMessageId' | 'rootMessageId'>> = [];
const runs = { permanent: 0, flaky: 0, refusedSchedule: 0 };

const probe = defineModule({
  name: 'probe',
  setup(bot) {
    bot.command(
      ['查单', 'lookup'],
      async (ctx) => {
        throw new NotFoundError('订单 order', `<b>${ctx.args}</b>`);
      },
      { description: 'always refuses' },
    );
    bot.command(
      ['回复', 'answer'],
      async (ctx) => {
        seen.push({ command: ctx.command, parentMessageId: ctx.parentMessageId, rootMessageId: ctx.rootMessageId });
      },
      { description: 'records what it was given' },
    );
    bot.command(
      ['崩溃', 'crash'],
      async () => {
        throw new Error('database unreachable');
      },
      { description: 'fails unexpectedly' },
    );
    bot.job<{ n: number }>(
      'probe.permanent',
      async () => {
        runs.permanent++;
        throw new PermanentError('the record is gone');
      },
      { retryLimit: 3, retryDelaySeconds: 0 },
    );
    bot.job<{ n: number }>(
      'probe.flaky',
      async () => {
        runs.flaky++;
        if (runs.flaky < 3) throw new ConflictError('busy, try again');
      },
      { retryLimit: 3, retryDelaySeconds: 0 },
    );
    bot.schedule('probe.sweep', '0 9 * * *', async () => {
      runs.refusedSchedule++;
      throw new PermanentError('nothing to sweep, ever');
    });
  },
});

interface Reply {
  msg_type: string;
  content: string;
}

describe('core translates errors and ends hopeless jobs', () => {
  let t: TestApp;
  const replies: Array<{ messageId: string; body: Reply }> = [];

  beforeAll(async () => {
    blockNetwork();
    t = await buildTestApp({ modules: [probe], workers: true, env: { JOB_RETRY_LIMIT: '2' } });
  });
  afterAll(async () => {
    await t.close();
    nock.cleanAll();
  });
  afterEach(() => nock.cleanAll());

  const nockReplies = () => {
    nockToken(1);
    nock(FEISHU_URL)
      .post(/\/open-apis\/im\/v1\/messages\/[^/]+\/reply/)
      .times(5)
      .reply(200, function (uri, body) {
        replies.push({ messageId: uri.split('/')[5]!, body: body as Reply });
        return { code: 0, msg: 'success', data: { message_id: `om_reply_${replies.length}`, chat_id: 'oc_p2p_chat' } };
      });
  };
  const send = (body: unknown) => t.app.inject({ method: 'POST', url: '/webhook/event', ...signed(body) });
  const eventRow = async (eventId: string) =>
    (
      await t.database.query<{ status: string; attempts: number }>(
        'select status, attempts from lark_events where event_id = $1',
        [eventId],
      )
    ).rows[0];
  const jobStates = async (name: string) =>
    (
      await t.database.query<{ state: string; retry_count: number }>(
        'select state, retry_count from pgboss.job where name = $1',
        [name],
      )
    ).rows;

  it('answers a command that throws an AppError with a refusal card, once, without retrying the event', async () => {
    nockReplies();
    const event = messageEvent('查单 SF123', { messageId: 'om_refused_1' });
    await send(event);
    await waitFor(async () => (await eventRow(event.header.event_id))?.status === 'done', 'event done');
    const answers = replies.filter((r) => r.messageId === 'om_refused_1');
    expect(answers).toHaveLength(1);
    const card = JSON.parse(answers[0]!.body.content);
    expect(card.header.title.content).toBe('无法处理 · Could not do that');
    // The message is shown as plain text: the user's words cannot turn into markup.
    expect(card.body.elements[0]).toEqual({
      tag: 'div',
      text: { tag: 'plain_text', content: '找不到订单 order <b>SF123</b> · 订单 order <b>SF123</b> not found' },
    });
    expect((await eventRow(event.header.event_id))?.attempts).toBe(1);
    expect(t.logs.entries().some((e) => e.msg === 'command refused' && e.code === 'not_found')).toBe(true);
  });

  it('retries a command that fails unexpectedly instead of answering it as a refusal', async () => {
    nockReplies();
    const event = messageEvent('crash', { messageId: 'om_crash_1' });
    await send(event);
    await waitFor(async () => (await eventRow(event.header.event_id))?.status === 'dead', 'event dead after retries');
    expect((await eventRow(event.header.event_id))?.attempts).toBe(3);
    expect(replies.filter((r) => r.messageId === 'om_crash_1')).toHaveLength(0);
  });

  it('gives a command the message it replies to, and nothing for a fresh message', async () => {
    nockReplies();
    const quoted = messageEvent('回复 SF1', { parentId: 'om_card_from_bot' });
    const fresh = messageEvent('回复 SF2');
    await send(quoted);
    await send(fresh);
    await waitFor(async () => seen.length === 2, 'both commands handled');
    expect(seen).toContainEqual({
      command: '回复',
      parentMessageId: 'om_card_from_bot',
      rootMessageId: 'om_card_from_bot',
    });
    expect(seen).toContainEqual({ command: '回复', parentMessageId: undefined, rootMessageId: undefined });
  });

  it('ends a job that throws PermanentError after one run, as failed', async () => {
    await t.deps.jobs.send('probe.permanent', { n: 1 });
    await waitFor(async () => (await jobStates('probe.permanent'))[0]?.state === 'failed', 'job failed');
    expect(runs.permanent).toBe(1);
    expect(await jobStates('probe.permanent')).toEqual([{ state: 'failed', retry_count: 0 }]);
    expect(
      t.logs
        .entries()
        .some((e) => e.msg === 'job failed for good' && e.job === 'probe.permanent' && e.module === 'probe'),
    ).toBe(true);
  });

  it('retries a job that throws any other error until it succeeds', async () => {
    await t.deps.jobs.send('probe.flaky', { n: 1 });
    await waitFor(async () => (await jobStates('probe.flaky'))[0]?.state === 'completed', 'job completed');
    expect(runs.flaky).toBe(3);
    expect(t.logs.entries().filter((e) => e.msg === 'job failed, will retry' && e.job === 'probe.flaky')).toHaveLength(
      2,
    );
  });

  it('ends a scheduled run that throws PermanentError after one run', async () => {
    await t.deps.jobs.tick('probe.sweep', new Date('2026-11-26T01:00:00.000Z'));
    await waitFor(async () => (await jobStates('schedule.probe.sweep'))[0]?.state === 'failed', 'scheduled run failed');
    expect(runs.refusedSchedule).toBe(1);
  });
});
