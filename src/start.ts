import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { checkDemoSeeding, type Config, type FeishuConfig } from './config.js';
import type { Clock } from './core/contexts.js';
import type { Logger } from './core/logger.js';
import type { AppModule, Deps } from './deps.js';
import { runSeeds } from './core/seed.js';
import { createDomains } from './domains/index.js';
import { startLongConnection, type LongConnectionOptions } from './feishu/long-connection.js';
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
  modules?: AppModule[];
  sandbox?: Partial<SandboxOptions>;
  jobs?: RuntimeOptions['jobs'];
  /** Time source for the bot and the sandbox (tests and demos run on simulated time). */
  clock?: Clock;
  /** Run node-cron schedules (default true); tests on simulated time tick them by hand. */
  cron?: boolean;
  /** Tests: stand-in for the SDK's WSClient in LARK_EVENT_MODE=websocket. */
  longConnection?: Pick<LongConnectionOptions, 'createClient'>;
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
      dataDir: config.database.dataDir,
      port: config.sandbox.port,
      host: '127.0.0.1',
      log: log.child({ component: 'sandbox' }),
      timeZone: config.timeZone,
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
    // Fail closed before any demo row is written (the rule lives in config.ts).
    const { inspectDatabase } = await import('./demo/real-data.js');
    const contents = await inspectDatabase(
      deps.database,
      sandbox.state.users().map((u) => u.open_id),
    );
    try {
      checkDemoSeeding(config, contents);
    } catch (err) {
      await deps.instances?.stop();
      await deps.database.close();
      await sandbox.close();
      throw err;
    }
  }
  // The sandbox has no console step to create the Bitable base, so the bot makes it itself.
  const modules =
    options.modules ??
    createDomains({ provisionOnStart: Boolean(sandbox), schemaWritesPerSecond: sandbox ? 50 : undefined });
  const built = await buildApp(deps, modules);
  const { app, intake, readiness } = built;
  // Before listening, so /readyz never says ready while the long connection is not up.
  const longConnection =
    feishuConfig.eventMode === 'websocket'
      ? startLongConnection({
          ...feishuConfig,
          ...options.longConnection,
          log,
          receive: (body) => intake.receive(body, 'websocket'),
        })
      : undefined;
  if (longConnection) {
    readiness.set('longConnection', () => {
      const status = longConnection.status();
      return { ready: status.state === 'connected', detail: { ...status } };
    });
  }
  await app.listen({ port: config.server.port, host: config.server.host });
  const port = (app.server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  await deps.jobs.start({ cron: options.cron ?? true });
  sandbox?.setBotEndpoints({
    eventUrl: `${url}/webhook/event`,
    cardUrl: `${url}/webhook/card`,
    dashboardUrl: `${url}/dashboard`,
  });
  if (sandbox) {
    // Each module's demo data (bot.seed), once the app hears the sandbox: people and teams go into
    // the sandbox Base and come back through the directory sync, as in a real deployment.
    const { demoTenant } = await import('./sandbox/index.js');
    await runSeeds(built.registry.seeds, {
      now: deps.clock.now(),
      log,
      tenant: demoTenant(sandbox.state),
      history: options.seedDemo !== false,
    });
  }

  return {
    url,
    app,
    deps,
    sandbox,
    async stop() {
      await app.close();
      longConnection?.close();
      await deps.jobs.stop(10_000);
      await deps.instances?.stop();
      await deps.database.close();
      await sandbox?.close();
    },
  };
}
