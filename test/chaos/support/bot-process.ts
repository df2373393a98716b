// The bot for the chaos tests, in its own process: the real app as main.ts composes it (config
// from LARK_* env, real PostgreSQL, every domain), listening on a random port. Two knobs main.ts
// sets differently: how soon a dead worker's job is reclaimed (JOB_EXPIRE_SECONDS, 300 s in
// production) and an every-second schedule that records its runs (CHAOS_SCHEDULE=1).
// CHAOS_WORKFLOWS=1 provisions the Base at start as the sandbox product does; CHAOS_DEMO_TENANT
// (a JSON file of the stand-in's people and chats) also seeds the demo directory before READY.
import { readFileSync } from 'node:fs';
import { runSeeds, type SeedContext } from '../../../src/core/seed.js';
import { buildApp } from '../../../src/app.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { createLogger } from '../../../src/core/logger.js';
import { defineModule } from '../../../src/core/module.js';
import type { AppModule, Deps } from '../../../src/deps.js';
import { createDomains } from '../../../src/domains/index.js';
import { createDeps } from '../../../src/runtime.js';

const config = loadConfig(process.env) as Config & { feishu: NonNullable<Config['feishu']> };
const log = createLogger(config.logLevel);
const deps = await createDeps({
  config,
  log,
  jobs: {
    expireInSeconds: Number(process.env.CHAOS_JOB_EXPIRE_SECONDS ?? 4),
    maintenanceIntervalSeconds: 1,
    instanceId: `chaos-${process.pid}`,
  },
});

const tick = defineModule<Deps>({
  name: 'chaos',
  setup(bot, d) {
    bot.schedule('chaos.tick', '* * * * * *', async (now) => {
      await d.database.query('insert into chaos_schedule_runs (slot, pid) values ($1, $2)', [now, process.pid]);
    });
  },
});
const workflows = process.env.CHAOS_WORKFLOWS === '1';
const domains = createDomains(workflows ? { provisionOnStart: true, schemaWritesPerSecond: 50 } : {});
const modules: AppModule[] = [...domains, ...(process.env.CHAOS_SCHEDULE === '1' ? [tick] : [])];
const { app, registry } = await buildApp(deps, modules);
await app.listen({ port: 0, host: '127.0.0.1' });
await deps.jobs.start();
if (process.env.CHAOS_DEMO_TENANT) {
  const tenant = JSON.parse(readFileSync(process.env.CHAOS_DEMO_TENANT, 'utf8')) as SeedContext['tenant'];
  await runSeeds(registry.seeds, { now: deps.clock.now(), log, tenant, history: false });
}
const { port } = app.server.address() as { port: number };
process.stdout.write(`CHAOS_READY http://127.0.0.1:${port}\n`);

process.on('SIGTERM', () => {
  void (async () => {
    await app.close();
    await deps.jobs.stop(5_000);
    await deps.database.close();
    process.exit(0);
  })();
});
