import type { Config } from './config.js';
import type { CardRenderer } from './core/cards/render.js';
import type { Clock } from './core/contexts.js';
import type { JobQueue } from './core/jobs.js';
import type { InstanceRegistry } from './core/instances.js';
import type { Logger } from './core/logger.js';
import type { DomainModule } from './core/module.js';
import type { Database } from './db/client.js';
import type { Feishu } from './feishu/index.js';

/**
 * What every module's setup receives, built once by createDeps (runtime.ts) and passed down:
 * no globals. Feishu is reached by intent (messages, bitable); the SDK client is not in here.
 */
export interface Deps {
  config: Config;
  log: Logger;
  database: Database;
  feishu: Feishu;
  cards: CardRenderer;
  clock: Clock;
  jobs: JobQueue;
  /** The instances sharing this database (Feishu's per-app budgets are split among them). */
  instances?: InstanceRegistry;
}

/** A module of this app: `defineModule` from core, set up with these Deps. */
export type AppModule = DomainModule<Deps>;
