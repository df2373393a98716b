import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { DatabaseInUseError } from './db/owner-lock.js';
import { mirrorCommands } from './mirror/cli.js';
import { declareTablesForSync } from './domains/index.js';
import { communityCommands } from './domains/community/cli.js';
import { qaCommands } from './domains/qa/cli.js';

function config(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`feishu-ops: invalid configuration: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

async function withDatabase<T>(fn: (db: Database, c: Config) => Promise<T>): Promise<T> {
  const c = config();
  const database = await openDatabase({ url: c.database.url, dataDir: c.database.dataDir });
  try {
    await migrate(database);
    return await fn(database, c);
  } finally {
    await database.close();
  }
}

// package.json sits one folder up from both src/cli.ts and dist/cli.js.
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command()
  .name('feishu-ops')
  .version(version, '-v, --version', 'print the version · 显示版本')
  .description(
    'Feishu/Lark operations bot: QA, exception parcels, contracts, community data.\nSettings come from the ' +
      'environment (see .env.example).',
  );

program
  .command('serve')
  .description(
    'run the bot (same as npm start): webhook, jobs, schedules; offline sandbox when Feishu is not configured',
  )
  .action(async () => {
    await import('./main.js');
  });

program
  .command('migrate')
  .description('apply database migrations (also done at start-up; safe with several instances)')
  .action(async () => {
    await withDatabase(async (db) => {
      console.log(`migrations applied (${db.kind})`);
    });
  });

program
  .command('seed')
  .description(
    "create the offline sandbox's demo company (people, chats); its people, teams and rules reach " +
      'the Base and the directory at the next start, as on the first one',
  )
  .option('-f, --force', 'replace an existing sandbox state')
  .action(async (opts: { force?: boolean }) => {
    await withDatabase(async (_db, c) => {
      const { checkDemoSeeding } = await import('./config.js');
      // The demo company is the sandbox's: with a real Feishu app configured there is nothing to seed.
      if (!c.sandbox.enabled) checkDemoSeeding(c, { foreignRows: 0 });
      const { seedSandbox, startSandbox } = await import('./sandbox/index.js');
      const { created } = await seedSandbox(c.database.dataDir, { force: opts.force ?? false });
      const sandbox = await startSandbox({ dataDir: c.database.dataDir, port: 0 });
      try {
        console.log(
          `${created ? 'created' : 'kept'} the sandbox tenant in ${c.database.dataDir}: ` +
            `${sandbox.state.users().length}` +
            ` people, ${sandbox.state.chats().filter((ch) => ch.chat_type === 'group').length}` +
            ` team chats`,
        );
      } finally {
        await sandbox.close();
      }
    });
  });

program
  .command('events')
  .description('list recent events from the inbox, e.g. the dead ones')
  .option('-s, --status <status>', 'received | processing | done | ignored | failed | dead')
  .option('-n, --limit <n>', 'how many', '20')
  .action(async (opts: { status?: string; limit: string }) => {
    await withDatabase(async (db) => {
      const { rows } = await db.query(
        `select event_id, event_type, status, attempts, left(coalesce(last_error, ''), 120) as last_error, received_at
         from lark_events where ($1::text is null or status = $1) order by id desc limit $2`,
        [opts.status ?? null, Number(opts.limit) || 20],
      );
      if (rows.length === 0) console.log(opts.status ? `no ${opts.status} events` : 'no events yet');
      else console.table(rows);
    });
  });

program
  .command('replay')
  .description('queue a failed or dead event again (its effects keep their idempotency keys)')
  .argument('<eventId>', 'the event_id to run again')
  .action(async (eventId: string) => {
    await withDatabase(async (db, c) => {
      const { JobQueue } = await import('./core/jobs.js');
      const { EVENT_QUEUE } = await import('./core/bot.js');
      const { createLogger } = await import('./core/logger.js');
      const jobs = new JobQueue({
        database: db,
        log: createLogger('warn'),
        timeZone: c.timeZone,
        retryLimit: c.jobs.retryLimit,
      });
      jobs.define(EVENT_QUEUE, async () => undefined);
      await jobs.start({ workers: false, cron: false });
      const updated = await db.query<{ id: number }>(
        `update lark_events set status = 'received', updated_at = now() where event_id = $1 and status in ('failed',
          'dead') returning id`,
        [eventId],
      );
      const row = updated.rows[0];
      if (!row) {
        console.error(`feishu-ops: no failed or dead event ${eventId}`);
        process.exitCode = 1;
      } else {
        await jobs.send(EVENT_QUEUE, { id: Number(row.id), eventId });
        console.log(`event ${eventId} queued again`);
      }
      await jobs.stop(1000);
    });
  });

const jobs = program
  .command('jobs')
  .description('follow-up jobs (cards, DMs, Bitable writes, schedules): list them, run a failed one again · 后台任务');
jobs
  .command('list', { isDefault: true })
  .description('list recent jobs, newest first (`feishu-ops jobs --failed` for the failed ones)')
  .option('--failed', 'only jobs that failed for good')
  .option('-s, --state <state>', 'created | retry | active | completed | failed | cancelled')
  .option('-n, --limit <n>', 'how many', '20')
  .action(async (opts: { failed?: boolean; state?: string; limit: string }) => {
    await withDatabase(async (db) => {
      const { listJobs } = await import('./core/job-admin.js');
      const { EVENT_QUEUE } = await import('./core/bot.js');
      const state = opts.failed ? 'failed' : opts.state;
      const rows = await listJobs(db, { state, limit: Number(opts.limit) || 20, exclude: [EVENT_QUEUE] });
      if (rows.length === 0)
        console.log(
          state ? `no ${state} jobs · 没有${state === 'failed' ? '失败的' : ''}任务` : 'no jobs yet · 暂无任务',
        );
      else console.table(rows);
    });
  });
jobs
  .command('retry')
  .description('run a failed job again under the same id (its messages and rows keep their idempotency keys)')
  .argument('<id>', 'the job id from `feishu-ops jobs --failed`')
  .action(async (id: string) => {
    await withDatabase(async (db) => {
      const { retryJob } = await import('./core/job-admin.js');
      const name = await retryJob(db, id);
      if (!name) {
        console.error(`feishu-ops: no failed job ${id} · 没有该失败任务`);
        process.exitCode = 1;
      } else {
        console.log(`job ${id} (${name}) queued again · 已重新排队`);
      }
    });
  });

mirrorCommands(program, withDatabase, (mirror, database, feishu) =>
  declareTablesForSync(mirror, database, process.env.TZ_BUSINESS || 'Asia/Shanghai', feishu),
);
communityCommands(program, withDatabase);
qaCommands(program, withDatabase);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) console.error(`feishu-ops: invalid configuration: ${err.message}`);
  else if (err instanceof DatabaseInUseError) console.error(`feishu-ops: ${err.message}`);
  else throw err;
  process.exitCode = 1;
}
