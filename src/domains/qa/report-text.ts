import { joinMarkdown, md, trusted, type Markdown } from '../../core/cards/markdown.js';
import { formatInZone } from '../../core/zoned-time.js';
import { RESULT_NAME } from './logic/review.js';
import type { ReviewRow } from './repository.js';
import type { Figures, Named, QaSummary } from './service/reports.js';

const score = (n: number | null | undefined) =>
  trusted(n === null || n === undefined ? '—' : (Math.round(n * 10) / 10).toFixed(1));
const pct = (n: number | null | undefined) => trusted(n === null || n === undefined ? '—' : `${Math.round(n * 100)}%`);

/** `90%（53–99%）`: the weighted pass rate with its interval, or 数据不足 when there is too little. */
const passWithInterval = (f: Figures) =>
  f.pass
    ? trusted(
        `${Math.round(f.pass.estimate * 100)}%（${Math.round(f.pass.low * 100)}–${Math.round(f.pass.high * 100)}%）`,
      )
    : md`${pct(f.passRate)}（数据不足 not enough data）`;
/** `±4.2` after a weighted average, or nothing when there is too little data. */
const plusMinus = (f: Figures) => trusted(f.scoreCi ? ` ±${((f.scoreCi.high - f.scoreCi.low) / 2).toFixed(1)}` : '');

const totalsLine = (t: Figures | null, confidence: number) =>
  t
    ? joinMarkdown(
        [
          md`**质检 Reviews** ${trusted(String(t.reviews))}`,
          md`**平均分 Avg** ${score(t.avgScore)}（加权 weighted ${score(t.weightedScore)}${plusMinus(t)}）`,
          md`**合格率 Pass** ${passWithInterval(t)}`,
          md`**申诉 Appeals** ${trusted(String(t.appealed))}，改判 overturned ${trusted(String(t.overturned))}`,
          md`置信度 confidence ${trusted(`${Math.round(confidence * 1000) / 10}%`)}`,
        ],
        ' · ',
      )
    : md`
期间内没有已评分的质检 · No scored reviews in the period
      `;

/** `我的质检`: the agent's period figures and recent reviews (sent to them alone). */
export function myResultsText(s: QaSummary, recent: ReviewRow[], timeZone: string): Markdown {
  const lines = recent.map((r) =>
    joinMarkdown(
      [
        md`- ${trusted(`QA${String(r.id).padStart(6, '0')}`)}`,
        trusted(formatInZone(r.scoredAt!, timeZone, 'MM-dd')),
        md`**${score(r.score)}** ${trusted(r.result ? RESULT_NAME[r.result] : '')}`,
      ],
      ' · ',
    ),
  );
  const worst = [...s.byItem]
    .filter((i) => (i.deductionRate ?? 0) > 0)
    .sort((a, b) => (b.deductionRate ?? 0) - (a.deductionRate ?? 0));
  return joinMarkdown([
    md`
**近 30 天 Last 30 days**
    `,
    totalsLine(s.totals, s.confidence),
    ...(worst.length > 0
      ? [
          md`
**常被扣分 Most deducted**
          `,
          ...worst.slice(0, 3).map((i) => md`- ${i.name}：${pct(i.deductionRate)} 的质检扣分`),
        ]
      : []),
    md`
**最近质检 Recent reviews**
    `,
    ...(lines.length > 0
      ? lines
      : [
          md`
暂无 · None yet
          `,
        ]),
  ]);
}

const rows = (title: Markdown, list: Named[], max = 10) =>
  list.length === 0
    ? []
    : [
        title,
        ...[...list]
          .sort((a, b) => (a.avgScore ?? 0) - (b.avgScore ?? 0))
          .slice(0, max)
          .map((r) =>
            joinMarkdown(
              [
                md`- ${r.name}：${score(r.weightedScore)}${plusMinus(r)} 分`,
                md`合格 ${passWithInterval(r)}`,
                md`${trusted(String(r.reviews))} 条`,
              ],
              ' · ',
            ),
          ),
      ];

/** `质检报告`: a team's or agent's period, lowest averages first, and the criteria deducted most. */
export function reportText(title: string, s: QaSummary, period = '近 30 天 Last 30 days'): Markdown {
  const items = [...s.byItem]
    .filter((i) => (i.deductionRate ?? 0) > 0)
    .sort((a, b) => (b.deductionRate ?? 0) - (a.deductionRate ?? 0));
  return joinMarkdown([
    md`**${title}** · ${trusted(period)}`,
    totalsLine(s.totals, s.confidence),
    ...rows(
      md`
**按团队 By team**
      `,
      s.byTeam.length > 1 ? s.byTeam : [],
    ),
    ...rows(
      md`
**按渠道 By channel**
      `,
      s.byChannel,
    ),
    ...rows(
      md`
**按客服（低分在前） By agent, lowest first**
      `,
      s.byAgent.length > 1 ? s.byAgent : [],
    ),
    ...(items.length > 0
      ? [
          md`
**扣分最多的评分项 Most deducted criteria**
          `,
          ...items.slice(0, 5).map((i) => md`- ${i.name}（v${trusted(String(i.version))}）：${pct(i.deductionRate)}`),
        ]
      : []),
    ...trainingLines(s),
  ]);
}

/** Suggested training groups: per criterion, the agents deducted on it repeatedly (most agents first, top 5). */
function trainingLines(s: QaSummary): Markdown[] {
  if (s.training.groups.length === 0) return [];
  return [
    md`
**培训建议（期间内同一项被扣分 ≥ ${trusted(String(s.training.repeat))} 次） Training: repeated deductions**
    `,
    ...s.training.groups.slice(0, 5).map((g) => {
      const people = g.agents.slice(0, 8).map((a) => md`${a.name}×${trusted(String(a.deducted))}`);
      const more = g.agents.length > 8 ? [trusted(`… +${g.agents.length - 8}`)] : [];
      return md`- ${g.name}（v${trusted(String(g.version))}）：${joinMarkdown([...people, ...more], '、')}`;
    }),
  ];
}

const delta = (a: number | null, b: number | null) =>
  trusted(a === null || b === null ? '' : `（${a - b >= 0 ? '+' : ''}${(a - b).toFixed(1)}）`);

const shift = (a: Figures, b: Figures) => delta(a.weightedScore, b.weightedScore);

/** 质检周报: last week against the week before on the same scorecard version, then the week's report. */
export function digestText(title: string, week: QaSummary, previous: QaSummary | null, version: number | null) {
  const now = week.totals;
  const before = previous?.totals ?? null;
  const trend =
    now && before && version !== null
      ? joinMarkdown(
          [
            md`**较上周 vs last week**（同一标准 same scorecard v${trusted(String(version))}）`,
            md`加权均分 ${score(before.weightedScore)} → ${score(now.weightedScore)}${shift(now, before)}`,
            md`合格 ${pct(before.pass?.estimate ?? before.passRate)} → ${pct(now.pass?.estimate ?? now.passRate)}`,
          ],
          ' · ',
        )
      : md`
上周同一标准下没有可比数据 · Nothing comparable the week before
        `;
  return joinMarkdown([trend, reportText(title, week, '上周 Last week')]);
}
