import type { Config } from './config.js';
import { JobQueue } from './core/jobs.js';
import type { Logger } from './core/logger.js';
import type { Deps } from './deps.js';
import { systemClock, type Clock } from './core/contexts.js';
import { openDatabase, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { createFeishu, type FeishuOptions } from './feishu/index.js';
import { CardLibrary } from './feishu/cards.js';
import { crossInstanceLock, InstanceRegistry } from './core/instances.js';

export interface RuntimeOptions {
  config: Config & { feishu: NonNullable<Config['feishu']> };
  log: Logger;
  database?: Database;
  clock?: Clock;
  jobs?: Partial<ConstructorParameters<typeof JobQueue>[0]>;
  feishu?: Partial<Pick<FeishuOptions, 'retry' | 'sleep'>>;
}

/** Builds the dependencies every module receives: database (migrated), Feishu client, jobs. */
export async function createDeps(options: RuntimeOptions): Promise<Deps> {
  const { config, log } = options;
  const database =
    options.database ?? (await openDatabase({ url: config.database.url, dataDir: config.database.dataDir }));
  await migrate(database);
  const instances = new InstanceRegistry({ database, log: log.child({ component: 'instances' }) });
  await instances.start();
  const tableLock = crossInstanceLock(database);
  const feishu = createFeishu({
    appId: config.feishu.appId,
    appSecret: config.feishu.appSecret,
    baseUrl: config.feishu.baseUrl,
    messagesPerSecond: config.feishu.messagesPerSecond,
    budgetShare: () => instances.share(),
    ...(tableLock ? { bitable: { tableLock } } : {}),
    log,
    ...options.feishu,
  });
  const jobs = new JobQueue({
    database,
    log: log.child({ component: 'jobs' }),
    timeZone: config.timeZone,
    retryLimit: config.jobs.retryLimit,
    expireInSeconds: config.jobs.expireInSeconds,
    ...options.jobs,
  });
  return {
    config,
    log,
    database,
    feishu,
    cards: new CardLibrary(),
    clock: options.clock ?? systemClock,
    jobs,
    instances,
  };
}
