// 质检 QA tab, an inspector's own work: GET /api/dashboard/qa/queue (reviews waiting for them) and
// GET /api/dashboard/qa/calibration (the rounds they are in and how close they score to the reference);
// src/domains/qa/dashboard-queue.ts and dashboard-calibration.ts. Managers and the QA lead see everyone's.
import { bi, count, definition, esc, panel, pct, table } from '../ui.js';

const DAY = 86_400_000;
const one = (x) => (x === null || x === undefined ? '—' : (Math.round(x * 10) / 10).toFixed(1));
const signed = (x) => (x === null || x === undefined ? '—' : `${x > 0 ? '+' : ''}${one(x)}`);
const day = (iso) =>
  iso ? new Date(iso).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit' }) : '';
/** Whole days from `iso` to `asOf` ("—" when nothing waits). */
export const ageDays = (iso, asOf) =>
  iso ? Math.max(0, Math.floor((Date.parse(asOf) - Date.parse(iso)) / DAY)) : null;

/** A number in a panel: `metric` names it for tests (data-metric), `def` is its definition on hover. */
function stat({ metric, label, value, hint = '', def = '', tone = '' }) {
  return `<div class="stat ${tone}" data-testid="stat" data-metric="${esc(metric)}">
    <div class="value" data-testid="stat-value">${esc(value)}</div>
    <div class="label">${bi(label[0], label[1])}${definition(def)}</div>
    ${hint ? `<div class="hint">${esc(hint)}</div>` : ''}</div>`;
}
const stats = (list) => `<div class="stats">${list.map(stat).join('')}</div>`;
const unavailable = '暂时无法读取 · Not available';

const QUEUE_COLUMNS = [
  ['待质检', 'Waiting'],
  ['已超期', 'Overdue'],
  ['24 小时内到期', 'Due in 24 h'],
  ['最久等待', 'Oldest'],
];
const queueRows = (list, asOf) =>
  list.map((r) => [
    esc(r.name),
    count(r.waiting),
    r.overdue > 0 ? `<b class="bad">${count(r.overdue)}</b>` : '0',
    count(r.dueSoon),
    r.oldestAt ? `${count(ageDays(r.oldestAt, asOf))} 天 d` : '—',
  ]);

/** The queue: how many wait, how many are overdue or due within a day, the oldest; by channel (and inspector). */
export function queuePanel(q, { link, own }) {
  if (!q)
    return panel({
      title: ['质检队列', 'Review queue'],
      testid: 'qa-queue',
      body: `<p class="empty">${unavailable}</p>`,
    });
  const t = q.totals;
  const age = ageDays(t.oldestAt, q.asOf);
  const due = q.dueDays;
  const body =
    stats([
      {
        metric: 'queue-waiting',
        label: ['待质检', 'Waiting'],
        value: count(t.waiting),
        def: '分配给质检员、尚未评分的质检（不受时间范围影响）。Reviews assigned and not yet scored, as of now (the period does not apply).',
      },
      {
        metric: 'queue-overdue',
        label: ['已超期', 'Overdue'],
        value: count(t.overdue),
        tone: t.overdue > 0 ? 'bad' : '',
        def: `抽检后超过 ${due} 天仍未评分。Waiting more than ${due} days since it was sampled.`,
      },
      {
        metric: 'queue-due-soon',
        label: ['24 小时内到期', 'Due in 24 h'],
        value: count(t.dueSoon),
        tone: t.dueSoon > 0 ? 'warn' : '',
        def: `未来 24 小时内将超过 ${due} 天的待质检。Waiting reviews that pass ${due} days within the next 24 hours.`,
      },
      {
        metric: 'queue-oldest',
        label: ['最久等待', 'Oldest waiting'],
        value: age === null ? '—' : `${count(age)} 天 d`,
        hint: t.oldestAt ? `抽检于 ${day(t.oldestAt)}` : '',
        def: '等待最久的一条质检已等待的整天数。Whole days the longest-waiting review has waited.',
      },
      {
        metric: 'queue-calibration',
        label: ['其中校准', 'Of which calibration'],
        value: count(t.calibration),
        def: '待质检中属于校准轮次的盲评会话。Waiting reviews that belong to a blind calibration round.',
      },
    ]) +
    table([['渠道', 'Channel'], ...QUEUE_COLUMNS], queueRows(q.byChannel, q.asOf), '队列已清空 · Nothing waiting') +
    (own
      ? ''
      : table(
          [['质检员', 'Inspector'], ...QUEUE_COLUMNS],
          queueRows(q.byInspector, q.asOf),
          '队列已清空 · Nothing waiting',
        ));
  return panel({
    title: own ? ['我的质检队列', 'My review queue'] : ['质检队列', 'Review queue'],
    definition:
      `此刻等待评分的质检；抽检后超过 ${due} 天未评分即为超期。点「多维表格」打开待办。` +
      `Reviews waiting to be scored right now; overdue after ${due} days. The Bitable link opens the task list.`,
    link,
    testid: 'qa-queue',
    body,
  });
}

