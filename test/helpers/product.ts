import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/core/logger.js';
import { startProduct, type Running, type StartOptions } from '../../src/start.js';
import { LogCapture, waitFor } from './app.js';
import { createPostgresDatabase, testDatabaseUrl } from './db.js';
import { watchConfig, watchCredentials } from './secrets.js';

export interface TestProduct extends Running {
  logs: LogCapture;
  close(): Promise<void>;
}

/** The whole product as `npm start` runs it — sandbox, database, app, jobs — on random ports. */
export async function startTestProduct({
  env = {},
  ...options
}: Partial<StartOptions> & { env?: Record<string, string> } = {}): Promise<TestProduct> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fo-product-'));
  // On Postgres runs, a fresh database on that server; otherwise PGlite in the temp DATA_DIR.
  const pg = testDatabaseUrl ? await createPostgresDatabase(testDatabaseUrl) : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    SANDBOX_PORT: '0',
    LOG_LEVEL: 'debug',
    ...(pg?.url ? { DATABASE_URL: pg.url } : {}),
    ...env,
  });
  watchConfig(config);
  const logs = new LogCapture();
  const running = await startProduct({
    config,
    log: createLogger('debug', logs.stream),
    // Feishu's 3 s card-callback budget is tested by the sandbox's own tests (test/sandbox/delivery.test.ts); a
    // product test is about the state a click leaves, and a busy machine must not turn a slow answer into a lost
    // click (issue 14 item 5: the suite passes with another process busy on the same cores).
    sandbox: { retryScale: 0.001, saveDebounceMs: 20, callbackTimeoutMs: 30_000 },
    jobs: { pollingIntervalSeconds: 0.5 },
    seedDemo: false,
    ...options,
  });
  watchCredentials(running.sandbox?.credentials);
  return {
    ...running,
    logs,
    async close() {
      await running.stop();
      await pg?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until the product is quiet: no sandbox event delivery in flight and no job waiting, retrying or
 * running — seen twice in a row, since a job's call to the stand-in can make it push a new event. Then
 * a test can assert that something did not happen (no second card, no DM) without a fixed wait.
 */
export async function settled(product: Running, what = 'the product settled', timeoutMs = 60_000): Promise<void> {
  const pending = async () =>
    (
      await product.deps.database.query<{ n: number }>(
        `select count(*)::int as n from pgboss.job where state in ('created', 'retry', 'active')`,
      )
    ).rows[0]!.n;
  await waitFor(
    async () => {
      await product.sandbox?.state.idle();
      if ((await pending()) > 0) return false;
      await product.sandbox?.state.idle();
      return (await pending()) === 0;
    },
    `${what} (no event delivery in flight, no job left)`,
    timeoutMs,
  );
}

/**
 * What a test file's beforeAll may take to start the whole product (database, sandbox, provisioning,
 * seeds): about 30 s of CPU here, several times that on a busy machine. A cap, not a timed assertion.
 */
export const START_BUDGET_MS = 300_000;

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (this test never skips)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A template's table once the product has provisioned the Base at start: in the stand-in (by its Chinese name) and in
 * the mirror (by its key), so rows written and edits made from here on reach the workflow.
 */
export function provisionedTable(
  product: TestProduct,
  name: string,
  tableKey: string,
): Promise<{ appToken: string; tableId: string }> {
  return waitFor(
    async () => {
      const app = product.sandbox!.state.apps()[0];
      const t = app?.tables.find((x) => x.name === name);
      const { rows } = await product.deps.database
        .query(`select 1 from mirror_tables where table_key = $1`, [tableKey])
        .catch(() => ({ rows: [] }));
      return app && t && rows.length > 0 ? { appToken: app.app_token, tableId: t.table_id } : undefined;
    },
    'the Base provisioned at start',
    120_000,
  );
}
