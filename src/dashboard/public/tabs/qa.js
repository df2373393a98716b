// 质检 QA tab: GET /api/dashboard/qa/summary (src/domains/qa/dashboard.ts); an inspector's queue and calibration
// (and everyone's for managers and the QA lead) from …/queue and …/calibration (qa-inspector.js).
import { chart, chartBox, count, esc, kpis, panel, pct, table } from '../ui.js';
import { channelOption, criteriaOption } from './qa-charts.js';
import { calibrationPanel, queuePanel } from './qa-inspector.js';

const score = (x) => (x === null || x === undefined ? '—' : (Math.round(x * 10) / 10).toFixed(1));
const minutes = (s) => (s === null || s === undefined ? '—' : `${(s / 60).toFixed(1)} min`);

const COLUMNS = [
  ['名称', 'Name'],
  ['质检数', 'Reviews'],
  ['平均分', 'Avg'],
  ['加权平均', 'Weighted'],
  ['合格率', 'Pass'],
  ['申诉/改判', 'Appeals/overturned'],
];
const rowsOf = (list) =>
  list.map((r) => [
    esc(r.name),
    count(r.reviews),
    score(r.avgScore),
    score(r.weightedScore),
    pct(r.passRate),
    `${count(r.appealed)} / ${count(r.overturned)}`,
  ]);
const NO_DATA = '暂无数据 · No data';
const WEIGHTED =
  '按抽样概率的倒数加权（Hájek），抵消风险抽样的偏向；手工抽取的质检权重为 1。Weighted by 1 / the chance the sampling plan picked the conversation,' +
  ' so risk picks do not drag the average; hand-picked reviews weigh 1.';

// Root causes of the period's deductions (qa.root_causes): overall, then each team's and channel's top causes.
const causeList = (causes) => causes.map((c) => `${esc(c.name)} ${count(c.count)}（${pct(c.share)}）`).join('、');
function rootCausePanel(rc, link, loading) {
  const rows = rc
    ? [
        [`<b>全部 All</b>`, count(rc.deductions), causeList(rc.byCause)],
        ...rc.byTeam.map((g) => [`团队 ${esc(g.name)}`, count(g.deductions), causeList(g.causes)]),
        ...rc.byChannel.map((g) => [`渠道 ${esc(g.name)}`, count(g.deductions), causeList(g.causes)]),
        ...rc.byItem
          .slice(0, 5)
          .map((g) => [`${esc(g.name)} v${esc(g.version)}`, count(g.deductions), causeList(g.causes)]),
      ]
    : [];
  return panel({
    title: ['扣分根因', 'Root causes'],
    definition:
      '期间内每条扣分由质检员标注的根因（话术、流程、知识、态度、系统/工具等，列表由质检主管设定）：条数与占比。' +
      'Deductions in the period by the root cause the inspector gave (the QA lead keeps the list): count and share.',
    link,
    testid: 'root-causes',
    body: table(
      [
        ['范围', 'Scope'],
        ['扣分数', 'Deductions'],
        ['根因（占比）', 'Causes (share)'],
      ],
      rc && rc.deductions > 0 ? rows : [],
      loading ? '加载中… · Loading…' : rc === null ? '暂时无法读取 · Not available' : '暂无扣分 · No deductions',
    ),
  });
}

