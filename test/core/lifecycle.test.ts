import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineModule } from '../../src/core/module.js';
import { blockNetwork, buildTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { envelope, signed } from '../helpers/events.js';

const finished: string[] = [];
const ticks: string[] = [];
const slowJobs = defineModule({
  name: 'slow',
  setup(bot) {
    bot.event('test.slow_v1', async (ctx) => {
      await new Promise((r) => setTimeout(r, 1200));
      finished.push(ctx.eventId);
    });
    bot.schedule('slow.every-second', '* * * * * *', async (now) => {
      ticks.push(now.toISOString());
    });
  },
});

describe('running process', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    blockNetwork();
    t = await buildTestApp({ modules: [slowJobs], workers: true });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('serves health, readiness and the webhook over a real socket', async () => {
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
    const req = signed({
      type: 'url_verification',
      challenge: 'over-the-wire',
      token: 'test-verification-token-DO-NOT-LOG',
    });
    const res = await fetch(`${url}/webhook/event`, { method: 'POST', body: req.payload, headers: req.headers });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'over-the-wire' });
    const missing = await fetch(`${url}/nope`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
  });

  it('fires node-cron schedules in the business time zone, one job per slot', async () => {
    t.deps.jobs.startCron();
    await waitFor(async () => ticks.length >= 2, 'two ticks', 10_000);
    expect(new Set(ticks).size).toBe(ticks.length);
    const { rows } = await t.database.query<{ n: number }>(
      `select count(*)::int as n from core_schedule_slots where name = 'slow.every-second'`,
    );
    expect(rows[0]!.n).toBeGreaterThanOrEqual(ticks.length);
  });

  it('lets an in-flight job finish on shutdown before closing', async () => {
    const event = envelope('test.slow_v1', {});
    expect((await fetch(`${url}/webhook/event`, { method: 'POST', ...toFetch(signed(event)) })).status).toBe(200);
    await waitFor(async () => {
      const { rows } = await t.database.query<{ status: string }>(
        'select status from lark_events where event_id = $1',
        [event.header.event_id],
      );
      return rows[0]?.status === 'processing';
    }, 'job started');
    await t.app.close();
    await t.deps.jobs.stop(10_000);
    expect(finished).toContain(event.header.event_id);
    const { rows } = await t.database.query<{ status: string }>('select status from lark_events where event_id = $1', [
      event.header.event_id,
    ]);
    expect(rows[0]?.status).toBe('done');
  });
});

function toFetch(req: { payload: string; headers: Record<string, string> }) {
  return { body: req.payload, headers: req.headers };
}
