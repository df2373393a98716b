import pino from 'pino';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './core/logger.js';
import { DatabaseInUseError } from './db/owner-lock.js';
import { startProduct } from './start.js';

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
  // Pretty, one line per entry, only in development at a terminal; piped or in production: JSON lines.
  // In development the lines are written at once (not buffered), so they stay in order with the banner.
  const development = config.env === 'development';
  const log = createLogger(
    config.logLevel,
    development && !process.stdout.isTTY ? pino.destination({ dest: 1, sync: true }) : undefined,
    { pretty: development && process.stdout.isTTY === true },
  );
  const running = await startProduct({ config, log });
  // Last, once everything is ready: the URLs stay on screen.
  await new Promise<void>((resolve) => log.flush(() => resolve()));
  printBanner({
    url: running.url,
    consoleUrl: running.sandbox?.consoleUrl,
    database: config.database.url ? 'PostgreSQL' : `PGlite (${config.database.dataDir})`,
    docs: config.apiDocs,
    eventMode: config.feishu?.eventMode ?? 'webhook',
  });

  closeWithGrace({ delay: 15_000 }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down');
    await running.stop();
  });
}

interface Banner {
  url: string;
  consoleUrl: string | undefined;
  database: string;
  docs: boolean;
  eventMode: 'webhook' | 'websocket';
}

function printBanner({ url, consoleUrl, database, docs, eventMode }: Banner): void {
  const events =
    eventMode === 'websocket'
      ? `  events 事件接收                   long connection 长连接 (LARK_EVENT_MODE=websocket); ${url}/readyz says ` +
        `whether it is up`
      : `  events 事件接收                   webhook ${url}/webhook/event  ·  card callbacks ${url}/webhook/card`;
  const lines = [
    '',
    `  feishu-ops is running · 已启动   ${url}`,
    `  database 数据库                   ${database}`,
    events,
    `  dashboard 工作台看板              ${url}/dashboard`,
    docs
      ? `  API docs 接口文档                 ${url}/docs`
      : '  API docs 接口文档                 off (API_DOCS=on serves /docs)',
  ];
  if (consoleUrl) {
    lines.push(
      '',
      '  OFFLINE SANDBOX 离线沙箱: no Feishu app configured, a local stand-in plays Feishu.',
      `  Open the console 打开控制台:       ${consoleUrl}`,
      "  (the console's 工作台 Dashboard button opens the dashboard signed in as the person you act as)",
    );
  }
  console.log(lines.join('\n') + '\n');
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`feishu-ops: invalid configuration: ${err.message}`);
    process.exit(1);
  }
  if (err instanceof DatabaseInUseError) {
    console.error(`feishu-ops: ${err.message}`);
    process.exit(1);
  }
  console.error('feishu-ops: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
