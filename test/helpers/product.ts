import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/core/logger.js';
import { startProduct, type Running, type StartOptions } from '../../src/start.js';
import { LogCapture } from './app.js';
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
    sandbox: { retryScale: 0.001, saveDebounceMs: 20 },
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
