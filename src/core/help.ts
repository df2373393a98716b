import { z } from 'zod';
import type { Dispatcher } from './bot.js';
import type { DomainModule } from './module.js';
import { defineModule } from './module.js';

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
        const { rows } = await deps.database.query<{ n: number }>(
          `with gone as (delete from lark_events where received_at < $1 and status in ('done','ignored','dead') returning 1)
           select count(*)::int as n from gone`,
          [new Date(now.getTime() - deps.config.intake.retentionDays * 86_400_000)],
        );
        await deps.database.query(`delete from core_schedule_slots where slot < $1`, [new Date(now.getTime() - 30 * 86_400_000)]);
        ctx.log.info({ deleted: rows[0]?.n ?? 0 }, 'old events pruned');
      });
    },
  });
}