const STATUS = {
  open: ['待评', 'Open'],
  scored: ['我已评', 'Scored by me'],
  closed: ['已结束', 'Closed'],
};
const status = (s) => `<span class="status ${esc(s)}" data-status="${esc(s)}">${bi(...(STATUS[s] ?? [s, '']))}</span>`;

/** The rounds and the alignment: for an inspector their own against the reference; for a lead everyone's. */
export function calibrationPanel(c, { link, own }) {
  const title = own ? ['我的校准', 'My calibration'] : ['校准', 'Calibration'];
  if (!c) return panel({ title, testid: 'qa-calibration', body: `<p class="empty">${unavailable}</p>` });
  const a = c.alignment;
  const summary = own
    ? stats([
        {
          metric: 'calibration-deviation',
          label: ['平均偏差', 'Mean deviation'],
          value: one(a?.deviation),
          def:
            '与参考分（组长评分，无组长时为组内平均）之差的绝对值的平均，越小越一致。' +
            'Mean |my score − reference| (the lead’s score, else the group’s mean): lower is closer.',
        },
        {
          metric: 'calibration-bias',
          label: ['偏向', 'Bias'],
          value: signed(a?.bias),
          def: '我的分数减参考分的平均：正数偏松，负数偏严。Mean (my score − reference): above 0 more lenient, below 0 stricter.',
        },
        {
          metric: 'calibration-pass-agreement',
          label: ['合格判定一致', 'Pass/fail agreement'],
          value: pct(a?.passAgreement),
          def: '组长也评过的会话中，我的合格/不合格与组长一致的比例。Share of lead-scored conversations where my pass/fail matches the lead’s.',
        },
        {
          metric: 'calibration-rounds',
          label: ['已完成轮次', 'Rounds done'],
          value: count(a?.rounds ?? 0),
          hint: `${count(a?.scored ?? 0)} 条会话 conversations`,
          def:
            '期间内我已评完的校准轮次（只有评完一轮后才显示该轮的参考分）。' +
            'Rounds in the period I have finished (a round’s reference shows only once I have scored all of it).',
        },
      ])
    : '';
  const rounds = table(
    own
      ? [
          ['轮次', 'Round'],
          ['状态', 'Status'],
          ['我的进度', 'My progress'],
          ['我的均分', 'My avg'],
          ['参考均分', 'Reference'],
          ['偏差', 'Deviation'],
        ]
      : [
          ['轮次', 'Round'],
          ['状态', 'Status'],
          ['进度', 'Progress'],
          ['质检员', 'Inspectors'],
        ],
    c.rounds.map((r) =>
      own
        ? [
            `${esc(r.name)} <small>${esc(day(r.createdAt))}</small>`,
            status(r.status),
            `${count(r.mine?.scored ?? 0)}/${count(r.mine?.expected ?? 0)}`,
            one(r.mine?.score),
            one(r.mine?.reference),
            one(r.mine?.deviation),
          ]
        : [
            `${esc(r.name)} <small>${esc(day(r.createdAt))}</small>`,
            status(r.status),
            `${count(r.scored)}/${count(r.expected)}`,
            count(r.inspectors),
          ],
    ),
    '期间内没有校准轮次 · No calibration rounds in the period',
  );
  const people = own
    ? ''
    : table(
        [
          ['质检员', 'Inspector'],
          ['轮次', 'Rounds'],
          ['平均偏差', 'Deviation'],
          ['偏向', 'Bias'],
          ['合格一致', 'Pass agree'],
        ],
        c.byInspector.map((i) => [
          esc(i.name),
          count(i.rounds),
          one(i.deviation),
          signed(i.bias),
          pct(i.passAgreement),
        ]),
        '暂无已完成的校准 · No finished calibration',
      );
  return panel({
    title,
    definition:
      '期间内开始的校准轮次：同一批会话由多位质检员盲评，以组长评分（无组长时为组内平均）为参考。' +
      '偏差 = |评分 − 参考| 的平均。' +
      'Calibration rounds started in the period: the same conversations scored blind by several inspectors ' +
      'against the lead’s score (else the group’s mean). Deviation = mean |score − reference|.',
    link,
    testid: 'qa-calibration',
    wide: true,
    body: summary + rounds + people,
  });
}
