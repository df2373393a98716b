import { AppError, PermanentError } from '../../core/errors.js';
import { defineModule, type DomainModule } from '../../core/module.js';
import { createDirectory } from '../directory/service.js';
import {
  ActValue,
  CreateValue,
  DecisionValue,
  EscalateValue,
  FillValue,
  RequestApprovalValue,
  handleAct,
  handleCreateForm,
  handleDecision,
  handleEscalate,
  handleExceptionCommand,
  handleFill,
  handleRequestApproval,
  handleTrackingReply,
} from './handlers.js';
import { remindStaleClaims, sendDailySummary, sweep } from './jobs.js';
import { BitableCaseEdit, noMirror, type CaseMirror } from './mirror.js';
import { bitableCaseMirror, CaseTable, onCaseRowChanged, TABLE } from './bitable.js';
import { loadTemplates } from '../../bitable/load-templates.js';
import { TEMPLATES_DIR } from '../../mirror/mirror-context.js';
import type { BitableMirror } from '../../mirror/index.js';
import { exceptionRoutes } from './routes.js';
import { EFFECTS_JOB, type EffectsJob } from './service/context.js';
import { createExceptionService } from './service/index.js';
import { USAGE } from './chat-args.js';

export type { CaseMirror, CaseChanged, BitableCaseEdit } from './mirror.js';
export type { ExceptionService } from './service/index.js';

export interface ExceptionsOptions {
  /** The Bitable mirror: cases are written to 异常件工单 and people's edits there come back. */
  bitable?: BitableMirror;
  /** Replaces the Bitable writer (tests). */
  mirror?: CaseMirror;
}

/** Exception parcels: refund disputes and logistics exceptions, closed within a day. */
export function exceptionsModule(options: ExceptionsOptions = {}): DomainModule {
  return defineModule({
    name: 'exceptions',
    title: '异常件 Exception parcels',
    async setup(bot, deps) {
      const table = options.bitable ? new CaseTable((await loadTemplates(TEMPLATES_DIR)).table(TABLE)) : undefined;
      const bitableWriter = options.bitable && table ? bitableCaseMirror(options.bitable, table, deps) : undefined;
      const caseMirror = options.mirror ?? bitableWriter ?? noMirror;
      const exceptions = createExceptionService({
        database: deps.database,
        directory: createDirectory({ db: deps.db }),
        feishu: deps.feishu,
        cards: deps.cards,
        jobs: deps.jobs,
        config: deps.config,
        log: deps.log,
        mirror: caseMirror,
      });
      if (options.bitable && table) options.bitable.onChange(TABLE, onCaseRowChanged(exceptions, table, deps));

      bot.command(['异常件', 'exception', 'exceptions'], handleExceptionCommand(exceptions), {
        description: '新建或查询异常件（退款维权、丢件、破损…） · Open or look up an exception case',
        usage: `${USAGE}；异常件 <订单号|快递单号|工单号> · exception <order|tracking|case no>`,
      });
      bot.command(['单号', '退货单号', 'tracking'], handleTrackingReply(exceptions), {
        description: '回填快递/退货单号，停止催办 · Enter a tracking or return number; stops the reminders',
        usage: '单号 [EX000001] SF1234567890123',
      });

      bot.cardAction('exceptions.create', CreateValue, handleCreateForm(exceptions));
      bot.cardAction('exceptions.act', ActValue, handleAct(exceptions));
      bot.cardAction('exceptions.fill', FillValue, handleFill(exceptions));
      bot.cardAction('exceptions.escalate', EscalateValue, handleEscalate(exceptions));
      bot.cardAction('exceptions.request-approval', RequestApprovalValue, handleRequestApproval(exceptions));
      bot.cardAction('exceptions.approve', DecisionValue, handleDecision(exceptions));
      bot.cardAction('exceptions.reject', DecisionValue, handleDecision(exceptions));
      bot.cardAction('exceptions.escalate-approval', DecisionValue, handleDecision(exceptions));

      bot.job<EffectsJob>(EFFECTS_JOB, (job, ctx) => exceptions.runEffects(job, ctx.now), { concurrency: 2 });
      // The Bitable seam: the mirror sends decoded edits here (`deps.jobs.send('exceptions.bitable-edit', edit)`).
      bot.job<object>('exceptions.bitable-edit', async (data, ctx) => {
        const edit = BitableCaseEdit.safeParse(data);
        if (!edit.success) throw new PermanentError(`bad bitable edit: ${edit.error.issues[0]?.message}`);
        try {
          await exceptions.applyBitableEdit(edit.data, ctx.now);
        } catch (err) {
          if (err instanceof AppError) throw new PermanentError(err.message);
          throw err;
        }
      });

      bot.schedule('exceptions.sweep', '*/5 * * * *', async (now, ctx) => {
        ctx.log.info(await sweep(exceptions, now), 'exceptions swept');
      });
      bot.schedule('exceptions.daily-summary', '0 9 * * *', async (now) => {
        await sendDailySummary(exceptions, now);
      });
      bot.schedule('exceptions.stale-claims', '30 9 * * *', async (now) => {
        await remindStaleClaims(exceptions, now);
      });

      if (bitableWriter && !options.mirror) {
        bot.schedule('exceptions.bitable-backfill', '*/2 * * * *', async (_now, ctx) => {
          const written = await bitableWriter.backfill();
          if (written > 0) ctx.log.info({ written }, 'cases written to bitable');
        });
      }

      bot.routes('/api/exceptions', exceptionRoutes(exceptions, { tokens: deps.config.apiTokens, clock: deps.clock }));
    },
  });
}

export default exceptionsModule();
