import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config, FeishuConfig } from './config.js';
import type { Clock } from './core/contexts.js';
import type { Logger } from './core/logger.js';
import type { Deps, DomainModule } from './core/module.js';
import { createDirectory } from './domains/directory/service.js';
import { createDomains } from './domains/index.js';
import { startLongConnection } from './feishu/long-connection.js';
import { createDeps, type RuntimeOptions } from './runtime.js';
import type { SandboxHandle, SandboxOptions } from './sandbox/index.js';

export interface Running {
  url: string;
  app: FastifyInstance;
  deps: Deps;
  sandbox: SandboxHandle | undefined;
  /** Stops intake first (Feishu re-pushes what we no longer ack), then jobs, then the database. */
  stop(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  log: Logger;
  modules?: DomainModule[];
  sandbox?: Partial<SandboxOptions>;
  jobs?: RuntimeOptions['jobs'];
  /** Time source for the bot and the sandbox (tests and demos run on simulated time). */
  clock?: Clock;
  /** Run node-cron schedules (default true); tests on simulated time tick them by hand. */
  cron?: boolean;
  /** In the sandbox, play two weeks of demo history on first start (default true). */
  seedDemo?: boolean;
}

/**
 * The whole product: the offline sandbox when no Feishu app is configured, the database
 * (migrated), the app listening, jobs and schedules running, the long connection if asked.
 */
export async function startProduct(options: StartOptions): Promise<Running> {
  const { log } = options;
  let config = options.config;
  let sandbox: SandboxHandle | undefined;
  if (!config.feishu) {
    const { startSandbox } = await import('./sandbox/index.js');
    const clock = options.clock;
    sandbox = await startSandbox({
      dataDir: config.database.dataDir, port: config.sandbox.port, host: '127.0.0.1', log: log.child({ component: 'sandbox' }),
      ...(clock ? { now: () => clock.now() } : {}),
      ...options.sandbox,
    });
    const c = sandbox.credentials;
    const feishu: FeishuConfig = { ...c, baseUrl: sandbox.url, eventMode: 'webhook', messagesPerSecond: 50 };
    config = { ...config, feishu };
  }
  const feishuConfig = config.feishu!;
  const deps = await createDeps({
    config: { ...config, feishu: feishuConfig },
    log,
    ...(options.jobs ? { jobs: options.jobs } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  if (sandbox) {
    const { seedDemoDirectory } = await import('./demo/directory.js');
    const { seedDemoExceptions } = await import('./demo/exceptions.js');
    await seedDemoDirectory(createDirectory({ db: deps.db }), sandbox.state);
    const cases = options.seedDemo === false ? 0 : await seedDemoExceptions(deps, deps.clock.now());
    if (cases > 0) log.info({ cases }, 'demo history seeded');
  }
  // The sandbox has no console step to create the Bitable base, so the bot makes it itself.
  const modules = options.modules ?? createDomains({ provisionOnStart: Boolean(sandbox), schemaWritesPerSecond: sandbox ? 50 : undefined });
  const { app, intake } = await buildApp(deps, modules);
  await app.listen({ port: config.server.port, host: config.server.host });
  const port = (app.server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  await deps.jobs.start({ cron: options.cron ?? true });
  const longConnection =
    feishuConfig.eventMode === 'websocket'
      ? startLongConnection({ ...feishuConfig, log, receive: (body) => intake.receive(body, 'websocket') })
      : undefined;
  sandbox?.setBotEndpoints({ eventUrl: `${url}/webhook/event`, cardUrl: `${url}/webhook/card`, dashboardUrl: `${url}/dashboard` });

  return {
    url,
    app,
    deps,
    sandbox,
    async stop() {
      await app.close();
      longConnection?.close();
      await deps.jobs.stop(10_000);
      await deps.database.close();
      await sandbox?.close();
    },
  };
}
