import { defineModule } from '../../core/module.js';
import type { AppModule, Deps } from '../../deps.js';
import type { BitableMirror, TableSeam } from '../../mirror/index.js';
import { directoryOf } from '../directory/service.js';
import { contractRows, TABLE } from './bitable.js';
import {
  handleContractCommand,
  handleCreateForm,
  handleDecide,
  handlePaymentDecide,
  handleRenewal,
  handleResubmit,
  handleShortcut,
  handleWithdraw,
  USAGE,
} from './handlers.js';
import { repo, type BudgetRow, type ContractRow, type CounterpartyRow, type PaymentRow } from './repository.js';
import { BUDGET_TABLE, BUDGET_TOTALS, budgetTableSpec } from './grid/budgets.js';
import { PAYMENT_TABLE, paymentTableSpec } from './grid/payments.js';
import { COUNTERPARTY_TABLE, counterpartyTableSpec, type GridDeps } from './grid/counterparties.js';
import { providerOf, registrationChecker, type RiskProvider } from './risk/index.js';
import { dashboardAccess } from '../../dashboard/access.js';
import { dashboardPrefix } from '../../dashboard/tabs.js';
import { contractDashboardRoutes } from './dashboard.js';
import { contractRoutes } from './routes.js';
import { BUDGET_ALERT_JOB } from './service/budget-alerts.js';
import type { BudgetAlert } from './service/budget-crossings.js';
import { EFFECTS_JOB, noMirror, type ContractMirror, type EffectsJob } from './service/context.js';
import { createContractService, type ContractService } from './service/index.js';
import { contractsSeed } from './seed.js';
import { declareContractSettings, type ContractSettings } from './settings/index.js';
import {
  CreateValue,
  DecideValue,
  ExpiringValue,
  MyApprovalsValue,
  NewFormValue,
  PaymentDecideValue,
  RenewalValue,
  ResubmitValue,
  TerminateBackValue,
  TerminateFormValue,
  TerminateValue,
  WithdrawValue,
} from './values.js';
import { handleTerminate, handleTerminateBack, handleTerminateForm } from './terminate-handlers.js';

export { contractRows } from './bitable.js';
export { declareContractGrids } from './grid/declare.js';
export type { ContractService } from './service/index.js';
export type { ContractMirror } from './service/context.js';

