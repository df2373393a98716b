import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDatabase, type Database } from '../../src/db/client.js';
import { createPostgresDatabase, testDatabaseUrl } from './db.js';

const run = promisify(execFile);

export interface CliProcess {
  dataDir: string;
  /** `feishu-ops ARGS` as its own process (tsx loads the whole app: allow a busy machine its time). */
  cli: (...args: string[]) => Promise<{ stdout: string; stderr: string }>;
  /** The database the command uses (PGlite in dataDir, or a throwaway PostgreSQL database). */
  db: () => Promise<Database>;
  close: () => Promise<void>;
}

/** A fresh data directory and database for running the real CLI, as an operator does. */
export async function cliProcess(prefix: string, timeoutMs = 120_000): Promise<CliProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
  };
  delete env.DATABASE_URL;
  let drop: (() => Promise<void>) | undefined;
  if (testDatabaseUrl) {
    const created = await createPostgresDatabase(testDatabaseUrl);
    env.DATABASE_URL = created.url;
    drop = created.drop;
  }
  return {
    dataDir,
    cli: (...args) => run(process.execPath, ['bin/feishu-ops.js', ...args], { env, timeout: timeoutMs }),
    db: () => openDatabase({ url: env.DATABASE_URL, dataDir }),
    close: async () => {
      await drop?.();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
