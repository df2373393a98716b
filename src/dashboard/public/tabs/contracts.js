// 合同 Contracts tab: GET /api/dashboard/contracts/summary and /payment-months (src/domains/contracts/dashboard.ts).
import { chart, chartBox, esc, kpis, panel, pct, table, yuan } from '../ui.js';
import { budgetOption, concentrationOption, paymentMonthsOption } from './contracts-charts.js';

const STATES = { active: '履行中 Active', expiring: '即将到期 Expiring' };
const ROLES = {
  legal: '法务 Legal',
  risk_override: '风控特批 Risk override',
  finance: '财务 Finance',
  manager: '主管 Manager',
  general_manager: '总经理 CEO',
};
const daysTo = (today, day) => Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 864e5);

function tiles(r) {
  const soon = r.expiringSoon.filter((c) => daysTo(r.today, c.endDate) <= 30).length;
  const top = r.concentration[0];
  return [
    {
      metric: 'expiring',
      label: ['即将到期', 'Expiring soon'],
      value: String(r.expiringSoon.length),
      hint: `30 天内 ${soon} 份 · within 30 days`,
      tone: soon > 0 ? 'warn' : '',
      definition: r.definitions.expiring,
    },
    {
      metric: 'in-approval',
      label: ['审批中', 'In approval'],
      value: String(r.inApproval.length),
      hint: yuan(r.inApproval.reduce((s, c) => s + c.amountFen, 0)),
      definition: r.definitions.inApproval,
    },
    {
      metric: 'budget-usage',
      label: ['预算使用率', 'Budget usage'],
      value: pct(r.budgetUsage),
      hint: `${r.budgets.length} 个预算 · budgets`,
      tone: r.budgetUsage !== null && r.budgetUsage >= 0.9 ? 'bad' : r.budgetUsage >= 0.7 ? 'warn' : '',
      definition: r.definitions.budget,
    },
    {
      metric: 'top-counterparty',
      label: ['最大相对方占比', 'Top counterparty'],
      value: top ? pct(top.share) : '—',
      hint: top ? top.counterparty : '',
      definition: r.definitions.concentration,
    },
  ];
}

/** 付款计划月报: the monthly chart over the period and, per budget line, its totals. */
function paymentMonthsPanel(view, m) {
  const period = `${m.months[0]} → ${m.months.at(-1)}`;
  return panel({
    title: ['付款计划与实付（按月）', `Planned vs paid by month · ${period}`],
    definition: m.definition,
    link: view.link('contract_payments', 'all'),
    testid: 'contracts-payment-months',
    wide: true,
    body: `${chartBox('chart-payment-months')}${table(
      [
        ['预算', 'Budget line'],
        ['部门', 'Department'],
        ['计划', 'Planned'],
        ['已付', 'Paid'],
        ['逾期', 'Overdue'],
        ['未排期', 'Unscheduled'],
      ],
      m.byBudget.map((l) => [
        `${esc(l.label)}${l.key.startsWith('dept:') ? '' : `<br><small>${esc(l.key)}</small>`}`,
        esc(l.department),
        yuan(l.plannedFen),
        yuan(l.paidFen),
        l.overdueFen > 0 ? `<strong>${yuan(l.overdueFen)}</strong>` : yuan(0),
        yuan(l.unscheduledFen),
      ]),
      '本期没有付款 · No payments in the period',
    )}`,
  });
}

export default {
  filters: ['team'],

  async render(view) {
    const [r, months] = await Promise.all([view.api('summary'), view.api('payment-months')]);
    view.el.innerHTML = `${kpis(tiles(r))}<div class="grid">
      ${panel({
        title: ['即将到期', 'Expiring soon'],
        definition: r.definitions.expiring,
        link: view.link('contracts', 'expiring_30d'),
        testid: 'contracts-expiring',
        body: table(
          [
            ['编号', 'No.'],
            ['合同', 'Contract'],
            ['到期', 'Ends'],
            ['剩余', 'Left'],
          ],
          r.expiringSoon.map((c) => [
            esc(c.contractNo),
            `${esc(c.title)}<br><small>${esc(c.counterparty)} · ${esc(STATES[c.state] ?? c.state)}</small>`,
            esc(c.endDate),
            `${daysTo(r.today, c.endDate)} 天`,
          ]),
          '无 · None',
        ),
      })}
      ${panel({
        title: ['审批中', 'In approval'],
        definition: r.definitions.inApproval,
        link: view.link('contracts', 'in_approval'),
        testid: 'contracts-in-approval',
        body: table(
          [
            ['编号', 'No.'],
            ['合同', 'Contract'],
            ['金额', 'Amount'],
            ['待审环节', 'Waiting on'],
          ],
          r.inApproval.map((c) => [
            esc(c.contractNo),
            esc(c.title),
            yuan(c.amountFen),
            esc(ROLES[c.waitingOn] ?? c.waitingOn ?? '—'),
          ]),
          '无 · None',
        ),
      })}
      ${panel({
        title: ['预算已用与剩余', 'Budget used and left'],
        definition: r.definitions.budget,
        link: view.link('budgets', 'all'),
        body: chartBox('chart-budgets'),
      })}
      ${panel({
        title: ['相对方金额占比', 'Share of contract value by counterparty'],
        definition: r.definitions.concentration,
        link: view.link('counterparties', 'all'),
        body: chartBox('chart-concentration'),
      })}
      ${panel({
        title: ['预算使用', 'Budget usage'],
        definition: r.definitions.budget,
        link: view.link('budgets', 'all'),
        testid: 'contracts-budgets',
        body: table(
          [
            ['预算', 'Budget'],
            ['金额', 'Amount'],
            ['剩余', 'Left'],
            ['使用率', 'Usage'],
          ],
          r.budgets.map((b) => [
            `${esc(b.name)}<br><small>${esc(b.code)}</small>`,
            yuan(b.amountFen),
            yuan(b.leftFen),
            pct(b.usage),
          ]),
          '暂无预算 · No budgets',
        ),
      })}
      ${panel({
        title: ['相对方集中度', 'Counterparty concentration'],
        definition: r.definitions.concentration,
        link: view.link('counterparties', 'all'),
        testid: 'contracts-concentration',
        body: table(
          [
            ['相对方', 'Counterparty'],
            ['合同', 'Contracts'],
            ['金额', 'Amount'],
            ['占比', 'Share'],
          ],
          r.concentration.map((c) => [esc(c.counterparty), String(c.contracts), yuan(c.totalFen), pct(c.share)]),
          '无 · None',
        ),
      })}
      ${paymentMonthsPanel(view, months)}
    </div>`;
    chart('chart-payment-months', paymentMonthsOption(months));
    chart('chart-budgets', budgetOption(r.budgets));
    chart('chart-concentration', concentrationOption(r.concentration));
    view.updated(r.generatedAt);
  },
};
