import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './core/logger.js';
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
  if (!config.feishu && config.sandbox.mode === 'off') {
    console.error('feishu-ops: invalid configuration: LARK_APP_ID: required when SANDBOX=off');
    process.exit(1);
  }
  const log = createLogger(config.logLevel);
  const running = await startProduct({ config, log });
  printBanner(running.url, running.sandbox?.consoleUrl, config.database.url ? 'PostgreSQL' : `PGlite (${config.database.dataDir})`);

  closeWithGrace({ delay: 15_000 }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down');
    await running.stop();
  });
}

function printBanner(url: string, consoleUrl: string | undefined, database: string): void {
  const lines = [
    '',
    `  feishu-ops is running · 已启动   ${url}`,
    `  database 数据库                   ${database}`,
    `  webhook 事件地址                  ${url}/webhook/event  ·  card callbacks ${url}/webhook/card`,
    `  dashboard 工作台看板              ${url}/dashboard`,
    `  API docs 接口文档                 ${url}/docs`,
  ];
  if (consoleUrl) {
    lines.push(
      '',
      '  OFFLINE SANDBOX 离线沙箱: no Feishu app configured, a local stand-in plays Feishu.',
      `  Open the console 打开控制台:       ${consoleUrl}`,
      '  (the console\'s 工作台 Dashboard button opens the dashboard signed in as the person you act as)',
    );
  }
  console.log(lines.join('\n') + '\n');
}

main().catch((err) => {
  console.error('feishu-ops: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
