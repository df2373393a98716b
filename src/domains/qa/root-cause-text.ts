import { joinMarkdown, md, trusted, type Markdown } from '../../core/cards/markdown.js';
import type { CauseCount, RootCauseReport } from './service/root-causes.js';

const pct = (n: number) => trusted(`${Math.round(n * 100)}%`);
const causes = (list: CauseCount[]) =>
  joinMarkdown(
    list.slice(0, 4).map((c) => md`${c.name} ${trusted(String(c.count))}（${pct(c.share)}）`),
    '、',
  );

/** `质检报告`'s root-cause part: the period's deductions by cause, then per team / channel / criterion (top 5). */
export function rootCauseText(r: RootCauseReport): Markdown {
  if (r.deductions === 0) return md``;
  const groups = (title: Markdown, list: RootCauseReport['byTeam'], min = 2) =>
    list.length < min
      ? []
      : [
          title,
          ...list.slice(0, 5).map((g) => md`- ${g.name}（${trusted(String(g.deductions))}）：${causes(g.causes)}`),
        ];
  return joinMarkdown([
    md`
**扣分根因 Root causes**（${trusted(String(r.tagged))}/${trusted(String(r.deductions))} 条扣分已标注 tagged）
    `,
    md`${causes(r.byCause)}`,
    ...groups(
      md`
**各团队 By team**
      `,
      r.byTeam,
    ),
    ...groups(
      md`
**各渠道 By channel**
      `,
      r.byChannel,
    ),
    ...groups(
      md`
**各评分项 By criterion**
      `,
      r.byItem,
      1,
    ),
  ]);
}
