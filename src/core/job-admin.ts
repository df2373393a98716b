import type { Database } from '../db/client.js';

/** pg-boss's schema (core/jobs.ts): its `job` table, and `archive` where finished jobs move. */
const SCHEMA = 'pgboss';

export interface JobSummary {
  id: string;
  name: string;
  state: string;
  attempts: number;
  finished_at: Date | null;
  last_error: string;
  data: string;
}

/**
 * Jobs as operators need to see them (`feishu-ops jobs`): the live table and the archive, newest
 * first, with the error pg-boss stored as the job's output. The event queue is left out — its
 * events are listed by `feishu-ops events` with their own status.
 */
export async function listJobs(
  database: Database,
  options: { state?: string | undefined; limit: number; exclude?: string[] },
): Promise<JobSummary[]> {
  if (!(await queueInstalled(database))) return [];
  const columns = `id::text as id, name, state::text as state, retry_count + 1 as attempts, completed_on as finished_at,
    left(coalesce(output->>'message', output::text, ''), 160) as last_error, left(coalesce(data::text, ''), 120) as
      data, created_on`;
  const where = `($1::text is null or state::text = $1) and not (name = any($3::text[]))`;
  const { rows } = await database.query<JobSummary & { created_on: Date }>(
    `select * from (
       select ${columns} from ${SCHEMA}.job where ${where}
       union all
       select ${columns} from ${SCHEMA}.archive where ${where}
     ) j order by created_on desc limit $2`,
    [options.state ?? null, options.limit, options.exclude ?? []],
  );
  return rows.map(({ created_on: _created, ...row }) => ({ ...row, attempts: Number(row.attempts) }));
}

/**
 * Queues a failed job again under its own id, so every idempotency key derived from the job id is
 * the same and nothing it already sent is sent twice. A failed job still in the live table gets
 * pg-boss's own retry (state `retry`, one more attempt); one already archived is moved back first.
 * Returns the job's queue name, or null when no failed job has this id.
 */
export async function retryJob(database: Database, id: string): Promise<string | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id) || !(await queueInstalled(database))) return null;
  return database.transaction(async (tx) => {
    const live = await tx.query<{ name: string }>(
      `update ${SCHEMA}.job set state = 'retry', retry_limit = retry_count + 1, start_after = now()
       where id = $1 and state = 'failed' returning name`,
      [id],
    );
    if (live.rows[0]) return live.rows[0].name;
    const cols =
      'id, name, priority, data, retry_count, retry_delay, retry_backoff, singleton_key, expire_in, created_on, ' +
      'policy, dead_letter';
    const moved = await tx.query<{ name: string }>(
      `with gone as (delete from ${SCHEMA}.archive where id = $1 and state = 'failed' returning *)
       insert into ${SCHEMA}.job (${cols}, state, retry_limit, start_after, keep_until)
       select ${cols}, 'retry', retry_count + 1, now(), now() + interval '14 days' from gone
       returning name`,
      [id],
    );
    return moved.rows[0]?.name ?? null;
  });
}

/** pg-boss creates its tables at the bot's first start; before that there are no jobs. */
async function queueInstalled(database: Database): Promise<boolean> {
  const { rows } = await database.query<{ t: string | null }>(`select to_regclass('${SCHEMA}.job')::text as t`);
  return Boolean(rows[0]?.t);
}
