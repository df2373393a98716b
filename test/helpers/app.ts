import nock from 'nock';
import { Writable } from 'node:stream';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Clock } from '../../src/core/contexts.js';
import { createLogger, type Logger } from '../../src/core/logger.js';
import type { AppModule, Deps } from '../../src/deps.js';
import type { Database } from '../../src/db/client.js';
import { createDeps } from '../../src/runtime.js';
import { createTestDatabase } from './db.js';
import { watchConfig, watchSecrets } from './secrets.js';

export const FEISHU_URL = 'https://open.feishu.test';
export const secrets = {
  appId: 'cli_a1b2c3d4e5f60718',
  appSecret: 'test-app-secret-DO-NOT-LOG',
  encryptKey: 'test-encrypt-key-DO-NOT-LOG',
  verificationToken: 'test-verification-token-DO-NOT-LOG',
};

export const baseEnv = {
  NODE_ENV: 'test',
  LARK_APP_ID: secrets.appId,
  LARK_APP_SECRET: secrets.appSecret,
  LARK_ENCRYPT_KEY: secrets.encryptKey,
  LARK_VERIFICATION_TOKEN: secrets.verificationToken,
  LARK_BASE_URL: FEISHU_URL,
  LOG_LEVEL: 'debug',
};
watchSecrets(secrets.appSecret, secrets.encryptKey, secrets.verificationToken);

/** Every log line the app wrote, parsed, so tests can assert on them (and on secrets never appearing). */
export class LogCapture {
  /** Every capture made in this test file, checked for secrets after the file (test/setup.ts). */
  static readonly all: LogCapture[] = [];
  readonly lines: string[] = [];
  constructor() {
    LogCapture.all.push(this);
  }
  readonly stream = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  entries(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  messages(): string[] {
    return this.entries().map((e) => String(e.msg));
  }
}

export interface TestApp extends BuiltApp {
  deps: Deps;
  database: Database;
  config: Config;
  logs: LogCapture;
  log: Logger;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string | undefined>;
  modules?: AppModule[];
  clock?: Clock;
  /** Reuse a database (two instances on one Postgres); otherwise a fresh one is made. */
  database?: Database;
  jobs?: Parameters<typeof createDeps>[0]['jobs'];
  instanceId?: string;
  workers?: boolean;
}

/** The real app on a fresh database, with Feishu reached through nock (no sleeping between retries). */
export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({ ...baseEnv, ...options.env });
  watchConfig(config);
  const logs = new LogCapture();
  // Always debug, whatever LOG_LEVEL a test asks for: the secrets check reads every line.
  const log = createLogger('debug', logs.stream);
  const ownDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase());
  const deps = await createDeps({
    config: config as Config & { feishu: NonNullable<Config['feishu']> },
    log,
    database,
    ...(options.clock ? { clock: options.clock } : {}),
    feishu: { sleep: async () => undefined },
    jobs: {
      pollingIntervalSeconds: 0.5,
      retryDelaySeconds: 0,
      maintenanceIntervalSeconds: 1,
      instanceId: options.instanceId,
      ...options.jobs,
    },
  });
  const built = await buildApp(deps, options.modules ?? []);
  // Queues exist so intake can enqueue; workers and cron start only where a test asks.
  await deps.jobs.start({ workers: options.workers ?? false, cron: false });
  return {
    ...built,
    deps,
    database,
    config,
    logs,
    log,
    async close() {
      await built.app.close();
      await deps.jobs.stop(2_000);
      if (ownDatabase) await database.close();
    },
  };
}

/** Blocks real network except loopback (the socket tests, PostgreSQL). */
export function blockNetwork(): void {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
}

/** The token endpoint, answered `times` times. */
export function nockToken(times = 1, token = 't-test-tenant-token'): nock.Scope {
  return nock(FEISHU_URL)
    .post('/open-apis/auth/v3/tenant_access_token/internal')
    .times(times)
    .reply(200, { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 });
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits until no job (of `queues`, or of any queue) is waiting, retrying or running: what a test asks
 * before asserting that something did not happen, instead of sleeping a fixed time.
 */
export async function jobsDrained(
  database: Pick<Database, 'query'>,
  queues?: readonly string[],
  timeoutMs = 20_000,
): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await database.query<{ n: number }>(
        `select count(*)::int as n from pgboss.job
          where state in ('created', 'retry', 'active') and ($1::text[] is null or name = any($1::text[]))`,
        [queues ? [...queues] : null],
      );
      return rows[0]!.n === 0;
    },
    `jobs drained${queues ? ` (${queues.join(', ')})` : ''}`,
    timeoutMs,
  );
}
