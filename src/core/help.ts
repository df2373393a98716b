import { z } from 'zod';
import type { Dispatcher } from './bot.js';
import type { DomainModule } from './module.js';
import { defineModule } from './module.js';
import { createInbox } from './inbox.js';
import type { Database } from '../db/client.js';

export interface CoreModuleOptions {
  database: Database;
  /** Days a processed event stays in lark_events. */
  retentionDays: number;
}

/** The bot's own commands: help, and the prune of old inbox rows. */
export function coreModule(dispatcher: () => Dispatcher, options: CoreModuleOptions): DomainModule {
  return defineModule({
    name: 'core',
    title: '通用 General',
    setup(bot) {
      bot.command(
        ['帮助', 'help', '?', '？'],
        async (ctx) => {
          await ctx.reply({ card: dispatcher().helpCard() }, 'help');
        },
        { description: '列出所有命令 · List every command', usage: '帮助 / help' },
      );
      bot.cardAction('core.help', z.object({ action: z.literal('core.help') }), async () => ({
        card: dispatcher().helpCard(),
      }));
      bot.schedule('core.prune-events', '17 3 * * *', async (now, ctx) => {
        const deleted = await createInbox(options.database).prune(now, options.retentionDays);
        await options.database.query(`delete from core_schedule_slots where slot < $1`, [
          new Date(now.getTime() - 30 * 86_400_000),
        ]);
        ctx.log.info({ deleted }, 'old events pruned');
      });
    },
  });
}
