import { joinMarkdown, md, trusted, type Markdown } from '../../core/cards/markdown.js';
import type { CalibrationReport } from './service/calibration.js';

// Rounded first, so a −0.000001 of floating-point noise shows as 0.00, not -0.00.
const fixed = (n: number, digits: number) => (Number(n.toFixed(digits)) || 0).toFixed(digits);
const num = (n: number | null, digits = 1) => trusted(n === null ? '—' : fixed(n, digits));
const signed = (n: number | null) => trusted(n === null ? '—' : `${n > 0.05 ? '+' : ''}${fixed(n, 1)}`);
const pct = (n: number | null) => trusted(n === null ? '—' : `${Math.round(n * 100)}%`);

/** `校准报告`: per inspector the distance from the reference, per criterion the agreement; flagged first. */
export function calibrationText(r: CalibrationReport): Markdown {
  const criteria = [...r.criteria].sort((a, b) => b.spread - a.spread);
  return joinMarkdown([
    joinMarkdown(
      [
        md`**${r.name}**`,
        md`会话 ${trusted(String(r.conversations))} 条`,
        md`已评 scored ${trusted(`${r.scored}/${r.expected}`)}`,
        md`参照 reference：${r.lead ? trusted('主管评分 lead') : trusted('组均分 group mean')}`,
      ],
      ' · ',
    ),
    md`**合格判定一致性 Pass/fail agreement** Fleiss κ ${num(r.passKappa, 2)}`,
    md`
**质检员偏差 Inspectors vs reference**（偏差 bias · 平均绝对偏差 |dev| · 判定一致 agree · κ）
    `,
    ...r.inspectors.map((i) =>
      joinMarkdown(
        [md`- ${i.name}：${signed(i.bias)}`, num(i.deviation), pct(i.passAgreement), md`κ ${num(i.kappa, 2)}`],
        ' · ',
      ),
    ),
    md`**评分项分歧 Criteria**（离散度 spread，超过 ${pct(r.threshold)} 标记 ⚠ · κ 扣分与否）`,
    ...criteria.map(
      (c) => md`- ${trusted(c.flagged ? '⚠ ' : '')}${c.name}：${pct(c.spread)} · κ ${num(c.kappa, 2)}` as Markdown,
    ),
  ]);
}
