import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createThrowawayDatabase } from '../src/db/admin.js';

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
  const db = await createThrowawayDatabase(serverUrl, 'fo_bench');
  return {
    label: `PostgreSQL (${new URL(db.url).host}/${db.name}, dropped after the run)`,
    appEnv: { DATABASE_URL: db.url },
    baselineEnv: { DATABASE_URL: db.url },
    drop: db.drop,
  };
}
