import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './core/logger.js';
import { domains } from './domains/index.js';
import { createDirectory } from './domains/directory/service.js';
import { startLongConnection } from './feishu/long-connection.js';
import { createDeps } from './runtime.js';
import type { SandboxHandle } from './sandbox/index.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`feishu-ops: invalid configuration: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);

  // No Feishu app configured: run against the local stand-in, through the same client code.
  let sandbox: SandboxHandle | undefined;
  if (!config.feishu) {
    if (config.sandbox.mode === 'off') {
      console.error('feishu-ops: invalid configuration: LARK_APP_ID: required when SANDBOX=off');
      process.exit(1);
    }
    const { startSandbox } = await import('./sandbox/index.js');
    sandbox = await startSandbox({ dataDir: config.database.dataDir, port: config.sandbox.port, host: '127.0.0.1', log: log.child({ component: 'sandbox' }) });
    const c = sandbox.credentials;
    config = {
      ...config,
      feishu: { appId: c.appId, appSecret: c.appSecret, encryptKey: c.encryptKey, verificationToken: c.verificationToken, baseUrl: sandbox.url, eventMode: 'webhook', messagesPerSecond: 50 },
    };
  }
  const feishuConfig = config.feishu!;
  const deps = await createDeps({ config: { ...config, feishu: feishuConfig }, log });
  if (sandbox) {
    const { seedDemoDirectory } = await import('./demo/directory.js');
    await seedDemoDirectory(createDirectory({ db: deps.db }), sandbox.state);
  }
  const { app, intake } = await buildApp(deps, domains);
  await app.listen({ port: config.server.port, host: config.server.host });
  const port = (app.server.address() as { port: number }).port;
  await deps.jobs.start();

  let longConnection: { close(): void } | undefined;
  if (feishuConfig.eventMode === 'websocket') {
    longConnection = startLongConnection({ ...feishuConfig, log, receive: (body) => intake.receive(body, 'websocket') });
  }
  const local = `http://127.0.0.1:${port}`;
  sandbox?.setBotEndpoints({ eventUrl: `${local}/webhook/event`, cardUrl: `${local}/webhook/card` });
  printBanner(local, sandbox?.consoleUrl, config.database.url ? 'PostgreSQL' : `PGlite (${config.database.dataDir})`);

  closeWithGrace({ delay: 15_000 }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down');
    await app.close(); // stop intake first: Feishu re-pushes what we no longer ack
    longConnection?.close();
    await deps.jobs.stop(10_000); // let in-flight jobs finish
    await deps.database.close();
    await sandbox?.close();
  });
}

function printBanner(url: string, consoleUrl: string | undefined, database: string): void {
  const lines = [
    '',
    `  feishu-ops is running · 已启动   ${url}`,
    `  database 数据库                   ${database}`,
    `  webhook 事件地址                  ${url}/webhook/event  ·  card callbacks ${url}/webhook/card`,
  ];
  if (consoleUrl) {
    lines.push(
      '',
      '  OFFLINE SANDBOX 离线沙箱: no Feishu app configured, a local stand-in plays Feishu.',
      `  Open the console 打开控制台:       ${consoleUrl}`,
    );
  }
  console.log(lines.join('\n') + '\n');
}

main().catch((err) => {
  console.error('feishu-ops: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
