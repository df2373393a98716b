import type { Logger } from './logger.js';

/** A person of the demo tenant, as the offline stand-in of Feishu knows them. */
export interface DemoPerson {
  openId: string;
  /** Stable short name, e.g. `fengqiang`. */
  key: string;
  name: string;
  enName: string;
  department: string;
  role: string;
  title: string;
  channel?: string | undefined;
}

/** A group chat of the demo tenant and the department group it serves. */
export interface DemoChat {
  chatId: string;
  name: string;
  group: string;
}

export interface SeedContext {
  /** The demo clock's now; history is played up to it. */
  now: Date;
  log: Logger;
  tenant: { people: readonly DemoPerson[]; chats: readonly DemoChat[] };
  /** Also play past activity (weeks of cases); slow, so most tests leave it off. */
  history: boolean;
}

export interface SeedEntry {
  module: string;
  run: (ctx: SeedContext) => Promise<void>;
}

/**
 * Runs every module's demo data in module order (the directory before the workflows that route
 * by it). Each seed decides whether it has anything left to do, so a second start adds nothing;
 * one that fails is logged and the rest still run — the demo is never worth a failed start.
 */
export async function runSeeds(seeds: readonly SeedEntry[], ctx: SeedContext): Promise<void> {
  for (const seed of seeds) {
    const log = ctx.log.child({ module: seed.module, component: 'seed' });
    try {
      await seed.run({ ...ctx, log });
    } catch (err) {
      log.error({ err }, 'demo data not seeded');
    }
  }
}
