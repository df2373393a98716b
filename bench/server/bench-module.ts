import { z } from 'zod';
import { ForbiddenError, ConflictError } from '../../src/core/errors.js';
import { defineModule } from '../../src/core/module.js';
import type { AppModule } from '../../src/deps.js';
import { createDirectory } from '../../src/domains/directory/service.js';

export const BENCH_OPERATOR = 'ou_bench_operator';
export const BENCH_TICKETS = 200;

const FlipTicket = z.object({ action: z.literal('bench.flip'), ticket: z.number().int().min(0) });

/**
 * A card action shaped like the workflows' approve buttons, until they land: authorize the
 * operator from the directory, change a row's state conditionally in one transaction, answer
 * with the new card. No Feishu call inside.
 */
export function benchModule(): AppModule {
  return defineModule({
    name: 'bench',
    async setup(bot, deps) {
      await deps.database
        .exec(`create table if not exists bench_tickets (id int primary key, state text not null, flips int not null
  default 0);
        insert into bench_tickets (id, state) select g, 'open' from generate_series(0, ${BENCH_TICKETS - 1}) g on
          conflict do nothing;`);
      const directory = createDirectory({ db: deps.database.db });
      await directory.upsertPeople([
        { openId: BENCH_OPERATOR, name: '压测员 Bench', roles: ['lead'], teams: ['customer_service'] },
      ]);

      bot.cardAction('bench.flip', FlipTicket, async (ctx) => {
        const person = await directory.person(ctx.operator.openId);
        if (!person?.roles.includes('lead')) throw new ForbiddenError();
        const state = await deps.database.transaction(async (tx) => {
          const { rows } = await tx.query<{ state: string }>('select state from bench_tickets where id = $1', [
            ctx.value.ticket,
          ]);
          const from = rows[0]?.state;
          const to = from === 'open' ? 'closed' : 'open';
          const updated = await tx.query<{ state: string }>(
            'update bench_tickets set state = $2, flips = flips + 1 where id = $1 and state = $3 returning state',
            [ctx.value.ticket, to, from],
          );
          if (updated.rows.length === 0) throw new ConflictError('已被他人处理 · Someone else changed it first');
          return to;
        });
        return {
          toast: { type: 'success', content: `已更新 · Updated: ${state}` },
          card: deps.cards.render('core/hint', {
            text: `工单 Ticket ${ctx.value.ticket}: ${state}`,
            suggestion: `由 ${person.name} 操作 · by ${person.name}`,
          }),
        };
      });
    },
  });
}
