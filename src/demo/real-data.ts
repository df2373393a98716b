import type { DatabaseContents } from '../config.js';
import type { SqlExecutor } from '../db/client.js';

/**
 * Counts what in the database belongs to someone other than the sandbox's tenant: people, case
 * owners or reporters whose open_id is not one of `tenantOpenIds`. Anything above zero means a real
 * deployment's data, which the sandbox must not mix its demo company into (config.ts decides).
 */
export async function inspectDatabase(database: SqlExecutor, tenantOpenIds: string[]): Promise<DatabaseContents> {
  const { rows } = await database.query<{ n: number }>(
    `select (select count(*) from directory_people where open_id <> all($1::text[]))
          + (select count(*) from exceptions_cases
              where (owner_open_id is not null and owner_open_id <> all($1::text[]))
                 or (reporter_open_id is not null and reporter_open_id <> all($1::text[])))::int as n`,
    [tenantOpenIds],
  );
  return { foreignRows: Number(rows[0]?.n ?? 0) };
}
