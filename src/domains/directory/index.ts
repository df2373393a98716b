import { loadTemplates } from '../../bitable/load-templates.js';
import { defineModule, type DomainModule } from '../../core/module.js';
import type { BitableMirror } from '../../mirror/index.js';
import { TEMPLATES_DIR } from '../../mirror/mirror-context.js';
import { createDirectorySync, SYNC_TABLES, type SyncTable } from './bitable-sync.js';
import { createDirectory } from './service.js';

export type { SyncReport, DirectorySync } from './bitable-sync.js';

export interface DirectoryOptions {
  /** The Bitable mirror the four shared tables are read from. */
  mirror: BitableMirror;
  /** When the full sync runs (business time zone); default 5 minutes after each 10-minute reconcile. */
  syncCron?: string;
}

// A team's code names it for its people, so a change to 团队 re-reads 人员与角色 too.
const AFFECTS: Readonly<Record<SyncTable, readonly SyncTable[]>> = {
  people: ['people'],
  teams: ['teams', 'people'],
  business_calendar: ['business_calendar'],
  settings: ['settings'],
};

/**
 * Who is who and the rules leads edit, carried from Bitable (人员与角色, 团队, 工作日历, 规则配置)
 * into the directory the workflows read: on every change people make, on a schedule (which also
 * catches the first load of a table, never announced as a change), and once at start.
 */
export function directoryModule(options: DirectoryOptions): DomainModule {
  return defineModule({
    name: 'directory',
    async setup(bot, deps) {
      const log = deps.log; // already tagged with the module by the core
      const sync = createDirectorySync({
        database: deps.database,
        directory: createDirectory({ db: deps.db }),
        templates: await loadTemplates(TEMPLATES_DIR),
        tableName: (key) => options.mirror.tableName(key),
        log,
        timeZone: deps.config.timeZone,
        now: () => deps.clock.now(),
      });
      // The tables are small: a change re-reads its whole table, which also makes replays harmless.
      for (const table of SYNC_TABLES) options.mirror.onChange(table, async () => void (await sync.sync(AFFECTS[table])));
      bot.schedule('directory.sync', options.syncCron ?? '5-59/10 * * * *', async () => void (await sync.sync()));
      // Not awaited: start-up must not wait for it; an unprovisioned Base has empty tables, which change nothing.
      sync.sync().catch((err: unknown) => log.warn({ err }, 'directory sync at start failed; the schedule retries it'));
    },
  });
}
