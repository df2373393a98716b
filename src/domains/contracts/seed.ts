import type { SeedContext } from '../../core/seed.js';
import { calendarDay } from '../../core/zoned-time.js';
import { addDays } from './logic/dates.js';
import { repo } from './repository.js';
import { noMirror } from './service/context.js';
import { createContractService, type ContractService } from './service/index.js';

const DEMO = 'demo';

/** What happens to a demo contract after it is made: left a draft, sent into approval, approved or rejected. */
type Outcome = 'draft' | 'in_approval' | 'approved' | 'rejected';

/** A payment against a demo contract, `days` from today (clamped into the budget year): paid when in the past. */
interface DemoPayment {
  yuan: number;
  days: number;
}

interface DemoContract {
  title: string;
  counterparty: string;
  type: 'logistics' | 'marketing';
  yuan: number;
  /** Started today, or on 1 January last year. */
  since: 'today' | 'last_year';
  /** Ends this many days from today. */
  endsIn: number;
  outcome: Outcome;
  payments?: DemoPayment[];
  /** 续签 after the expiry sweep, and the renewal approved (the contract becomes 已续签). */
  renew?: boolean;
}

/**
 * The demo ledger, one row per contract. Its payments are charged to the budget lines through the same requests and
 * "paid" reports finance's system sends, so 预算 and the dashboard show real usage; the expiry sweep then moves the
 * ending ones (the expired one gives back what its payments did not use).
 */
const DEMO_CONTRACTS: readonly DemoContract[] = [
  {
    title: '仓储外包框架协议（草稿）',
    counterparty: '上海仓联物流有限公司',
    type: 'logistics',
    yuan: 120_000,
    since: 'today',
    endsIn: 365,
    outcome: 'draft',
  },
  {
    title: '直播达人推广合作',
    counterparty: '杭州星火传媒有限公司',
    type: 'marketing',
    yuan: 80_000,
    since: 'today',
    endsIn: 180,
    outcome: 'in_approval',
  },
  {
    title: '2026 年度快递服务合同',
    counterparty: '顺丰速运有限公司',
    type: 'logistics',
    yuan: 300_000,
    since: 'today',
    endsIn: 365,
    outcome: 'approved',
    payments: [
      { yuan: 60_000, days: -20 },
      { yuan: 60_000, days: 10 },
      { yuan: 60_000, days: 40 },
    ],
  },
  {
    title: '同城配送服务合同',
    counterparty: '达达快送有限公司',
    type: 'logistics',
    yuan: 60_000,
    since: 'last_year',
    endsIn: 20,
    outcome: 'approved',
    payments: [
      { yuan: 30_000, days: -45 },
      { yuan: 15_000, days: 5 },
    ],
  },
  {
    title: '春节促销物料采购',
    counterparty: '义乌小商品有限公司',
    type: 'logistics',
    yuan: 20_000,
    since: 'last_year',
    endsIn: -3,
    outcome: 'approved',
    payments: [{ yuan: 12_000, days: -30 }],
  },
  {
    title: '高价宣传片拍摄',
    counterparty: '北京光影文化有限公司',
    type: 'marketing',
    yuan: 150_000,
    since: 'today',
    endsIn: 90,
    outcome: 'rejected',
  },
  {
    title: '冷链运输合同',
    counterparty: '京东物流有限公司',
    type: 'logistics',
    yuan: 90_000,
    since: 'last_year',
    endsIn: 10,
    outcome: 'approved',
    payments: [{ yuan: 40_000, days: -60 }],
    renew: true,
  },
  {
    title: '双十一站外投放',
    counterparty: '上海巨量引擎广告有限公司',
    type: 'marketing',
    yuan: 200_000,
    since: 'today',
    endsIn: 120,
    outcome: 'approved',
    payments: [
      { yuan: 90_000, days: -10 },
      { yuan: 50_000, days: 20 },
    ],
  },
];

/**
 * The sandbox's contracts: budget lines, and contracts in every state (draft, in approval, active, expiring, expired,
 * terminated, renewed) with their payments, made through the workflow itself, so the ledger, 预算 and the tab agree.
 * Nothing is sent (the demo is past activity): the contract in approval is in the legal approver's 合同 待我审批. A
 * second start adds nothing.
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

    const code = (type: DemoContract['type']) => (type === 'marketing' ? `MKT-${year}` : `LOG-${year}`);
    for (const [type, name, yuan] of [
      ['logistics', `${year} 物流快递`, 1_200_000],
      ['marketing', `${year} 市场推广`, 800_000],
    ] as const)
      await repo.upsertBudget(db, {
        code: code(type),
        name,
        department: type,
        periodStart: `${year}-01-01`,
        periodEnd: `${year}-12-31`,
        amountFen: yuan * 100,
        fiscalYear: year,
        category: type,
        ownerOpenId: of('finance') ?? null,
      });

    /** Submits a draft and decides every step as its approver (reject: the first step says no). */
    const decideAll = async (id: number, decision: 'approve' | 'reject') => {
      await svc.resubmit(id, null, owner, now);
      for (let i = 0; i < 6; i++) {
        const c = await svc.get(id);
        if (c.state !== 'in_approval') return;
        const step = (await repo.steps(db, c.id, c.round)).find((s) => s.decision === 'pending');
        if (!step?.approverOpenId) return;
        const reason = decision === 'reject' ? '价格高于市场水平 · Above market price' : undefined;
        await svc.decide(step.id, decision, reason, step.approverOpenId, now);
      }
    };
    // Inside the budget year: a line takes no payment dated outside its period.
    const dayIn = (days: number) => {
      const d = addDays(today, days);
      return d < `${year}-01-01` ? `${year}-01-01` : d > `${year}-12-31` ? `${year}-12-31` : d;
    };
    const renewals: number[] = [];
    for (const d of DEMO_CONTRACTS) {
      const { contract } = await svc.create(
        {
          source: DEMO,
          externalId: d.title,
          title: d.title,
          counterparty: d.counterparty,
          type: d.type,
          amountFen: d.yuan * 100,
          currency: 'CNY',
          startDate: d.since === 'today' ? today : `${year - 1}-01-01`,
          endDate: addDays(today, d.endsIn),
          noticeDays: 30,
          ownerOpenId: owner,
          department: d.type,
          budgetCode: code(d.type),
          submit: false,
        },
        now,
      );
      if (d.outcome === 'in_approval') await svc.resubmit(contract.id, null, owner, now);
      if (d.outcome === 'approved' || d.outcome === 'rejected')
        await decideAll(contract.id, d.outcome === 'approved' ? 'approve' : 'reject');
      for (const [i, p] of (d.payments ?? []).entries()) {
        const plannedDate = dayIn(p.days);
        const { payment } = await svc.requestPayment(
          contract.id,
          { amountFen: p.yuan * 100, plannedDate, externalId: `demo-${i + 1}` },
          owner,
          now,
        );
        if (p.days < 0 && payment.state === 'approved') await svc.markPaid(payment.id, plannedDate, now);
      }
      if (d.renew) renewals.push(contract.id);
    }
    // The expiry sweep moves them (expiring, expired); 续签 starts the renewal, approved, the old one is 已续签.
    await svc.sweepExpiry(now);
    for (const id of renewals) {
      const renewal = await svc.chooseRenewal(id, null, 'renew', owner, now);
      if (renewal.renewal) await decideAll(renewal.renewal.id, 'approve');
    }
    ctx.log.info('demo contracts seeded');
  };
}
