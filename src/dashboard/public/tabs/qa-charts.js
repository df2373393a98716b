// ECharts options for the QA tab, from /api/dashboard/qa/summary's byChannel and byItem rows.
// Data in, option out; ui.js (legendSafe) puts every legend above its plot when drawn.
const one = (x) => (x === null || x === undefined ? null : Math.round(x * 10) / 10);
const percent = (x) => (x === null || x === undefined ? null : Math.round(x * 1000) / 10);
// No axis names: the legend sits where a name would (ui.js legendSafe); the labels carry the unit.
const scoreAxis = { type: 'value', min: 0, max: 100, axisLabel: { hideOverlap: true } };
const percentAxis = {
  type: 'value',
  min: 0,
  max: 100,
  splitLine: { show: false },
  axisLabel: { hideOverlap: true, formatter: '{value}%' },
};

/** Per channel: the plain and the sampling-weighted average as bars, the pass rate as a line on its own % axis. */
export function channelOption(byChannel) {
  return {
    color: ['#3370ff', '#7f3bf5', '#34c724'],
    tooltip: { trigger: 'axis' },
    legend: {},
    grid: {},
    xAxis: {
      type: 'category',
      data: byChannel.map((r) => r.name),
      axisLabel: { interval: 0, hideOverlap: true },
    },
    yAxis: [scoreAxis, percentAxis],
    series: [
      { name: '平均分 Avg', type: 'bar', data: byChannel.map((r) => one(r.avgScore)), barMaxWidth: 24 },
      { name: '加权平均 Weighted', type: 'bar', data: byChannel.map((r) => one(r.weightedScore)), barMaxWidth: 24 },
      {
        name: '合格率 Pass %',
        type: 'line',
        yAxisIndex: 1,
        data: byChannel.map((r) => percent(r.passRate)),
        symbolSize: 6,
      },
    ],
  };
}

/** The criteria deducted most often (top `limit` by deduction rate), as horizontal bars, the most deducted on top. */
export function criteriaOption(byItem, limit = 10) {
  const top = [...byItem]
    .filter((i) => i.deductionRate !== null && i.deductionRate !== undefined)
    .sort((a, b) => b.deductionRate - a.deductionRate)
    .slice(0, limit)
    .reverse();
  return {
    color: ['#f54a45'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: {},
    grid: {},
    xAxis: { ...percentAxis, splitLine: { show: true } },
    yAxis: {
      type: 'category',
      data: top.map((i) => `${i.name} v${i.version}`),
      axisLabel: { hideOverlap: true, width: 120, overflow: 'truncate' },
    },
    series: [
      { name: '扣分率 Deducted %', type: 'bar', data: top.map((i) => percent(i.deductionRate)), barMaxWidth: 16 },
    ],
  };
}
