// 异常件 Exceptions tab: GET /api/dashboard/exceptions/report (src/domains/exceptions/dashboard.ts).
import { chart, chartBox, esc, kpis, panel, pct, table, yuan } from '../ui.js';
import { moneyOption, openByAgeOption, timeByStateOption } from './exceptions-charts.js';

const COUNTERPARTIES = {
  carrier: '承运商 Carrier',
  platform: '平台 Platform',
  customer: '客户 Customer',
  supplier: '供应商 Supplier',
  other: '其他 Other',
};
const hours = (m) => (m === null || m === undefined ? '—' : `${(m / 60).toFixed(1)} h`);

function tiles(r) {
  const cycle = r.cycleTime;
  const cycleTone = cycle.medianMinutes === null ? '' : cycle.medianMinutes <= cycle.targetMinutes ? 'good' : 'bad';
  return [
    {
      metric: 'open',
      label: ['在办', 'Open'],
      value: String(r.openCount),
      hint: `超时 ${r.sla.openBreached} 件 · overdue`,
      tone: r.sla.openBreached > 0 ? 'warn' : '',
      definition:
        '现在仍未办结的异常件（不论何时创建）。超时：已过 SLA 截止时间。Cases not finished now, whenever opened; overdue: past their SLA due time.',
    },
    {
      metric: 'sla',
      label: ['SLA 达成', 'Attainment'],
      value: pct(r.sla.attainment),
      hint: `${r.sla.met}/${r.sla.finished} 件按时 · on time`,
      tone: r.sla.attainment !== null && r.sla.attainment < 0.9 ? 'warn' : 'good',
      definition:
        '期间内创建且已办结的异常件中，在 SLA 截止前办结的比例（按工作时间计）。Of the cases opened in the period and finished, the share ' +
        'finished before their SLA due time (business hours).',
    },
    {
      metric: 'cycle',
      label: ['处理时长中位数', 'Median cycle'],
      value: hours(cycle.medianMinutes),
      hint: `P90 ${hours(cycle.p90Minutes)} · 目标 target ${cycle.targetMinutes / 60} h`,
      tone: cycleTone,
      definition:
        '期间内创建且已办结的异常件，从创建到办结的时长中位数（自然时间）。Median time from opening to finishing, of the cases opened in the ' +
        'period and finished (wall-clock).',
    },
    {
      metric: 'within-day',
      label: ['一天内办结', 'Within a day'],
      value: pct(cycle.withinTargetShare),
      hint: `${cycle.withinTarget}/${cycle.count} 件 · cases`,
      definition:
        '已办结异常件中处理时长不超过目标的比例。Share of finished cases whose cycle time is within the target.',
    },
    {
      metric: 'recovery',
      label: ['追回率', 'Recovery rate'],
      value: pct(r.money.recoveryRate),
      hint: `已追回 ${yuan(r.money.recoveredFen)} / 风险 ${yuan(r.money.atRiskFen)}`,
      definition:
        '已追回金额 ÷ 风险金额：期间内创建并已办结的异常件，加上现在在办的异常件。Money recovered ÷ money at risk, of the cases opened in the ' +
        'period and finished plus the cases open now.',
    },
    {
      metric: 'disputes',
      label: ['维权胜诉率', 'Dispute win rate'],
      value: pct(r.disputes.winRate),
      hint: `胜 ${r.disputes.won} · 负 ${r.disputes.lost} · 待定 ${r.disputes.pending}`,
      definition:
        '已有结果的平台维权中胜诉的比例（待定不计）。Share of decided platform disputes that were won (pending ones are left out).',
    },
  ];
}

function claimRows(claims) {
  return claims.map((c) => [
    esc(c.caseNo),
    esc(COUNTERPARTIES[c.counterpartyType] ?? c.counterpartyType),
    yuan(c.claimFen),
    yuan(c.recoveredFen),
    `${c.ageDays} 天`,
    c.idleDays >= 3 ? `<span class="stale">${c.idleDays} 天</span>` : `${c.idleDays} 天`,
  ]);
}

export default {
  filters: ['team', 'channel'],

  async render(view) {
    const r = await view.api('report');
    const note = r.period.endsToday
      ? ''
      : '<p class="note" data-testid="note">已办结的数字为所选期间内创建的异常件；在办与追款为当前情况。' +
        'Finished figures cover cases opened in the period; open cases and claims are as of now.</p>';
    const claims =
      r.claims === null
        ? '<p class="empty">追款进度仅对管理者显示 · Recovery claims are shown to managers</p>'
        : table(
            [
              ['工单', 'Case'],
              ['对象', 'Counterparty'],
              ['索赔', 'Claimed'],
              ['已追回', 'Recovered'],
              ['账龄', 'Age'],
              ['未跟进', 'Idle'],
            ],
            claimRows(r.claims),
            '暂无进行中的追款 · No open claims',
          );
    view.el.innerHTML = `${note}${kpis(tiles(r))}<div class="grid">
      ${panel({
        title: ['在办异常件（按时长 × 类型）', 'Open cases by age and kind'],
        definition:
          '现在仍未办结的异常件，按已开启时长分组、按类型堆叠。' +
          'Cases open now, grouped by how long they have been open, stacked by ' +
          'kind.',
        link: view.link('exceptions', 'board_by_state'),
        body: chartBox('chart-open'),
      })}
      ${panel({
        title: ['时间花在哪里', 'Hours in each state'],
        definition:
          '期间内创建并已办结的异常件和现在在办的异常件，在各状态累计停留的小时数。Hours ' +
          "spent in each state by the period's finished cases and the cases open " +
          'now.',
        link: view.link('exceptions', 'all'),
        body: chartBox('chart-states'),
      })}
      ${panel({
        title: ['资损与追回', 'Money at risk, refunded, recovered'],
        definition:
          '期间内创建并已办结的异常件和现在在办的异常件涉及的金额（元）' +
          "。Money of the period's finished cases and the cases open now, in yuan.",
        link: view.link('exceptions', 'money'),
        body: chartBox('chart-money'),
      })}
      ${panel({
        title: ['追款进度', 'Recovery claims'],
        definition: '进行中的追款，未跟进 3 天以上标红。Open recovery claims; red when idle for 3 days or more.',
        link: view.link('recovery_claims', 'all'),
        body: claims,
        testid: 'claims',
      })}
    </div>`;
    chart('chart-open', openByAgeOption(r.openByAgeAndKind));
    chart('chart-states', timeByStateOption(r.timeByState));
    chart('chart-money', moneyOption(r.money));
    view.updated(r.generatedAt);
  },
};
