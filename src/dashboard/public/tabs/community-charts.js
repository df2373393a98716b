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

/** A daily rate (line, % axis) with the counts behind it (bars, right axis). */
function rateWithCounts(trend, colour, rateSeries, countSeries) {
  return {
    color: [colour, '#8f959e'],
    tooltip: { trigger: 'axis' },
    legend: {},
    grid: {},
    xAxis: { type: 'category', data: days(trend), axisLabel: { hideOverlap: true } },
    yAxis: [
      percentAxis,
      { type: 'value', minInterval: 1, splitLine: { show: false }, axisLabel: { hideOverlap: true } },
    ],
    series: [
      { name: rateSeries.name, type: 'line', data: trend.map((r) => rate(rateSeries.of(r))), symbol: 'none' },
      { name: countSeries.name, type: 'bar', yAxisIndex: 1, data: trend.map(countSeries.of), barMaxWidth: 14 },
    ],
  };
}

/** Activity rate per day, with the messages behind it. */
export const activityOption = (trend) =>
  rateWithCounts(
    trend,
    '#3370ff',
    { name: '活跃率 Activity %', of: (r) => r.activityRate },
    { name: '消息 Messages', of: (r) => r.messages },
  );

/** Conversion rate per day, with the orders behind it. */
export const conversionOption = (trend) =>
  rateWithCounts(
    trend,
    '#ff8800',
    { name: '转化率 Conversion %', of: (r) => r.conversionRate },
    { name: '订单 Orders', of: (r) => r.orders },
  );
