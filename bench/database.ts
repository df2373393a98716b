import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export interface BenchDatabase {
  label: string;
  /** Environment for the app under test (DATABASE_URL, or DATA_DIR for the embedded database). */
  appEnv: Record<string, string>;
  /** Environment for the bare baseline server: its own database or folder. */
  baselineEnv: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * A throwaway database per run on the given server (created, then dropped with force), or
 * throwaway PGlite folders when no server is given (the harness test on a machine without one).
 */
export async function createBenchDatabase(serverUrl: string | undefined): Promise<BenchDatabase> {
  if (!serverUrl) {
    const app = mkdtempSync(join(tmpdir(), 'fo-bench-app-'));
    const base = mkdtempSync(join(tmpdir(), 'fo-bench-base-'));
    return {
      label: 'PGlite (embedded)',
      appEnv: { DATA_DIR: app, DATABASE_URL: '' },
      baselineEnv: { DATA_DIR: base, DATABASE_URL: '' },
      async drop() {
        rmSync(app, { recursive: true, force: true });
        rmSync(base, { recursive: true, force: true });
      },
    };
  }
  const name = `fo_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    label: `PostgreSQL (${url.host}/${name}, dropped after the run)`,
    appEnv: { DATABASE_URL: url.toString() },
    baselineEnv: { DATABASE_URL: url.toString() },
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}
