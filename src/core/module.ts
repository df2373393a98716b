import type { FastifyPluginAsync } from 'fastify';
import type { z } from 'zod';
import type { Config } from '../config.js';
import type { Database, Db } from '../db/client.js';
import type { Feishu } from '../feishu/index.js';
import type { CardLibrary } from '../feishu/cards.js';
import type { CardActionContext, CardActionResult, Clock, CommandContext, EventContext, JobContext } from './contexts.js';
import type { JobQueue, QueueOptions } from './jobs.js';
import type { Logger } from './logger.js';

/** What every module gets, built once in main.ts. */
export interface Deps {
  config: Config;
  log: Logger;
  database: Database;
  db: Db;
  feishu: Feishu;
  cards: CardLibrary;
  clock: Clock;
  jobs: JobQueue;
}

export interface CommandMeta {
  description: string;
  usage?: string;
}

export interface Bot {
  /** Chat command: several names (Chinese and English), matched with or without a leading "/". */
  command(names: string[], handler: (ctx: CommandContext) => Promise<void>, meta: CommandMeta): void;
  /** Card button / form: `value.action` names it; `schema` checks the rest of the value. */
  cardAction<S extends z.ZodType>(
    name: string,
    schema: S,
    handler: (ctx: CardActionContext<z.infer<S>>) => Promise<CardActionResult>,
  ): void;
  event(type: string, handler: (ctx: EventContext) => Promise<void>): void;
  job<T extends object>(name: string, handler: (data: T, ctx: JobContext) => Promise<void>, options?: QueueOptions): void;
  schedule(name: string, cron: string, handler: (now: Date, ctx: JobContext) => Promise<void>): void;
  routes(prefix: string, plugin: FastifyPluginAsync): void;
}

export interface DomainModule {
  name: string;
  /** Shown as the module's heading in the help card, e.g. "异常件 Exception parcels". */
  title?: string;
  setup(bot: Bot, deps: Deps): void | Promise<void>;
}

export function defineModule(module: DomainModule): DomainModule {
  if (!/^[a-z][a-z0-9-]*$/.test(module.name)) throw new Error(`module name "${module.name}" must be lower-case`);
  return module;
}
