import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { blockNetwork, buildTestApp, waitFor } from '../helpers/app.js';
import { createTestDatabase, testDatabaseUrl } from '../helpers/db.js';
import { envelope, signed } from '../helpers/events.js';
import { slowModule } from '../fixtures/processes/slow-worker.js';

describe('a worker killed in the middle of a job', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fo-crash-'));
  let pgDatabase: (Database & { url?: string }) | undefined;
  afterAll(async () => {
    await pgDatabase?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Each step opens the database anew: an embedded one can only be open in one process at a time.
  const open = async () => (testDatabaseUrl ? openDatabase({ url: pgDatabase!.url }) : openDatabase({ dataDir: dir }));

  it('is rerun by another instance and completes once', async () => {
    blockNetwork();
    if (testDatabaseUrl) pgDatabase = await createTestDatabase();
    const event = envelope('test.slow_v1', {});

    const setup = await open();
    await migrate(setup);
    await setup.exec(
      'create table test_attempts (id serial primary key, event_id text); ' +
        'create table test_effects (key text primary key);',
    );
    const intake = await buildTestApp({
      database: setup,
      modules: [slowModule(false, () => undefined)],
      jobs: { expireInSeconds: 2 },
    });
    expect((await intake.app.inject({ method: 'POST', url: '/webhook/event', ...signed(event) })).statusCode).toBe(200);
    await intake.close();
    await setup.close();

    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/processes/slow-worker.ts'], {
      env: { ...process.env, TEST_DB_URL: pgDatabase?.url ?? '', TEST_DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('STARTED') && resolve());
      child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const database = await open();
    const survivor = await buildTestApp({
      database,
      modules: [slowModule(false, () => undefined)],
      workers: true,
      jobs: { expireInSeconds: 2 },
    });
    try {
      const done = await waitFor(
        async () => {
          const { rows } = await database.query<{ status: string; attempts: number }>(
            'select status, attempts from lark_events where event_id = $1',
            [event.header.event_id],
          );
          return rows[0]?.status === 'done' ? rows[0] : undefined;
        },
        'event completed after the crash',
        30_000,
      );
      expect(done.attempts).toBe(2);
      const attempts = await database.query('select id from test_attempts');
      expect(attempts.rows).toHaveLength(2);
      const effects = await database.query('select key from test_effects');
      expect(effects.rows).toEqual([{ key: `${event.header.event_id}:effect` }]);
    } finally {
      await survivor.close();
      await database.close();
    }
  }, 60_000);
});