export interface ContractsOptions {
  /** The Bitable mirror: contracts are written to 合同台账 through the mirror.table seam. */
  bitable?: BitableMirror;
  /** Replaces the Bitable writer (tests). */
  mirror?: ContractMirror;
  /** Replaces the registration provider the `contracts.risk` setting names (tests). */
  riskProvider?: RiskProvider;
  /** Where the HTTP provider's key is read (default: the process environment). */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The contract service as the module wires it — the app's dependencies, the module's settings, the registration
 * checker with its cache — for the module and for anything that needs the same service outside it (bench probes).
 */
export function buildContractService(
  deps: Deps,
  settings: ContractSettings,
  o: { mirror?: ContractMirror; riskProvider?: RiskProvider; env?: Readonly<Record<string, string | undefined>> } = {},
): ContractService {
  const env = o.env ?? process.env;
  return createContractService({
    database: deps.database,
    directory: directoryOf(deps.database),
    settings,
    feishu: deps.feishu,
    cards: deps.cards,
    jobs: deps.jobs,
    config: deps.config,
    log: deps.log,
    mirror: o.mirror ?? noMirror,
    registration: registrationChecker(
      deps,
      async () => (await settings.snapshot()).get(settings.risk),
      (p) => o.riskProvider ?? providerOf(p, env),
    ),
  });
}

/** Contract lifecycle: the ledger, approval chains, counterparty risk, expiry and renewal, budgets and payments. */
export function contractsModule(options: ContractsOptions = {}): AppModule {
  return defineModule({
    name: 'contracts',
    title: '合同 Contracts',
    setup(bot, deps) {
      let table: TableSeam<ContractRow> | undefined;
      let parties: TableSeam<CounterpartyRow> | undefined;
      let budgets: TableSeam<BudgetRow> | undefined;
      let payments: TableSeam<PaymentRow> | undefined;
      const tableMirror: ContractMirror = {
        async onChanged(c) {
          // The counterparty's 相对方 row first, so the contract's row can link to it.
          const cp = await repo.counterparty(deps.database.db, c.counterpartyId);
          if (cp && !cp.bitableRecordId) await parties?.write(cp);
          await table?.write(c);
        },
        async onBudgetChanged(budgetId) {
          const b = await repo.budget(deps.database.db, budgetId);
          if (b) await budgets?.write(b, { only: BUDGET_TOTALS });
        },
        async onPaymentChanged(paymentId) {
          const p = await repo.payment(deps.database.db, paymentId);
          if (!p || !payments) return;
          // The contract's 合同台账 row (and the budget's 预算 row) first, so the payment's row can link to them.
          const c = await repo.get(deps.database.db, p.contractId);
          if (c && !c.bitableRecordId) await tableMirror.onChanged(c);
          const b = p.budgetId ? await repo.budget(deps.database.db, p.budgetId) : undefined;
          if (b && !b.bitableRecordId) await budgets?.write(b);
          await payments.write(p);
        },
      };
      const settings = declareContractSettings(bot);
      const contracts = buildContractService(deps, settings, {
        mirror: options.mirror ?? (options.bitable ? tableMirror : noMirror),
        ...(options.riskProvider ? { riskProvider: options.riskProvider } : {}),
        ...(options.env ? { env: options.env } : {}),
      });
      if (options.bitable) {
        table = options.bitable.table(TABLE, contractRows(deps.database.db, deps.config.timeZone));
        const grid: GridDeps = {
          db: deps.database.db,
          timeZone: deps.config.timeZone,
          tell: async (openId, key, text) => void (await deps.feishu.messages.send({ to: { openId }, key, text })),
          changeBudget: (change) => contracts.changeBudget(change),
        };
        parties = options.bitable.table(COUNTERPARTY_TABLE, counterpartyTableSpec(grid));
        budgets = options.bitable.table(BUDGET_TABLE, budgetTableSpec(grid));
        payments = options.bitable.table(PAYMENT_TABLE, paymentTableSpec(deps.database.db, deps.config.timeZone));
      }

      bot.seed(contractsSeed(contracts));

      bot.command(['合同', 'contract', 'contracts'], handleContractCommand(contracts), {
        description:
          '新建、查询、终止、撤回合同，查看待我审批 · New contract, look up by counterparty or number, terminate, ' +
          'withdraw, my approvals',
        usage: USAGE,
        shortcuts: [
          { label: '新建合同 New contract', action: 'contracts.new-form' },
          { label: '待我审批 My approvals', action: 'contracts.my-approvals' },
          { label: '下月到期 Expiring next month', action: 'contracts.expiring-next-month' },
        ],
      });
      bot.cardAction('contracts.new-form', NewFormValue, handleShortcut(contracts, 'form'));
      bot.cardAction('contracts.my-approvals', MyApprovalsValue, handleShortcut(contracts, '待我审批'));
      bot.cardAction('contracts.expiring-next-month', ExpiringValue, handleShortcut(contracts, '下月到期'));
      bot.cardAction('contracts.create', CreateValue, handleCreateForm(contracts));
      bot.cardAction('contracts.decide', DecideValue, handleDecide(contracts));
      bot.cardAction('contracts.resubmit', ResubmitValue, handleResubmit(contracts));
      bot.cardAction('contracts.renewal', RenewalValue, handleRenewal(contracts));
      bot.cardAction('contracts.withdraw', WithdrawValue, handleWithdraw(contracts));
      bot.cardAction('contracts.terminate-form', TerminateFormValue, handleTerminateForm(contracts));
      bot.cardAction('contracts.terminate', TerminateValue, handleTerminate(contracts));
      bot.cardAction('contracts.terminate-back', TerminateBackValue, handleTerminateBack(contracts));
      bot.cardAction('contracts.payment-decide', PaymentDecideValue, handlePaymentDecide(contracts));

      bot.job<EffectsJob>(EFFECTS_JOB, (job, ctx) => contracts.runEffects(job, ctx.now), { concurrency: 2 });
      bot.job<BudgetAlert>(BUDGET_ALERT_JOB, (alert) => contracts.tellBudgetOwner(alert));
      bot.schedule('contracts.expiry', '0 9 * * *', async (now, ctx) => {
        ctx.log.info(await contracts.sweepExpiry(now), 'contracts expiry swept');
      });
      // Hourly: the sweep itself only acts inside working hours of the business calendar.
      bot.schedule('contracts.approval-reminders', '20 * * * *', async (now, ctx) => {
        const r = await contracts.sweepApprovals(now);
        if (r.reminded > 0 || r.escalated > 0) ctx.log.info(r, 'contract approvals reminded');
      });

      const routeOptions = { tokens: deps.config.apiTokens, clock: deps.clock, timeZone: deps.config.timeZone };
      bot.routes('/api/contracts', contractRoutes(contracts, routeOptions));
      bot.routes(
        dashboardPrefix('contracts'),
        contractDashboardRoutes(contracts, { access: dashboardAccess(deps.database.db), clock: deps.clock }),
      );
    },
  });
}
