import { joinMarkdown, md } from '../../core/cards/markdown.js';
import { STATE_LABELS, type CaseState } from './logic/case.js';
import type { CaseKindsConfig } from './logic/kinds.js';
import { formatFen } from './logic/money.js';
import type { Report } from './service/report.js';

const pct = (v: number | null): string => (v === null ? '—' : `${Math.round(v * 100)}%`);
const hours = (m: number | null): string => (m === null ? '—' : `${(m / 60).toFixed(1)}h`);

/** The daily summary's text blocks, from the report. */
export function summaryVars(r: Report, kinds: CaseKindsConfig, date: string) {
  const kindName = (id: string) => kinds.kinds.find((k) => k.id === id)?.label.zh ?? id;
  const buckets = r.openByAgeAndKind.buckets.map((b) => `${b.label.zh}`).join(' / ');
  // Kind names come from Bitable (规则配置): user text.
  const rows = Object.entries(r.openByAgeAndKind.byKind).map(
    ([kind, counts]) => md`- ${kindName(kind)}：${counts.join(' / ')}`,
  );
  const open = joinMarkdown([md`**未结 Open ${r.openCount}**（按时长 by age: ${buckets}）`, ...rows]);
  const sla = md`**SLA 达成 attainment** ${pct(r.sla.attainment)}（完成 finished ${r.sla.finished}，超时 breached ${
    r.sla.breached
  }，未结已超时 open & breached ${r.sla.openBreached}）`;
  const where = Object.entries(r.timeByState)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .slice(0, 3)
    .map(([s, m]) => `${STATE_LABELS[s as CaseState]?.zh ?? s} ${hours(m ?? 0)}`)
    .join('、');
  const c = r.cycleTime;
  const cycle = joinMarkdown(
    [
      md`**处理时长 Cycle time** 中位 median ${hours(c.medianMinutes)}`,
      md`P90 ${hours(c.p90Minutes)}`,
      md`目标 target ${hours(c.targetMinutes)}`,
      md`达标 within ${pct(c.withinTargetShare)}\n时间花在 Time went to: ${where || '—'}`,
    ],
    ' · ',
  );
  const m = r.money;
  const money = joinMarkdown(
    [
      md`**资金 Money** 涉及 at risk ${formatFen(m.atRiskFen)}`,
      md`已退 refunded ${formatFen(m.refundedFen)}`,
      md`已追回 recovered ${formatFen(m.recoveredFen)}`,
      md`核销 written off ${formatFen(m.writtenOffFen)}`,
      md`待追 outstanding ${formatFen(m.outstandingFen)}`,
    ],
    ' · ',
  );
  const d = r.disputes;
  const disputes = md`**维权胜率 Dispute win rate** ${pct(d.winRate)}（胜 won ${d.won} / 败 lost ${d.lost} / 进行中 pending ${
    d.pending
  }）`;
  const claims = md`**追款 Recovery claims** 进行中 open ${r.claimCounts.open}，超 3 天无进展 idle ≥ 3 days ${
    r.claimCounts.stale
  }`;
  return { date, open, sla, cycle, money, disputes, claims };
}
