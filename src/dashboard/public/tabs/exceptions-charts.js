// ECharts options for the exceptions tab; data in, option out. Legends and grids are made
// width-safe by ui.js (legendSafe) when drawn.
const STATE_LABELS = {
  new: '新建 New',
  assigned: '已分派 Assigned',
  waiting_warehouse: '待仓库 Warehouse',
  waiting_customer: '待客户 Customer',
  waiting_platform: '待平台 Platform',
  in_progress: '处理中 In progress',
  pending_approval: '待审批 Approval',
};
export const KIND_LABELS = {
  refund_dispute: '退款维权',
  lost: '丢件',
  damaged: '破损',
  delayed: '物流停滞',
  wrong_or_missing_item: '错漏发',
  returned_without_after_sale: '退回无售后',
  address_problem: '地址异常',
  loss_recovery: '资损追款',
};
const PALETTE = ['#3370ff', '#34c724', '#ff8800', '#f54a45', '#7f3bf5', '#14c0ff', '#ffc60a', '#8f959e'];
const yuan = (fen) => Math.round(fen / 100);

export function openByAgeOption(open) {
  const buckets = open.buckets.map((b) => `${b.label.zh}\n${b.label.en}`);
  const series = Object.entries(open.byKind).map(([kind, counts]) => ({
    name: KIND_LABELS[kind] ?? kind,
    type: 'bar',
    stack: 'open',
    data: counts,
    barMaxWidth: 42,
  }));
  return {
    color: PALETTE,
    tooltip: { trigger: 'axis' },
    legend: {},
    grid: {},
    xAxis: { type: 'category', data: buckets, axisLabel: { interval: 0, hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1 },
    series,
  };
}

export function timeByStateOption(byState) {
  const entries = Object.entries(byState)
    .filter(([, m]) => m > 0)
    .sort((a, b) => b[1] - a[1]);
  return {
    color: ['#3370ff'],
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${v} h` },
    grid: { right: 24 },
    xAxis: { type: 'value', name: 'h', axisLabel: { hideOverlap: true } },
    yAxis: { type: 'category', inverse: true, data: entries.map(([s]) => STATE_LABELS[s] ?? s) },
    series: [{ type: 'bar', data: entries.map(([, m]) => Math.round(m / 6) / 10), barMaxWidth: 26 }],
  };
}

export function moneyOption(money) {
  const rows = [
    ['风险 At risk', money.atRiskFen, '#f54a45'],
    ['已退款 Refunded', money.refundedFen, '#ff8800'],
    ['已追回 Recovered', money.recoveredFen, '#34c724'],
    ['已核销 Written off', money.writtenOffFen, '#8f959e'],
    ['待追回 Outstanding', money.outstandingFen, '#7f3bf5'],
  ];
  // Bars run sideways: each bilingual label has a line of its own, however narrow the phone.
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v) => `¥${v.toLocaleString()}` },
    grid: { right: 24 },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r[0]) },
    xAxis: { type: 'value', name: '¥', axisLabel: { hideOverlap: true } },
    series: [
      {
        type: 'bar',
        barMaxWidth: 26,
        data: rows.map(([, fen, color]) => ({ value: yuan(fen), itemStyle: { color } })),
      },
    ],
  };
}
