import { openDatabase, type Database } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { createThrowawayDatabase } from '../../src/db/admin.js';

export { withDatabase } from '../../src/db/admin.js';

/** The Postgres server under test, or undefined for the embedded PGlite. */
export const testDatabaseUrl = process.env.DATABASE_URL || undefined;

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new database
 * on the DATABASE_URL server (dropped again by the returned close()).
 */
export async function createTestDatabase(): Promise<Database & { url?: string }> {
  if (!testDatabaseUrl) {
    const database = await openDatabase({ dataDir: 'memory://' });
    await migrate(database);
    return database;
  }
  const { url, drop } = await createPostgresDatabase(testDatabaseUrl);
  const database = await openDatabase({ url, poolSize: 5 });
  await migrate(database);
  const close = database.close;
  return Object.assign(database, {
    url,
    async close() {
      await close();
      await drop();
    },
  });
}

/** An empty database on the server at `serverUrl`, and how to drop it again. */
export function createPostgresDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  return createThrowawayDatabase(serverUrl);
}
