import { loadTemplates } from '../../bitable/load-templates.js';
import { defineModule } from '../../core/module.js';
import type { AppModule } from '../../deps.js';
import type { BitableMirror } from '../../mirror/index.js';
import { TEMPLATES_DIR } from '../../mirror/mirror-context.js';
import { createDirectorySync, SYNC_TABLES, type SyncTable } from './bitable-sync.js';
import { seedDemoDirectory } from './seed.js';
import { STATUS_FIELD } from './sync/settings-table.js';
import { BIND_USAGE, bindChat, greetGroup } from './bind.js';
import { directoryOf } from './service.js';
import { quote } from '../../mirror/mirror-ddl.js';

export type { SyncReport, DirectorySync } from './bitable-sync.js';

export interface DirectoryOptions {
  /** The Bitable mirror the four shared tables are read from. */
  mirror: BitableMirror;
  /** When the full sync runs (business time zone); default 5 minutes after each 10-minute reconcile. */
  syncCron?: string;
}

// A team's code names it for its people (and for settings that link to it), so a change to 团队
// re-reads those too; any other table re-reads itself.
const affected = (table: SyncTable, all: readonly SyncTable[]): SyncTable[] =>
  table === 'teams' ? all.filter((t) => t !== 'business_calendar') : [table];

/**
 * Who is who and the rules leads edit, carried from Bitable (人员与角色, 团队, 工作日历; 规则配置 and
 * each module's config table for the settings modules declare) into what the workflows read: on
 * every change people make, on a schedule (which also catches the first load of a table, never
 * announced as a change), and once at start.
 */
export function directoryModule(options: DirectoryOptions): AppModule {
  return defineModule({
    name: 'directory',
    async setup(bot, deps) {
      const log = deps.log; // already tagged with the module by the core
      const sync = createDirectorySync({
        database: deps.database,
        directory: directoryOf(deps.database),
        settings: bot.settingsStore,
        templates: await loadTemplates(TEMPLATES_DIR),
        tableName: (key) => options.mirror.tableName(key),
        log,
        timeZone: deps.config.timeZone,
        now: () => deps.clock.now(),
        tell: async (openId, key, text) => void (await deps.feishu.messages.send({ to: { openId }, key, text })),
        mark: async (table, recordId, text, key) =>
          void (await options.mirror.writeRecords(table, [{ recordId, values: { [STATUS_FIELD]: text } }], { key })),
      });
      // The tables are small: a change re-reads its whole table, which also makes replays harmless.
      const heard = new Set<string>();
      const hear = (table: string) => {
        if (heard.has(table)) return;
        heard.add(table);
        options.mirror.onChange(table, async () => void (await sync.sync(affected(table, sync.allTables()))));
      };
      for (const table of SYNC_TABLES) hear(table);
      // Modules set up after this one declare their settings later: their tables are heard as they come.
      const late = (table: string) => {
        hear(table);
        sync
          .sync([table])
          .catch((err: unknown) => log.warn({ err, table }, 'settings sync failed; the schedule retries it'));
      };
      for (const spec of bot.settingsStore.sources((added) => late(added.source!.table))) hear(spec.source!.table);
      // The sandbox's demo company, written where a real deployment keeps it and read back by the sync.
      bot.seed(async (ctx) => {
        await options.mirror.provision();
        const filled = async () =>
          (await deps.database.query(`select 1 from ${quote(options.mirror.tableName('people'))} limit 1`)).rows
            .length > 0;
        const people = await seedDemoDirectory(options.mirror, ctx, filled);
        const report = await sync.sync(['teams', 'people']);
        if (people > 0)
          ctx.log.info({ people, teams: report.teams?.upserted }, 'demo people and teams written to bitable');
      });
      // 团队.群聊ID from the group itself: `@bot 绑定 <团队>`, and a greeting that says so when the bot is added.
      const bind = {
        db: deps.database.db,
        database: deps.database,
        directory: directoryOf(deps.database),
        mirror: options.mirror,
        feishu: deps.feishu,
        cards: deps.cards,
      };
      bot.command(['绑定', 'bind'], async (ctx) => ctx.reply({ card: await bindChat(bind, ctx) }, 'bound'), {
        description: '在群里把本群绑定为团队群（组长或管理员） · Bind this group to a team (lead or admin)',
        usage: BIND_USAGE,
      });
      bot.event('im.chat.member.bot.added_v1', (ctx) => greetGroup(bind, ctx));
      bot.schedule('directory.sync', options.syncCron ?? '5-59/10 * * * *', async () => void (await sync.sync()));
      // Not awaited: start-up must not wait for it; an unprovisioned Base has empty tables, which change nothing.
      sync.sync().catch((err: unknown) => log.warn({ err }, 'directory sync at start failed; the schedule retries it'));
    },
  });
}
