// ECharts options for the contracts tab, from /api/dashboard/contracts/summary's budgets and concentration and
// /api/dashboard/contracts/payment-months.
// Data in, option out; ui.js (legendSafe) puts every legend above its plot when drawn.
const yuan = (fen) => Math.round(fen / 100);
const moneyAxis = {
  type: 'value',
  axisLabel: { hideOverlap: true, formatter: (v) => `¥${v.toLocaleString('zh-CN')}` },
};

/** Per budget line: what is used (amount − left) and what is left, stacked to the line's amount. */
export function budgetOption(budgets) {
  const rows = [...budgets].reverse(); // the first line on top
  return {
    color: ['#3370ff', '#c9cdd4'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: {},
    grid: { right: 40 }, // room for the last money label
    xAxis: moneyAxis,
    yAxis: {
      type: 'category',
      data: rows.map((b) => b.name),
      axisLabel: { hideOverlap: true, width: 110, overflow: 'truncate' },
    },
    series: [
      {
        name: '已用 Used',
        type: 'bar',
        stack: 'budget',
        data: rows.map((b) => yuan(Math.max(0, b.amountFen - b.leftFen))),
        barMaxWidth: 18,
      },
      {
        name: '剩余 Left',
        type: 'bar',
        stack: 'budget',
        data: rows.map((b) => yuan(Math.max(0, b.leftFen))),
        barMaxWidth: 18,
      },
    ],
  };
}

/** The counterparties holding the most contract value (top 8), as horizontal bars of their share. */
export function concentrationOption(concentration) {
  const top = concentration.slice(0, 8).reverse();
  return {
    color: ['#ff8800'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: {},
    grid: {},
    xAxis: { type: 'value', min: 0, max: 100, axisLabel: { hideOverlap: true, formatter: '{value}%' } },
    yAxis: {
      type: 'category',
      data: top.map((c) => c.counterparty),
      axisLabel: { hideOverlap: true, width: 110, overflow: 'truncate' },
    },
    series: [
      {
        name: '金额占比 Share of value %',
        type: 'bar',
        data: top.map((c) => Math.round(c.share * 1000) / 10),
        barMaxWidth: 16,
      },
    ],
  };
}

/** Planned versus paid per month (all lines the viewer sees), with what of the planned is overdue. */
export function paymentMonthsOption(report) {
  const m = report.total.months;
  const bar = (name, key) => ({ name, type: 'bar', data: m.map((c) => yuan(c[key])), barMaxWidth: 14 });
  return {
    color: ['#3370ff', '#34c724', '#f54a45'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: {},
    grid: {},
    xAxis: { type: 'category', data: report.months, axisLabel: { hideOverlap: true } },
    yAxis: moneyAxis,
    series: [bar('计划 Planned', 'plannedFen'), bar('已付 Paid', 'paidFen'), bar('逾期 Overdue', 'overdueFen')],
  };
}
