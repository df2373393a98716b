import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeishuApiError } from '../../src/feishu/errors.js';
import { listJobs, retryJob } from '../../src/core/job-admin.js';
import { defineModule } from '../../src/core/module.js';
import { EVENT_QUEUE } from '../../src/core/bot.js';
import { blockNetwork, buildTestApp, waitFor, type TestApp } from '../helpers/app.js';

/** The follow-up job stands in for a card / DM / row write that Feishu keeps refusing. */
let feishuUp = false;
let runs = 0;
const probe = defineModule({
  name: 'probe',
  setup(bot) {
    bot.job<{ caseNo: string; effects: unknown[] }>(
      'probe.follow-up',
      async () => {
        runs++;
        if (!feishuUp)
          throw new FeishuApiError(230002, 'Bot/User can NOT be out of the chat.', 400, 'log-abc', 'im.message.create');
      },
      { retryLimit: 1, retryDelaySeconds: 0 },
    );
  },
});

describe('failures you can see: follow-up jobs that Feishu refuses', () => {
  let t: TestApp;
  beforeAll(async () => {
    blockNetwork();
    t = await buildTestApp({ modules: [probe], workers: true });
  });
  afterAll(async () => {
    await t.close();
  });
  const failedOnce = async () =>
    (await listJobs(t.database, { state: 'failed', limit: 10, exclude: [EVENT_QUEUE] })).filter(
      (j) => j.name === 'probe.follow-up',
    );

  it('warns per attempt with case and Feishu code, errors on giving up, lists it, reruns it (same id)', async () => {
    await t.deps.jobs.send('probe.follow-up', { caseNo: 'EX000042', effects: [{ type: 'card' }] });
    await waitFor(async () => (await failedOnce()).length === 1, 'job failed for good');

    const lines = t.logs.entries().filter((e) => e.module === 'probe' || String(e.msg).startsWith('job failed'));
    const warn = lines.find((e) => e.msg === 'job failed, will retry');
    const error = lines.find((e) => e.msg === 'job failed for good');
    expect(warn).toMatchObject({ level: 40, code: 230002, logId: 'log-abc', jobData: { caseNo: 'EX000042' } });
    expect(error).toMatchObject({ level: 50, code: 230002, jobData: { caseNo: 'EX000042' } });

    const [failed] = await failedOnce();
    expect(failed).toMatchObject({ state: 'failed', attempts: 2 });
    expect(failed!.last_error).toContain('230002');
    expect(failed!.data).toContain('EX000042');
    expect(runs).toBe(2);

    feishuUp = true;
    expect(await retryJob(t.database, failed!.id)).toBe('probe.follow-up');
    await waitFor(
      async () =>
        (await t.database.query<{ state: string }>('select state from pgboss.job where id = $1', [failed!.id])).rows[0]
          ?.state === 'completed',
      'job ran again',
    );
    expect(runs).toBe(3);
    // Only failed jobs can be run again; a second retry finds nothing to do.
    expect(await retryJob(t.database, failed!.id)).toBeNull();
    expect(await retryJob(t.database, 'not-a-job-id')).toBeNull();
  });

  it('runs a failed job again after pg-boss has archived it, still under its own id', async () => {
    feishuUp = false;
    runs = 0;
    await t.deps.jobs.send('probe.follow-up', { caseNo: 'EX000043', effects: [] });
    await waitFor(async () => (await failedOnce()).some((j) => j.data.includes('EX000043')), 'second job failed');
    const failed = (await failedOnce()).find((j) => j.data.includes('EX000043'))!;
    // What pg-boss's maintenance does after archiveFailedAfterSeconds.
    await t.database.query(
      `with gone as (delete from pgboss.job where id = $1 returning *)
       insert into pgboss.archive (id, name, priority, data, state, retry_limit, retry_count, retry_delay,
         retry_backoff, start_after, started_on,
         singleton_key, singleton_on, expire_in, created_on, completed_on, keep_until, dead_letter, policy, output)
       select id, name, priority, data, state, retry_limit, retry_count, retry_delay, retry_backoff, start_after,
         started_on,
         singleton_key, singleton_on, expire_in, created_on, completed_on, keep_until, dead_letter, policy, output
           from gone`,
      [failed.id],
    );
    expect((await failedOnce()).find((j) => j.id === failed.id)).toBeDefined(); // still listed, from the archive

    feishuUp = true;
    expect(await retryJob(t.database, failed.id)).toBe('probe.follow-up');
    await waitFor(
      async () =>
        (await t.database.query<{ state: string }>('select state from pgboss.job where id = $1', [failed.id])).rows[0]
          ?.state === 'completed',
      'archived job ran again',
    );
    expect((await t.database.query('select 1 from pgboss.archive where id = $1', [failed.id])).rows).toHaveLength(0);
  });
});
