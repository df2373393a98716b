import { z } from 'zod';
import type { Dispatcher } from './bot.js';
import type { DomainModule } from './module.js';
import { defineModule } from './module.js';
import { createInbox } from './inbox.js';

/** The bot's own commands: help, and the prune of old inbox rows. */
export function coreModule(dispatcher: () => Dispatcher): DomainModule {
  return defineModule({
    name: 'core',
    title: '通用 General',
    setup(bot, deps) {
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
        const deleted = await createInbox(deps.database).prune(now, deps.config.intake.retentionDays);
        await deps.database.query(`delete from core_schedule_slots where slot < $1`, [new Date(now.getTime() - 30 * 86_400_000)]);
        ctx.log.info({ deleted }, 'old events pruned');
      });
    },
  });
}
