import { defineModule } from '../../core/module.js';
import type { AppModule } from '../../deps.js';
import { directoryOf } from '../directory/service.js';
import {
  ActValue,
  CreateValue,
  NewFormValue,
  DecisionValue,
  EscalateValue,
  FillValue,
  RequestApprovalValue,
} from './values.js';
import {
  handleAct,
  handleCreateForm,
  handleDecision,
  handleEscalate,
  handleExceptionCommand,
  handleFill,
  handleNewForm,
  handleRequestApproval,
  handleTrackingReply,
} from './handlers.js';
import { remindStaleClaims, sendDailySummary, sweep } from './jobs.js';
import { noMirror, type CaseMirror } from './mirror.js';
import { caseTableSpec, TABLE } from './bitable.js';
import type { BitableMirror, TableSeam } from '../../mirror/index.js';
import type { CaseRow, ClaimRow } from './repository.js';
import { CLAIMS_TABLE, claimTableSpec } from './claims-table.js';
import { repo } from './repository.js';
import { exceptionRoutes } from './routes.js';
import { exceptionDashboardRoutes } from './dashboard.js';
import { dashboardAccess } from '../../dashboard/access.js';
import { dashboardPrefix } from '../../dashboard/tabs.js';
import { caseNo, EFFECTS_JOB, type EffectsJob } from './service/context.js';
import { descriptionIsCut } from './card-text.js';
import { createExceptionService } from './service/index.js';
import { USAGE } from './chat-args.js';
import { declareExceptionSettings } from './settings/index.js';
import { exceptionsSeed } from './seed.js';

export type { CaseMirror, CaseChanged } from './mirror.js';
export { caseRows } from './bitable.js';
export { claimTableSpec } from './claims-table.js';
export type { ExceptionService } from './service/index.js';

export interface ExceptionsOptions {
  /** The Bitable mirror: cases are written to 异常件工单 and people's edits there come back. */
  bitable?: BitableMirror;
  /** Replaces the Bitable writer (tests). */
  mirror?: CaseMirror;
}