export default {
  filters: ['team', 'channel'],

  async render(view) {
    // Root causes come from their own call (counted from the marks, slower on a year of data): the
    // panel fills in when they arrive, the rest of the tab does not wait for them.
    const causes = view.api('root-causes').catch(() => undefined);
    // An inspector's queue and calibration (a team lead: their teams' queue; an agent: neither).
    const inspector = view.viewer?.roles?.includes('qa_inspector');
    const own = view.level === 'own';
    const withQueue = !own || inspector;
    const withCalibration = view.level === 'all' || (own && inspector);
    const [r, queue, calibration] = await Promise.all([
      view.api('summary'),
      withQueue ? view.api('queue').catch(() => null) : undefined,
      withCalibration ? view.api('calibration').catch(() => null) : undefined,
    ]);
    const byChannel = table(COLUMNS, rowsOf(r.byChannel), '暂无数据 · No data');
    const t = r.totals ?? {};
    // Seeing only their own: an inspector opens their tasks, an agent their results; the rest every review.
    const reviewsLink = view.link('qa_reviews', r.level !== 'own' ? 'all' : inspector ? 'my_tasks' : 'my_results');
    const rate = t.reviews ? t.overturned / t.reviews : null;
    view.el.innerHTML =
      kpis([
        {
          metric: 'reviews',
          label: ['质检数', 'Reviews'],
          value: count(t.reviews ?? 0),
          definition: '期间内完成评分的质检条数。Reviews scored in the period.',
        },
        {
          metric: 'avg-score',
          label: ['平均分', 'Average score'],
          value: score(t.avgScore),
          hint: `加权 ${score(t.weightedScore)}`,
          definition: `期间内已评分质检的平均得分（满分 100）。Mean score of the period's reviews. ${WEIGHTED}`,
        },
        {
          metric: 'pass-rate',
          label: ['合格率', 'Pass rate'],
          value: pct(t.passRate ?? null),
          hint: `${count(t.failed ?? 0)} 不合格`,
          definition:
            '得分达到合格线且未触红线的质检占比。Share of reviews at or above the pass mark with no red line.',
        },
        {
          metric: 'overturn-rate',
          label: ['改判率', 'Overturn rate'],
          value: pct(rate),
          hint: `${count(t.appealed ?? 0)} 申诉`,
          definition: '被改判或调整的质检占全部质检的比例。Share of reviews overturned or adjusted on appeal.',
        },
        {
          metric: 'time-per-review',
          label: ['单条用时', 'Time per review'],
          value: minutes(t.avgSeconds),
          definition: '质检员从打开评分卡到提交的平均时间。Mean time from opening the scoring card to scoring.',
        },
      ]) +
      `<div class="grid">
      ${withQueue ? queuePanel(queue, { link: view.link('qa_reviews', own ? 'my_tasks' : 'board'), own }) : ''}
      ${withCalibration ? calibrationPanel(calibration, { link: view.link('qa_reviews', 'calibration'), own }) : ''}
      ${panel({
        title: ['各渠道得分与合格率', 'Score and pass rate by channel'],
        definition: `柱：平均分与加权平均分（满分 100）；线：合格率。Bars: average and weighted score (of 100); line: pass rate. ${WEIGHTED}`,
        link: reviewsLink,
        body: chartBox('chart-qa-channels'),
      })}
      ${panel({
        title: ['扣分最多的评分项', 'Criteria deducted most'],
        definition:
          '扣分率最高的 10 个评分项（同一评分标准版本内）。The 10 criteria with the highest deduction rate, per scorecard version.',
        link: view.link('qa_review_items', 'all'),
        body: chartBox('chart-qa-criteria'),
      })}
      ${panel({ title: ['按渠道', 'By channel'], definition: WEIGHTED, link: reviewsLink, body: byChannel })}
      ${panel({ title: ['按团队', 'By team'], link: reviewsLink, body: table(COLUMNS, rowsOf(r.byTeam), NO_DATA) })}
      ${panel({ title: ['按客服', 'By agent'], link: reviewsLink, body: table(COLUMNS, rowsOf(r.byAgent), NO_DATA) })}
      ${panel({
        title: ['按评分项', 'By criterion'],
        link: view.link('qa_review_items', 'all'),
        definition:
          '同一评分标准版本内比较：扣分率 = 该项有扣分的质检占比。Compared within a scorecard version: deduction rate = share of reviews ' +
          'with a deduction on it.',
        body: table(
          [
            ['评分项', 'Criterion'],
            ['版本', 'Version'],
            ['扣分率', 'Deducted'],
            ['平均扣分', 'Avg points'],
          ],
          r.byItem.map((i) => [esc(i.name), `v${esc(i.version)}`, pct(i.deductionRate), score(i.avgDeduction)]),
          '暂无数据 · No data',
        ),
      })}
      ${panel({
        title: ['培训建议', 'Training needs'],
        definition:
          `期间内同一评分项被扣分 ≥ ${esc(r.training.repeat)} 次的客服，按评分项成组，可作为培训小组。` +
          `Agents deducted on the same criterion at least ${esc(r.training.repeat)} times in the period, grouped by ` +
          'criterion: suggested training groups.',
        link: view.link('qa_review_items', 'all'),
        testid: 'training',
        body: table(
          [
            ['评分项', 'Criterion'],
            ['人数', 'Agents'],
            ['客服（扣分次数）', 'Agents (deductions)'],
          ],
          r.training.groups.map((g) => [
            `${esc(g.name)} v${esc(g.version)}`,
            count(g.agents.length),
            g.agents.map((a) => `${esc(a.name)}×${count(a.deducted)}`).join('、'),
          ]),
          '暂无重复扣分 · No repeated deductions',
        ),
      })}
      <div id="qa-root-causes">${rootCausePanel(undefined, view.link('qa_review_items', 'all'), true)}</div>
      ${panel({
        title: ['按质检员', 'By inspector'],
        link: reviewsLink,
        body: table(COLUMNS, rowsOf(r.byInspector), '暂无数据 · No data'),
      })}
    </div>`;
    chart('chart-qa-channels', channelOption(r.byChannel));
    chart('chart-qa-criteria', criteriaOption(r.byItem));
    view.updated(r.generatedAt);
    // Filled when it comes, unless the tab was drawn again meanwhile (the old slot is then detached).
    const slot = view.el.querySelector('#qa-root-causes');
    void causes.then((rc) => {
      if (slot?.isConnected) slot.innerHTML = rootCausePanel(rc ?? null, view.link('qa_review_items', 'all'), false);
    });
  },
};
