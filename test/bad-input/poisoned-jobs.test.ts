import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineModule } from '../../src/core/module.js';
import type { Database } from '../../src/db/client.js';
import { hasUnstorable } from '../../src/core/text.js';
import { blockNetwork, buildTestApp, FEISHU_URL, waitFor, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';
import { envelope, messageEvent, signed } from '../helpers/events.js';

// What a failing INSERT of user text looks like: the text in the message, and a driver error that
// carries the statement and its parameters as own properties (pg-boss stores them all as jsonb).
const POISON = `insert failed for "desc\u0000nul" \uD800 lone ${'长'.repeat(50_000)}`;
function poisonError(): Error {
  return Object.assign(new Error(POISON), {
    query: 'insert into t values ($1)',
    params: ['desc\u0000nul', '\uDFFF'],
    detail: '\u0000',
  });
}

const calls = { event: 0, job: 0, schedule: 0 };
const poison = defineModule({
  name: 'poison',
  setup(bot) {
    bot.event('test.poison_v1', async () => {
      calls.event++;
      throw poisonError();
    });
    bot.job('poison.job', async () => {
      calls.job++;
      throw poisonError();
    });
    bot.schedule('poison.nightly', '0 3 * * *', async () => {
      calls.schedule++;
      throw poisonError();
    });
  },
});

// The crash this guards against: pg-boss recorded the failure from a promise nobody awaited, the
// write failed on the error's own NUL, and the unhandled rejection ended the process.
describe('a job whose error text PostgreSQL cannot store', () => {
  let database: Database;
  let t: TestApp;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const replies: string[] = [];
  let poisonedEventId = '';

  const start = () => buildTestApp({ modules: [poison], workers: true, database, env: { JOB_RETRY_LIMIT: '2' } });

  beforeAll(async () => {
    blockNetwork();
    process.on('unhandledRejection', onUnhandled);
    nock(FEISHU_URL)
      .persist()
      .post('/open-apis/auth/v3/tenant_access_token/internal')
      .reply(200, { code: 0, msg: 'ok', tenant_access_token: 't-test', expire: 7200 });
    nock(FEISHU_URL)
      .persist()
      .post(/\/open-apis\/im\/v1\/messages\/[^/]+\/reply/)
      .reply(200, (uri) => {
        replies.push(uri.split('/')[5]!);
        return { code: 0, msg: 'success', data: { message_id: `om_reply_${replies.length}` } };
      });
    database = await createTestDatabase();
    t = await start();
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await t.close();
    await database.close();
    nock.cleanAll();
  });

  const inboxRow = async (eventId: string) =>
    (
      await t.database.query<{ status: string; attempts: number; last_error: string | null }>(
        'select status, attempts, last_error from lark_events where event_id = $1',
        [eventId],
      )
    ).rows[0];
  const jobStates = async (name: string) =>
    (
      await t.database.query<{ state: string; message: string | null }>(
        `select state, output->>'message' as message from pgboss.job where name = $1`,
        [name],
      )
    ).rows;
  const help = async (messageId: string) => {
    const event = messageEvent('帮助', { messageId });
    expect((await t.app.inject({ method: 'POST', url: '/webhook/event', ...signed(event) })).statusCode).toBe(200);
    await waitFor(async () => replies.includes(messageId), `"帮助" ${messageId} answered`);
  };

  it('goes dead after its retries with a readable last error, and the bot keeps answering', async () => {
    const event = envelope('test.poison_v1', {});
    poisonedEventId = event.header.event_id;
    expect((await t.app.inject({ method: 'POST', url: '/webhook/event', ...signed(event) })).statusCode).toBe(200);
    const dead = await waitFor(
      async () => {
        const row = await inboxRow(event.header.event_id);
        return row?.status === 'dead' ? row : undefined;
      },
      'poisoned event dead',
      30_000,
    );
    expect(dead.attempts).toBe(3); // first try + JOB_RETRY_LIMIT=2 retries
    expect(dead.last_error).toContain('insert failed for "desc\uFFFDnul" \uFFFD lone');
    expect(dead.last_error!.length).toBeLessThanOrEqual(2000);
    expect(hasUnstorable(dead.last_error!)).toBe(false);
    // pg-boss holds the job as failed (terminal), so no restart can hand it out again.
    const jobs = await waitFor(async () => {
      const rows = await jobStates('lark.event');
      return rows.some((r) => r.state === 'failed') ? rows : undefined;
    }, 'pg-boss job failed');
    expect(jobs.filter((j) => j.state === 'failed')[0]!.message).toContain('\uFFFD');
    const logged = t.logs.entries().filter((e) => e.eventId === event.header.event_id);
    expect(logged.filter((e) => e.level === 40 && e.msg === 'event failed, will retry')).toHaveLength(2);
    expect(logged.filter((e) => e.level === 50 && e.msg === 'event failed for good')).toHaveLength(1);
    expect(logged.some((e) => e.msg === 'event failure could not be recorded')).toBe(false);

    await help('om_after_poison');
    expect(unhandled).toEqual([]);
  });

  it('fails a domain job and a schedule the same way: logged, failed in pg-boss, nothing unhandled', async () => {
    await t.deps.jobs.send('poison.job', { n: 1 });
    expect(await t.deps.jobs.tick('poison.nightly', new Date('2026-11-24T19:00:00Z'))).toBe(true);
    for (const name of ['poison.job', 'schedule.poison.nightly']) {
      const rows = await waitFor(
        async () => {
          const r = await jobStates(name);
          return r.some((j) => j.state === 'failed') ? r : undefined;
        },
        `${name} failed`,
        30_000,
      );
      expect(hasUnstorable(rows.find((j) => j.state === 'failed')!.message ?? '')).toBe(false);
    }
    expect(calls.job).toBe(3);
    expect(calls.schedule).toBe(3); // schedules retry twice
    const errors = t.logs.entries().filter((e) => e.level === 50 && e.msg === 'job failed for good');
    expect(errors.map((e) => e.job ?? e.schedule).sort()).toEqual(['poison.job', 'poison.nightly']);
    await help('om_after_jobs');
    expect(unhandled).toEqual([]);
  });

  it('does not run the poisoned event again after a restart', async () => {
    const before = calls.event;
    await t.close();
    t = await start();
    await help('om_after_restart'); // the workers are up and have polled the queue
    const { rows } = await t.database.query<{ state: string }>(
      `select state from pgboss.job where name = 'lark.event' and data->>'eventId' = $1`,
      [poisonedEventId],
    );
    expect(rows).toEqual([{ state: 'failed' }]);
    expect((await inboxRow(poisonedEventId))?.attempts).toBe(3);
    expect(calls.event).toBe(before);
    expect(unhandled).toEqual([]);
  });
});
