import { joinMarkdown, md, trusted, type Markdown } from '../../../core/cards/markdown.js';
import type { AiAgreement } from './agreement.js';

const fixed = (n: number | null, digits: number) =>
  trusted(n === null ? '—' : (Number(n.toFixed(digits)) || 0).toFixed(digits));
const pct = (n: number | null) => trusted(n === null ? '—' : `${Math.round(n * 100)}%`);
const count = (n: number) => trusted(String(n));

/** κ below this: the lead should not lean on the AI for the criterion. */
export const WEAK_KAPPA = 0.4;

/** The section of `校准报告` on the AI pre-score: per criterion how often the inspectors agree with it. */
export function aiAgreementText(a: AiAgreement, enabled: boolean): Markdown {
  const head = joinMarkdown([
    md`
**AI 预评分一致性 AI pre-score vs inspectors**（近 90 天 last 90 days）
    `,
    md`
Cohen κ · 完全一致 exact · 样本 n · AI 建议：采纳/修改/驳回 accepted/edited/dismissed
    `,
  ]);
  if (a.reviews === 0)
    return joinMarkdown([
      head,
      enabled
        ? md`尚无已评分且有 AI 预评分的质检 · no scored review with an AI pre-score yet${
            a.failed ? md`（AI 未给出结果 ${count(a.failed)} 条 · ${count(a.failed)} without a usable answer）` : ''
          }`
        : md`
未启用（设置 LLM_BASE_URL、LLM_API_KEY、LLM_MODEL） · off: set LLM_BASE_URL, LLM_API_KEY, LLM_MODEL
          `,
    ]);
  const criteria = [...a.criteria].sort((x, y) => (x.kappa ?? -2) - (y.kappa ?? -2));
  return joinMarkdown([
    head,
    md`质检 ${count(a.reviews)} 条 reviews · AI 无结果 ${count(a.failed)} 条 failed`,
    ...criteria.map(
      (c) =>
        md`- ${trusted(c.kappa !== null && c.kappa < WEAK_KAPPA ? '⚠ ' : '')}${c.name}：κ ${fixed(c.kappa, 2)} · ${pct(
          c.exact,
        )} · n=${count(c.pairs)} · ${count(c.confirmed)}/${count(c.edited)}/${count(c.dismissed)}` as Markdown,
    ),
  ]);
}
