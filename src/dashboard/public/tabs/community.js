// 社群 Community tab: GET /api/dashboard/community/summary (src/domains/community/dashboard.ts).
import { chart, chartBox, esc, kpis, panel, pct, table, yuan } from '../ui.js';
import { activityOption, conversionOption, growthOption } from './community-charts.js';

const defOf = (r, key) => {
  const d = (r.definitions ?? []).find((x) => x.key === key);
  return d ? `${d.text.zh} ${d.text.en}` : '';
};

export default {
  // The directory team (团队编码) a community belongs to: a lead sees their teams', a manager may pick one.
  filters: ['team', 'platform'],

  async render(view) {
    const r = await view.api('summary');
    const t = r.totals ?? {};
    const conversionChart = chartBox('chart-conversion');
    // Each panel opens the Bitable view with its rows: the daily rows behind the trend charts (每日指标 keeps the
    // last 14 days; Postgres the whole history), the communities by platform, the days flagged 异常.
    const days = view.link('community_daily_metrics', 'all');
    view.el.innerHTML =
      kpis([
        {
          metric: 'net-growth',
          label: ['净增长', 'Net growth'],
          value: String(t.netGrowth ?? '—'),
          definition: defOf(r, 'net_growth'),
        },
        {
          metric: 'churn',
          label: ['流失率', 'Churn rate'],
          value: pct(t.churnRate ?? null),
          definition: defOf(r, 'churn_rate'),
        },
        {
          metric: 'activity',
          label: ['活跃率', 'Activity rate'],
          value: pct(t.activityRate ?? null),
          definition: defOf(r, 'activity_rate'),
        },
        {
          metric: 'conversion',
          label: ['转化率', 'Conversion rate'],
          value: pct(t.conversionRate ?? null),
          definition: defOf(r, 'conversion_rate'),
        },
        {
          metric: 'gmv',
          label: ['GMV', 'GMV'],
          value: yuan(t.gmvFen ?? 0),
          hint: `人均 ${yuan(t.gmvPerMemberFen ?? 0)}`,
          definition: defOf(r, 'gmv_per_member'),
        },
      ]) +
      `<div class="grid">
      ${panel({
        title: ['增长', 'Growth'],
        definition: defOf(r, 'net_growth'),
        link: days,
        testid: 'panel-growth',
        body: chartBox('chart-growth'),
      })}
      ${panel({
        title: ['活跃', 'Activity'],
        definition: defOf(r, 'activity_rate'),
        link: days,
        testid: 'panel-activity',
        body: chartBox('chart-activity'),
      })}
      ${panel({
        title: ['转化', 'Conversion'],
        definition: defOf(r, 'conversion_rate'),
        link: days,
        testid: 'panel-conversion',
        body: conversionChart,
      })}
      ${panel({
        title: ['按平台', 'By platform'],
        definition: defOf(r, 'dedup'),
        link: view.link('communities', 'by_platform'),
        testid: 'panel-platform',
        body: table(
          [
            ['平台', 'Platform'],
            ['净增', 'Net'],
            ['活跃率', 'Activity'],
            ['转化率', 'Conversion'],
            ['GMV', 'GMV'],
          ],
          r.byPlatform.map((p) => [
            esc(p.name.zh),
            String(p.netGrowth),
            pct(p.activityRate),
            pct(p.conversionRate),
            yuan(p.gmvFen),
          ]),
          '暂无数据 · No data',
        ),
      })}
      ${panel({
        title: ['待处理预警', 'Open alerts'],
        link: view.link('community_daily_metrics', 'anomalies'),
        testid: 'panel-alerts',
        body: table(
          [
            ['日期', 'Day'],
            ['社群', 'Community'],
            ['指标', 'Metric'],
          ],
          r.openAlerts.map((a) => [esc(a.day), esc(a.communityName), esc(a.metric)]),
          '无 · None',
        ),
      })}
    </div>`;
    const trend = r.trend ?? [];
    chart('chart-growth', growthOption(trend));
    chart('chart-activity', activityOption(trend));
    chart('chart-conversion', conversionOption(trend));
    view.updated(r.generatedAt);
  },
};