/** Exception parcels: refund disputes and logistics exceptions, closed within a day. */
export function exceptionsModule(options: ExceptionsOptions = {}): AppModule {
  return defineModule({
    name: 'exceptions',
    title: '异常件 Exception parcels',
    async setup(bot, deps) {
      // 异常件工单: declared once below; every committed change writes the case's row through it.
      let table: TableSeam<CaseRow> | undefined;
      let claims: TableSeam<ClaimRow> | undefined;
      const tableMirror: CaseMirror = {
        async onCaseChanged({ case: c }) {
          await table?.write(c);
          // The first write fetched the row's link: a card already showing a cut description gets it.
          if (table && !c.bitableRecordUrl && descriptionIsCut(c.description)) {
            const latest = await repo.getCase(deps.database.db, c.id);
            if (latest?.bitableRecordUrl && latest.cardMessageId)
              await exceptions.runEffects(
                { caseId: c.id, caseNo: caseNo(c.id), version: latest.version, effects: [{ type: 'card' }] },
                deps.clock.now(),
              );
          }
          // 追款: the case's claims after the case (their rows link to its row).
          if (claims) for (const claim of await repo.claimsOf(deps.database.db, [c.id])) await claims.write(claim);
        },
      };
      const caseMirror = options.mirror ?? (options.bitable ? tableMirror : noMirror);
      const exceptions = createExceptionService({
        database: deps.database,
        directory: directoryOf(deps.database),
        // Rules leads edit: 规则配置 and 异常类型配置 rows, carried in by the directory.
        settings: declareExceptionSettings(bot),
        feishu: deps.feishu,
        cards: deps.cards,
        jobs: deps.jobs,
        config: deps.config,
        log: deps.log,
        mirror: caseMirror,
      });
      if (options.bitable) {
        table = options.bitable.table(TABLE, caseTableSpec(exceptions));
        claims = options.bitable.table(CLAIMS_TABLE, claimTableSpec(deps.database.db, { withEdits: true }));
      }
      // Cases from before the stored results (or an upgrade mid-way): filled in the background at
      // start, in small transactions; the sweep repeats it, so a failure here only delays reports.
      void exceptions
        .backfillResults(deps.clock.now())
        .catch((err: unknown) => deps.log.warn({ err }, 'exception results backfill failed'));

      bot.command(['异常件', 'exception', 'exceptions'], handleExceptionCommand(exceptions), {
        description: '新建或查询异常件（退款纠纷/拒付、丢件、破损…） · Open or look up an exception case',
        usage: `${USAGE}；异常件 <订单号|快递单号|工单号> · exception <order|tracking|case no>`,
        shortcuts: [{ label: '新建异常件 New case', action: 'exceptions.new-form' }],
      });
      bot.command(['单号', '退货单号', 'tracking'], handleTrackingReply(exceptions), {
        description: '回填快递/退货单号，停止催办 · Enter a tracking or return number; stops the reminders',
        usage: '单号 [EX000001] SF1234567890123',
      });

      bot.cardAction('exceptions.create', CreateValue, handleCreateForm(exceptions));
      bot.cardAction('exceptions.new-form', NewFormValue, handleNewForm(exceptions));
      bot.cardAction('exceptions.act', ActValue, handleAct(exceptions));
      bot.cardAction('exceptions.fill', FillValue, handleFill(exceptions));
      bot.cardAction('exceptions.escalate', EscalateValue, handleEscalate(exceptions));
      bot.cardAction('exceptions.request-approval', RequestApprovalValue, handleRequestApproval(exceptions));
      bot.cardAction('exceptions.approve', DecisionValue, handleDecision(exceptions));
      bot.cardAction('exceptions.reject', DecisionValue, handleDecision(exceptions));
      bot.cardAction('exceptions.escalate-approval', DecisionValue, handleDecision(exceptions));

      bot.job<EffectsJob>(EFFECTS_JOB, (job, ctx) => exceptions.runEffects(job, ctx.now), { concurrency: 2 });

      bot.schedule('exceptions.sweep', '*/5 * * * *', async (now, ctx) => {
        const swept = await sweep(exceptions, now);
        // Only a sweep that sent something is news.
        ctx.log[swept.nudges + swept.escalations > 0 ? 'info' : 'debug'](swept, 'exceptions swept');
      });
      bot.schedule('exceptions.daily-summary', '0 9 * * *', async (now) => {
        await sendDailySummary(exceptions, now);
      });
      bot.schedule('exceptions.stale-claims', '30 9 * * *', async (now) => {
        await remindStaleClaims(exceptions, now);
      });

      if (table && !options.mirror) {
        const seam = table;
        // Cases opened before provisioning (or history) get their row, under the same per-case key.
        bot.schedule('exceptions.bitable-backfill', '*/2 * * * *', async (_now, ctx) => {
          let written = 0;
          for (const c of await repo.casesWithoutBitableRow(deps.database.db, 200)) {
            try {
              if (await seam.write(c)) written++;
            } catch (err) {
              ctx.log.warn({ err, caseId: c.id }, 'case not written to bitable; the next backfill retries');
            }
          }
          if (written > 0) ctx.log.info({ written }, 'cases written to bitable');
        });
      }

      bot.seed(exceptionsSeed(exceptions, options.bitable));
      bot.routes('/api/exceptions', exceptionRoutes(exceptions, { tokens: deps.config.apiTokens, clock: deps.clock }));
      bot.routes(
        dashboardPrefix('exceptions'),
        exceptionDashboardRoutes(exceptions, {
          access: dashboardAccess(deps.database.db),
          clock: deps.clock,
          timeZone: deps.config.timeZone,
        }),
      );
    },
  });
}

export default exceptionsModule();
