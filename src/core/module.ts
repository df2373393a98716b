import type { FastifyPluginAsync } from 'fastify';
import type { z } from 'zod';
import type { CardRenderer } from './cards/render.js';
import type {
  CardActionContext,
  CardActionResult,
  Clock,
  CommandContext,
  EventContext,
  JobContext,
} from './contexts.js';
import type { QueueOptions } from './jobs.js';
import type { Logger } from './logger.js';
import type { SeedContext } from './seed.js';
import type { Setting, SettingOptions, SettingsStore } from './settings.js';
import type { Messenger } from './messenger.js';

/** What the core itself uses to answer chat: the app hands it these parts of its own deps. */
export interface CoreDeps {
  log: Logger;
  clock: Clock;
  messenger: Messenger;
  cards: CardRenderer;
}

export interface CommandMeta {
  description: string;
  usage?: string;
  /**
   * The command's most common actions as buttons on the help card: each sends `{ action }` to a
   * card action of the same module (e.g. `exceptions.new-form` answers with the new-case form).
   */
  shortcuts?: Array<{ label: string; action: string }>;
}

export interface Bot {
  /**
   * Chat command: several names (Chinese and English), matched with or without a leading "/". The handler may end
   * with its reply (`return ctx.reply(…)`): what it resolves to is not used.
   */
  command(names: string[], handler: (ctx: CommandContext) => Promise<unknown>, meta: CommandMeta): void;
  /** Card button / form: `value.action` names it; `schema` checks the rest of the value. */
  cardAction<S extends z.ZodType>(
    name: string,
    schema: S,
    handler: (ctx: CardActionContext<z.infer<S>>) => Promise<CardActionResult>,
  ): void;
  event(type: string, handler: (ctx: EventContext) => Promise<void>): void;
  job<T extends object>(
    name: string,
    handler: (data: T, ctx: JobContext) => Promise<void>,
    options?: QueueOptions,
  ): void;
  schedule(name: string, cron: string, handler: (now: Date, ctx: JobContext) => Promise<void>): void;
  routes(prefix: string, plugin: FastifyPluginAsync): void;
  /**
   * A rule leads may edit: `key` starts with the module's name (or `shared.`), `schema` holds the
   * defaults, `source` says which table's rows define it (the directory carries them in).
   */
  settings<S extends z.ZodType>(key: string, schema: S, options?: SettingOptions<S>): Setting<z.infer<S>>;
  /** Every module's settings: for the module that carries source tables in (the directory). */
  readonly settingsStore: SettingsStore;
  /** Demo data for the offline sandbox's first start, run in module order (the directory first). */
  seed(run: (ctx: SeedContext) => Promise<void>): void;
}

/**
 * A module: its name, and a setup that registers on `bot` what it handles. `D` is what the app
 * hands every module (src/deps.ts); the core passes it through without looking inside.
 */
export interface DomainModule<D = unknown> {
  name: string;
  /** Shown as the module's heading in the help card, e.g. "异常件 Exception parcels". */
  title?: string;
  setup(bot: Bot, deps: D): void | Promise<void>;
}

export function defineModule<D = unknown>(module: DomainModule<D>): DomainModule<D> {
  if (!/^[a-z][a-z0-9-]*$/.test(module.name)) throw new Error(`module name "${module.name}" must be lower-case`);
  return module;
}
