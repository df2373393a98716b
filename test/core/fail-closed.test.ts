import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/core/logger.js';
import { openDatabase } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { startProduct } from '../../src/start.js';
import { LogCapture } from '../helpers/app.js';
import { createPostgresDatabase, testDatabaseUrl } from '../helpers/db.js';

describe('fail closed: who may run the sandbox', () => {
  it('refuses to start in production without a Feishu app, naming the variable in one line', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/^LARK_APP_ID: required in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/prod' })).toThrow(/^LARK_APP_ID: /);
  });

  it('runs the sandbox in production only when asked with SANDBOX=on', () => {
    const c = loadConfig({ NODE_ENV: 'production', SANDBOX: 'on' });
    expect(c.feishu).toBeNull();
    expect(c.sandbox.enabled).toBe(true);
  });

  it('runs the sandbox in development when no app is configured (SANDBOX=auto)', () => {
    expect(loadConfig({}).sandbox.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', SANDBOX: 'auto' }).sandbox.enabled).toBe(true);
  });

  it('refuses SANDBOX=off without an app and SANDBOX=on with an app', () => {
    expect(() => loadConfig({ SANDBOX: 'off' })).toThrow(/^LARK_APP_ID: required when SANDBOX=off$/);
    expect(() =>
      loadConfig({
        SANDBOX: 'on',
        LARK_APP_ID: 'cli_a1b2c3d4e5f60718',
        LARK_APP_SECRET: 's',
        LARK_VERIFICATION_TOKEN: 't',
      }),
    ).toThrow(/^SANDBOX: /);
  });

  it('binds the sandbox to 127.0.0.1 unless HOST says otherwise; a real app listens on 0.0.0.0', () => {
    expect(loadConfig({}).server.host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).server.host).toBe('0.0.0.0');
    const app = loadConfig({ LARK_APP_ID: 'cli_a1b2c3d4e5f60718', LARK_APP_SECRET: 's', LARK_VERIFICATION_TOKEN: 't' });
    expect(app.server.host).toBe('0.0.0.0');
  });
});

describe('fail closed: demo data never goes into a real database', () => {
  let dataDir: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await drop?.();
    drop = undefined;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to seed the demo company into a database holding real people, and writes nothing', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fo-real-'));
    const pg = testDatabaseUrl ? await createPostgresDatabase(testDatabaseUrl) : undefined;
    drop = pg?.drop;
    const db = await openDatabase({ url: pg?.url, dataDir });
    await migrate(db);
    await db.query(
      `insert into directory_people (open_id, name, source) values ('ou_0123456789abcdef0123456789abcdef',
        '真实员工 Real Person', 'bitable')`,
    );
    await db.close();

    const config = loadConfig({
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      PORT: '0',
      SANDBOX_PORT: '0',
      ...(pg ? { DATABASE_URL: pg.url } : {}),
    });
    const logs = new LogCapture();
    const start = startProduct({ config, log: createLogger('warn', logs.stream), seedDemo: true, cron: false });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(
      new RegExp(`^${pg ? 'DATABASE_URL' : 'DATA_DIR'}: this database holds real \\(non-demo\\) data`),
    );

    const after = await openDatabase({ url: pg?.url, dataDir });
    const people = await after.query<{ n: number }>('select count(*)::int as n from directory_people');
    const cases = await after.query<{ n: number }>('select count(*)::int as n from exceptions_cases');
    await after.close();
    expect(people.rows[0]?.n).toBe(1);
    expect(cases.rows[0]?.n).toBe(0);
  }, 180_000);
});
