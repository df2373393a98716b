import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineModule } from '../../src/core/module.js';
import { blockNetwork, buildTestApp, jobsDrained, waitFor, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';
import type { Database } from '../../src/db/client.js';

const runs: Array<{ instance: string; slot: string }> = [];

const reports = (instance: string) =>
  defineModule({
    name: 'reports',
    setup(bot) {
      bot.schedule('reports.daily', '0 9 * * *', async (now) => {
        runs.push({ instance, slot: now.toISOString() });
      });
    },
  });

describe('schedules across instances', () => {
  let database: Database;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    blockNetwork();
    database = await createTestDatabase();
    a = await buildTestApp({ database, modules: [reports('a')], workers: true, instanceId: 'a' });
    b = await buildTestApp({ database, modules: [reports('b')], workers: true, instanceId: 'b' });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await database.close();
  });

  it('fires a schedule slot once when two instances tick for it', async () => {
    const slot = new Date('2026-11-26T01:00:00.000Z'); // 09:00 Asia/Shanghai
    const claims = await Promise.all([
      a.deps.jobs.tick('reports.daily', slot),
      b.deps.jobs.tick('reports.daily', slot),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    await waitFor(async () => runs.length > 0, 'scheduled run');
    await jobsDrained(database, ['schedule.reports.daily']);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.slot).toBe(slot.toISOString());
    const { rows } = await database.query('select name, instance from core_schedule_slots');
    expect(rows).toHaveLength(1);
  });

  it('fires the next slot again, once', async () => {
    const next = new Date('2026-11-27T01:00:00.400Z');
    await Promise.all([
      a.deps.jobs.tick('reports.daily', next),
      b.deps.jobs.tick('reports.daily', next),
      a.deps.jobs.tick('reports.daily', next),
    ]);
    await waitFor(async () => runs.length > 1, 'second run');
    await jobsDrained(database, ['schedule.reports.daily']);
    expect(runs.map((r) => r.slot)).toEqual(['2026-11-26T01:00:00.000Z', '2026-11-27T01:00:00.000Z']);
  });

  it('rejects an invalid cron expression at start-up', async () => {
    const broken = defineModule({
      name: 'broken',
      setup(bot) {
        bot.schedule('broken.never', 'not a cron', async () => undefined);
      },
    });
    await expect(buildTestApp({ database, modules: [broken] })).rejects.toThrow(/invalid cron expression/);
  });
});

describe('inbox retention', () => {
  it('prunes finished events older than EVENT_RETENTION_DAYS and keeps newer and unfinished ones', async () => {
    const t = await buildTestApp({ workers: true, env: { EVENT_RETENTION_DAYS: '7' } });
    try {
      const now = new Date('2026-11-26T19:17:00.000Z');
      const at = (days: number) => new Date(now.getTime() - days * 86_400_000);
      for (const [id, status, age] of [
        ['old-done', 'done', 8],
        ['old-dead', 'dead', 9],
        ['old-failed', 'failed', 9],
        ['recent-done', 'done', 6],
      ] as const) {
        await t.database.query(
          `insert into lark_events (event_id, event_type, source, payload, status, received_at) values ($1, 't',
            'webhook', '{}', $2, $3)`,
          [id, status, at(age)],
        );
      }
      await t.deps.jobs.tick('core.prune-events', now);
      await waitFor(
        async () => (await t.database.query(`select 1 from lark_events where event_id = 'old-done'`)).rows.length === 0,
        'prune ran',
      );
      const { rows } = await t.database.query<{ event_id: string }>(
        'select event_id from lark_events order by event_id',
      );
      expect(rows.map((r) => r.event_id)).toEqual(['old-failed', 'recent-done']);
    } finally {
      await t.close();
    }
  });
});
