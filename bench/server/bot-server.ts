// The bot under test, in its own process: the real app (createDeps + buildApp + domains) plus the
// bench card action. BENCH_WORKERS=0 runs intake only (events are stored and queued, not worked).
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/core/logger.js';
import { domains } from '../../src/domains/index.js';
import { createDeps } from '../../src/runtime.js';
import { serveIpc } from '../child.js';
import { benchModule } from './bench-module.js';

const config = loadConfig(process.env) as Config & { feishu: NonNullable<Config['feishu']> };
const log = createLogger(config.logLevel, pino.destination({ dest: process.env.BENCH_LOG_FILE ?? '/dev/null', sync: false, mkdir: true }));
const deps = await createDeps({ config, log });
const { app } = await buildApp(deps, [...domains, benchModule()]);
await app.listen({ port: 0, host: '127.0.0.1' });
const workers = process.env.BENCH_WORKERS !== '0';
await deps.jobs.start({ workers, cron: false });
const { port } = app.server.address() as { port: number };

const one = async <T>(sql: string, params: unknown[] = []) => (await deps.database.query<T>(sql, params)).rows[0]!;

serveIpc(
  {
    info: async () => {
      const { version } = await one<{ version: string }>('select version()');
      return { version, kind: deps.database.kind };
    },
    count: async () =>
      one<{ stored: number; done: number; open: number }>(
        `select count(*)::int as stored, count(*) filter (where status = 'done')::int as done,
           count(*) filter (where status in ('received','processing','failed'))::int as open from lark_events`,
      ),
    flips: async () => one<{ flips: number }>('select coalesce(sum(flips), 0)::int as flips from bench_tickets'),
    reset: async () => {
      await deps.database.exec(`truncate lark_events; delete from pgboss.job where name = 'lark.event'; update bench_tickets set state = 'open', flips = 0;`);
      if (deps.database.kind === 'postgres') await deps.database.exec('vacuum analyze lark_events');
      return true;
    },
  },
  async () => {
    await app.close();
    await deps.jobs.stop(5_000);
    await deps.database.close();
    log.flush();
  },
);
process.send?.({ type: 'ready', ready: { url: `http://127.0.0.1:${port}`, pid: process.pid } });
