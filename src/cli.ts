import { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { mirrorCommands } from './mirror/cli.js';

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

const program = new Command()
  .name('feishu-ops')
  .description('Feishu/Lark operations bot: QA, exception parcels, contracts, community data.\nSettings come from the environment (see .env.example).');

program
  .command('serve')
  .description('run the bot (same as npm start): webhook, jobs, schedules; offline sandbox when Feishu is not configured')
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
  .description('create the offline sandbox\'s demo company (people, chats) and load its directory; done automatically on the first sandbox start')
  .option('-f, --force', 'replace an existing sandbox state')
  .action(async (opts: { force?: boolean }) => {
    await withDatabase(async (db, c) => {
      const { seedSandbox, startSandbox } = await import('./sandbox/index.js');
      const { seedDemoDirectory } = await import('./demo/directory.js');
      const { createDirectory } = await import('./domains/directory/service.js');
      const { created } = await seedSandbox(c.database.dataDir, { force: opts.force ?? false });
      const sandbox = await startSandbox({ dataDir: c.database.dataDir, port: 0 });
      try {
        await seedDemoDirectory(createDirectory({ db: db.db }), sandbox.state);
        console.log(`${created ? 'created' : 'kept'} the sandbox tenant in ${c.database.dataDir}: ${sandbox.state.users().length} people, ${sandbox.state.chats().filter((ch) => ch.chat_type === 'group').length} team chats`);
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
      const jobs = new JobQueue({ database: db, log: createLogger('warn'), timeZone: c.timeZone, retryLimit: c.jobs.retryLimit });
      jobs.define(EVENT_QUEUE, async () => undefined);
      await jobs.start({ workers: false, cron: false });
      const updated = await db.query<{ id: number }>(
        `update lark_events set status = 'received', updated_at = now() where event_id = $1 and status in ('failed', 'dead') returning id`,
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

mirrorCommands(program, withDatabase);

await program.parseAsync(process.argv);
