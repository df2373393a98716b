import type { FastifyPluginAsync } from 'fastify';
import type { z } from 'zod';
import type { CardActionContext, CardActionResult, CommandContext, EventContext, JobContext } from './contexts.js';
import type { QueueOptions } from './jobs.js';
import type { Bot, CommandMeta } from './module.js';
import type { SeedEntry } from './seed.js';
import type { SettingsStore } from './settings.js';

export interface CommandEntry {
  module: string;
  names: string[];
  meta: CommandMeta;
  handler: (ctx: CommandContext) => Promise<unknown>;
}

export interface CardActionEntry {
  module: string;
  schema: z.ZodType;
  handler: (ctx: CardActionContext<unknown>) => Promise<CardActionResult>;
}

export interface JobEntry {
  module: string;
  handler: (data: object, ctx: JobContext) => Promise<void>;
  options: QueueOptions;
}

export interface ScheduleEntry {
  module: string;
  cron: string;
  handler: (now: Date, ctx: JobContext) => Promise<void>;
}

/** Everything the modules registered; the dispatcher and the app read from it. */
export class Registry {
  readonly commands: CommandEntry[] = [];
  readonly cardActions = new Map<string, CardActionEntry>();
  readonly events = new Map<string, Array<{ module: string; handler: (ctx: EventContext) => Promise<void> }>>();
  readonly jobs = new Map<string, JobEntry>();
  readonly schedules = new Map<string, ScheduleEntry>();
  readonly routes: Array<{ module: string; prefix: string; plugin: FastifyPluginAsync }> = [];
  readonly titles = new Map<string, string>();
  readonly seeds: SeedEntry[] = [];

  constructor(readonly settings: SettingsStore) {}

  /** A Bot for one module: its actions, jobs and schedules must start with "<module>.". */
  forModule(module: string, title?: string): Bot {
    if (title) this.titles.set(module, title);
    const owned = (kind: string, name: string) => {
      if (!name.startsWith(`${module}.`))
        throw new Error(`${kind} "${name}" of module ${module} must start with "${module}."`);
    };
    return {
      command: (names, handler, meta) => {
        for (const name of names) {
          const taken = this.commands.find((c) => c.names.some((n) => normaliseCommand(n) === normaliseCommand(name)));
          if (taken) throw new Error(`command "${name}" is registered by ${taken.module} already`);
        }
        this.commands.push({ module, names, meta, handler });
      },
      cardAction: (name, schema, handler) => {
        owned('card action', name);
        if (this.cardActions.has(name)) throw new Error(`card action ${name} is registered twice`);
        this.cardActions.set(name, { module, schema, handler: handler as CardActionEntry['handler'] });
      },
      event: (type, handler) => {
        const list = this.events.get(type) ?? [];
        list.push({ module, handler });
        this.events.set(type, list);
      },
      job: (name, handler, options = {}) => {
        owned('job', name);
        if (this.jobs.has(name)) throw new Error(`job ${name} is registered twice`);
        this.jobs.set(name, { module, handler: handler as JobEntry['handler'], options });
      },
      schedule: (name, cron, handler) => {
        owned('schedule', name);
        if (this.schedules.has(name)) throw new Error(`schedule ${name} is registered twice`);
        this.schedules.set(name, { module, cron, handler });
      },
      routes: (prefix, plugin) => {
        this.routes.push({ module, prefix, plugin });
      },
      settings: (key, schema, options) => this.settings.declare(module, key, schema, options),
      settingsStore: this.settings,
      seed: (run) => {
        this.seeds.push({ module, run });
      },
    };
  }
}

export function normaliseCommand(word: string): string {
  return word
    .trim()
    .replace(/^[/／]/, '')
    .toLowerCase();
}
