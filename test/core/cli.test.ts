import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createPostgresDatabase, testDatabaseUrl } from '../helpers/db.js';

const run = promisify(execFile);

// Each call starts a process that loads the whole app (tsx): allow a busy machine its time.
describe('feishu-ops CLI', { timeout: 180_000 }, () => {
  let dataDir: string;
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fo-cli-'));
    env = { ...(process.env as Record<string, string>), DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    delete env.DATABASE_URL;
    if (testDatabaseUrl) {
      const created = await createPostgresDatabase(testDatabaseUrl);
      env.DATABASE_URL = created.url;
      drop = created.drop;
    }
  });
  afterAll(async () => {
    await drop?.();
    await rm(dataDir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => run(process.execPath, ['bin/feishu-ops.js', ...args], { env, timeout: 60_000 });

  it('migrates, lists dead events and queues one again', async () => {
    expect((await cli('migrate')).stdout).toContain('migrations applied');
    const db = await openDatabase({ url: env.DATABASE_URL, dataDir });
    await db.query(`insert into lark_events (event_id, event_type, source, payload, status, attempts, last_error)
                    values ('evt_dead_1', 'im.message.receive_v1', 'webhook', '{}', 'dead', 6, 'Feishu down')`);
    await db.close();

    const listed = await cli('events', '--status', 'dead');
    expect(listed.stdout).toContain('evt_dead_1');
    expect(listed.stdout).toContain('Feishu down');

    expect((await cli('replay', 'evt_dead_1')).stdout).toContain('queued again');
    const after = await openDatabase({ url: env.DATABASE_URL, dataDir });
    const { rows } = await after.query<{ status: string }>(
      `select status from lark_events where event_id = 'evt_dead_1'`,
    );
    const jobs = await after.query(
      `select id from pgboss.job where name = 'lark.event' and data->>'eventId' = 'evt_dead_1'`,
    );
    await after.close();
    expect(rows[0]?.status).toBe('received');
    expect(jobs.rows).toHaveLength(1);
  });

  it('refuses to replay an event that is not failed or dead', async () => {
    await expect(cli('replay', 'evt_missing')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no failed or dead event'),
    });
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect((await cli('--version')).stdout.trim()).toBe(version);
  });

  it('refuses to seed the demo company when a Feishu app is configured', async () => {
    const withApp = { ...env, LARK_APP_ID: 'cli_a1b2c3d4e5f60718', LARK_APP_SECRET: 's', LARK_VERIFICATION_TOKEN: 't' };
    await expect(run(process.execPath, ['bin/feishu-ops.js', 'seed'], { env: withApp })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/invalid configuration: SANDBOX: demo data is written only by the offline sandbox/),
    });
  });

  it('stops with one line naming a bad setting', async () => {
    await expect(
      run(process.execPath, ['bin/feishu-ops.js', 'migrate'], { env: { ...env, PORT: 'x' } }),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(/invalid configuration: PORT: /),
    });
  });
});
