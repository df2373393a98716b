import type { SeedContext } from '../../core/seed.js';
import { calendarDay } from '../../core/zoned-time.js';
import { addDays } from './logic/dates.js';
import { repo } from './repository.js';
import { noMirror } from './service/context.js';
import { createContractService, type ContractService } from './service/index.js';

const DEMO = 'demo';

/**
 * The sandbox's contracts: budget lines, and contracts in every state (draft, in approval, active, expiring, expired,
 * terminated, renewed) made through the workflow itself, so the ledger and the tab agree. Nothing is sent (the demo
 * is past activity): the contract in approval is in the legal approver's 合同 待我审批. A second start adds nothing.
 */
export function contractsSeed(live: ContractService) {
  return async (ctx: SeedContext): Promise<void> => {
    // The demo is history: its follow-ups (cards, DMs, Bitable rows) are dropped, as the exceptions history does.
    const x = { ...live.deps, jobs: { send: async () => null, sendMany: async () => undefined }, mirror: noMirror };
    const svc = createContractService(x);
    const db = x.database.db;
    // With the demo's history only (tests that start the sandbox without it keep an empty ledger).
    if (!ctx.history) return;
    if ((await x.database.query('select 1 from contracts_contracts limit 1')).rows.length > 0) return;
    const now = ctx.now;
    const today = calendarDay(now, x.config.timeZone);
    const year = Number(today.slice(0, 4));
    const of = (role: string) => ctx.tenant.people.find((p) => p.role === role)?.openId;
    const owner = of('warehouse') ?? ctx.tenant.people[0]?.openId;
    if (!owner) return;

    const line = (code: string, name: string, department: string, category: 'logistics' | 'marketing', yuan: number) =>
      repo.upsertBudget(db, {
        code,
        name,
        department,
        periodStart: `${year}-01-01`,
        periodEnd: `${year}-12-31`,
        amountFen: yuan * 100,
        fiscalYear: year,
        category,
        ownerOpenId: of('finance') ?? null,
      });
    await line(`LOG-${year}`, `${year} 物流快递`, 'logistics', 'logistics', 1_200_000);
    await line(`MKT-${year}`, `${year} 市场推广`, 'marketing', 'marketing', 800_000);

    const make = (title: string, counterparty: string, type: string, yuan: number, start: string, end: string) =>
      svc.create(
        {
          source: DEMO,
          externalId: title,
          title,
          counterparty,
          type,
          amountFen: yuan * 100,
          currency: 'CNY',
          startDate: start,
          endDate: end,
          noticeDays: 30,
          ownerOpenId: owner,
          department: type === 'marketing' ? 'marketing' : 'logistics',
          budgetCode: type === 'marketing' ? `MKT-${year}` : `LOG-${year}`,
          submit: false,
        },
        now,
      );
    /** Submits a draft and decides every step as its approver (reject: the first step says no). */
    const decideAll = async (id: number, decision: 'approve' | 'reject') => {
      await svc.resubmit(id, null, owner, now);
      for (let i = 0; i < 6; i++) {
        const c = await svc.get(id);
        if (c.state !== 'in_approval') return;
        const step = (await repo.steps(db, c.id, c.round)).find((s) => s.decision === 'pending');
        if (!step?.approverOpenId) return;
        await svc.decide(
          step.id,
          decision,
          decision === 'reject' ? '价格高于市场水平 · Above market price' : undefined,
          step.approverOpenId,
          now,
        );
      }
    };
    const lastYear = `${year - 1}-01-01`;
    await make('仓储外包框架协议（草稿）', '上海仓联物流有限公司', 'logistics', 120_000, today, addDays(today, 365));
    const inApproval = await make(
      '直播达人推广合作',
      '杭州星火传媒有限公司',
      'marketing',
      80_000,
      today,
      addDays(today, 180),
    );
    await svc.resubmit(inApproval.contract.id, null, owner, now);
    const active = await make(
      '2026 年度快递服务合同',
      '顺丰速运有限公司',
      'logistics',
      300_000,
      today,
      addDays(today, 365),
    );
    await decideAll(active.contract.id, 'approve');
    const expiring = await make(
      '同城配送服务合同',
      '达达快送有限公司',
      'logistics',
      60_000,
      lastYear,
      addDays(today, 20),
    );
    await decideAll(expiring.contract.id, 'approve');
    const expired = await make(
      '春节促销物料采购',
      '义乌小商品有限公司',
      'logistics',
      20_000,
      lastYear,
      addDays(today, -3),
    );
    await decideAll(expired.contract.id, 'approve');
    const rejected = await make(
      '高价宣传片拍摄',
      '北京光影文化有限公司',
      'marketing',
      150_000,
      today,
      addDays(today, 90),
    );
    await decideAll(rejected.contract.id, 'reject');
    const renewed = await make('冷链运输合同', '京东物流有限公司', 'logistics', 90_000, lastYear, addDays(today, 10));
    await decideAll(renewed.contract.id, 'approve');
    // The expiry sweep moves them (expiring, expired); 续签 starts the renewal, approved, the old one is 已续签.
    await svc.sweepExpiry(now);
    const renewal = await svc.chooseRenewal(renewed.contract.id, null, 'renew', owner, now);
    if (renewal.renewal) await decideAll(renewal.renewal.id, 'approve');
    ctx.log.info('demo contracts seeded');
  };
}
