// The bot under test, in its own process: the real app (createDeps + buildApp + domains) plus the
// bench card action. BENCH_WORKERS=0 runs intake only (events are stored and queued, not worked).
// BENCH_WORKFLOWS=1 provisions the Base at start as the sandbox product does, and BENCH_DEMO_TENANT
// (a JSON file of the stand-in's people and chats) seeds the demo directory, rules and scorecard
// before the bot reports ready: the workflow card scenario clicks on real QA reviews and contract steps.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/core/logger.js';
import { runSeeds, type SeedContext } from '../../src/core/seed.js';
import { createDomains } from '../../src/domains/index.js';
import { createDeps } from '../../src/runtime.js';
import { serveIpc } from '../child.js';
import { benchModule } from './bench-module.js';
import { contractsProbeModule } from './contracts-probe.js';

// Queries sent by this process (the app's pool, pg-boss and the settings watch alike): the bench
// reads the counter around a run of requests to report queries per request.
let queries = 0;
const clientQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  queries++;
  return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof clientQuery;
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

const config = loadConfig(process.env) as Config & { feishu: NonNullable<Config['feishu']> };
const log = createLogger(
  config.logLevel,
  pino.destination({ dest: process.env.BENCH_LOG_FILE ?? '/dev/null', sync: false, mkdir: true }),
);
const deps = await createDeps({ config, log });
const domains = createDomains(
  process.env.BENCH_WORKFLOWS === '1' ? { provisionOnStart: true, schemaWritesPerSecond: 50 } : {},
);
const probes = process.env.BENCH_CONTRACTS_PROBE === '1' ? [contractsProbeModule()] : [];
const { app, registry } = await buildApp(deps, [...domains, benchModule(), ...probes]);
await app.listen({ port: 0, host: '127.0.0.1' });
const workers = process.env.BENCH_WORKERS !== '0';
await deps.jobs.start({ workers, cron: false });
if (process.env.BENCH_DEMO_TENANT) {
  const tenant = JSON.parse(readFileSync(process.env.BENCH_DEMO_TENANT, 'utf8')) as SeedContext['tenant'];
  await runSeeds(registry.seeds, { now: deps.clock.now(), log, tenant, history: false });
}
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
    queries: async () => ({ queries }),
    /** Longest event-loop stall since the last call (ms), then starts over. */
    loopDelay: async () => {
      const r = { maxMs: Math.round(loopDelay.max / 1e5) / 10, p99Ms: Math.round(loopDelay.percentile(99) / 1e5) / 10 };
      loopDelay.reset();
      return r;
    },
    /** Runs a registered schedule's handler once, as its job would, at `now`; answers the time it took. */
    schedule: async ({ name, now }: { name: string; now?: string }) => {
      const entry = registry.schedules.get(name);
      if (!entry) throw new Error(`no schedule ${name}`);
      const at = now ? new Date(now) : new Date();
      const ctx = {
        jobId: `bench-${name}`,
        attempt: 1,
        log: deps.log.child({ schedule: name }),
        now: at,
        key: (step: string) => `bench:${name}:${at.toISOString()}:${step}`,
      };
      const q0 = queries;
      const t0 = performance.now();
      await entry.handler(at, ctx);
      return { ms: Math.round((performance.now() - t0) * 10) / 10, queries: queries - q0 };
    },
    sql: async ({ text, params }: { text: string; params?: unknown[] }) =>
      (await deps.database.query(text, params ?? [])).rows,
    reset: async () => {
      await deps.database.exec(
        `truncate lark_events; delete from pgboss.job where name = 'lark.event'; update bench_tickets set state =
          'open', flips = 0;`,
      );
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
