import { fileURLToPath } from 'node:url';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Database } from './client.js';

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

// Any constant shared by all instances; two instances starting at once take turns.
const MIGRATION_LOCK = 7_245_019_311;
const pgliteRuns = new WeakMap<Database, Promise<unknown>>();

/** Applies pending migrations; safe when several instances start together. */
export async function migrate(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    // One process owns an embedded database; callers within it take turns.
    const previous = pgliteRuns.get(database) ?? Promise.resolve();
    const run = previous.then(() => migratePglite(database.db as never, { migrationsFolder }));
    pgliteRuns.set(
      database,
      run.catch(() => undefined),
    );
    return run;
  }
  // The advisory lock is per session, so lock and migrate on one dedicated connection.
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migratePg(drizzlePg(client), { migrationsFolder });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await client.end();
  }
}

/** True when every migration in the folder has been applied (used by /readyz). */
export async function migrationsApplied(database: Database): Promise<boolean> {
  const { readMigrationFiles } = await import('drizzle-orm/migrator');
  const expected = readMigrationFiles({ migrationsFolder }).length;
  try {
    const { rows } = await database.query<{ n: string | number }>(
      'select count(*) as n from drizzle.__drizzle_migrations',
    );
    return Number(rows[0]?.n ?? 0) >= expected;
  } catch {
    return false;
  }
}
