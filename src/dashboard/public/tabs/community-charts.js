// ECharts options for the community tab, from the summary's daily `trend` rows (rollup grain 'day').
// Data in, option out; ui.js (legendSafe) puts every legend above its plot when drawn.
const PALETTE = ['#34c724', '#f54a45', '#3370ff', '#ff8800', '#7f3bf5'];
const days = (trend) => trend.map((r) => r.period.slice(5));
const rate = (x) => (x === null || x === undefined ? null : Math.round(x * 1000) / 10);
// No axis name: the legend sits where a name would (ui.js legendSafe); the labels carry the unit.
const percentAxis = { type: 'value', min: 0, axisLabel: { hideOverlap: true, formatter: '{value}%' } };

/** Joined and left as bars, net growth and members at the end of the day as lines (members on its own axis). */
export function growthOption(trend) {
  return {
    color: PALETTE,
    tooltip: { trigger: 'axis' },
    legend: {},
    grid: {},
    xAxis: { type: 'category', data: days(trend), axisLabel: { hideOverlap: true } },
    yAxis: [
      { type: 'value', minInterval: 1, axisLabel: { hideOverlap: true } },
      { type: 'value', minInterval: 1, splitLine: { show: false }, axisLabel: { hideOverlap: true } },
    ],
    series: [
      { name: '入群 Joined', type: 'bar', data: trend.map((r) => r.joined), barMaxWidth: 18 },
      { name: '退群 Left', type: 'bar', data: trend.map((r) => -r.left), barMaxWidth: 18 },
      { name: '净增 Net', type: 'line', data: trend.map((r) => r.netGrowth), symbol: 'none' },
      {
        name: '成员 Members',
        type: 'line',
        yAxisIndex: 1,
        data: trend.map((r) => r.closingMembers),
        symbol: 'none',
      },
    ],
  };
}

/** Activity rate per day, with the messages behind it. */
export function activityOption(trend) {
  return {
    color: ['#3370ff', '#8f959e'],
    tooltip: { trigger: 'axis' },
    legend: {},
    grid: {},
    xAxis: { type: 'category', data: days(trend), axisLabel: { hideOverlap: true } },
    yAxis: [
      percentAxis,
      { type: 'value', minInterval: 1, splitLine: { show: false }, axisLabel: { hideOverlap: true } },
    ],
    series: [
      { name: '活跃率 Activity %', type: 'line', data: trend.map((r) => rate(r.activityRate)), symbol: 'none' },
      { name: '消息 Messages', type: 'bar', yAxisIndex: 1, data: trend.map((r) => r.messages), barMaxWidth: 14 },
    ],
  };
}

/** Conversion rate per day, with the orders behind it. */
export function conversionOption(trend) {
  return {
    color: ['#ff8800', '#8f959e'],
    tooltip: { trigger: 'axis' },
    legend: {},
    grid: {},
    xAxis: { type: 'category', data: days(trend), axisLabel: { hideOverlap: true } },
    yAxis: [
      percentAxis,
      { type: 'value', minInterval: 1, splitLine: { show: false }, axisLabel: { hideOverlap: true } },
    ],
    series: [
      { name: '转化率 Conversion %', type: 'line', data: trend.map((r) => rate(r.conversionRate)), symbol: 'none' },
      { name: '订单 Orders', type: 'bar', yAxisIndex: 1, data: trend.map((r) => r.orders), barMaxWidth: 14 },
    ],
  };
}
