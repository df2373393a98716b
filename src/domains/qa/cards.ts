import { joinMarkdown, md, mention, shorten, trusted, type Markdown } from '../../core/cards/markdown.js';
import type { Card, CardPart, CardRenderer } from '../../core/cards/render.js';
import { formatInZone } from '../../core/zoned-time.js';
import type { Suggestion } from './logic/prechecks.js';
import type { Criterion } from './logic/scorecard.js';
import { RESULT_NAME, STATE_NAME, SYSTEM_DECIDER, type AppealStep, type AuditedDecision } from './logic/review.js';
import type { AppealRow, AppealDecisionRow } from './repository.js';
import type { ReviewView } from './service/review.js';

/** How many messages the scoring card shows (the latest), and how much of each. */
export const TRANSCRIPT_MESSAGES = 40;
export const MESSAGE_CHARS = 200;
/** The scoring card's element budget for root-cause selects (Feishu: at most 200 elements in a card). */
export const ROOT_CAUSE_ELEMENTS = 60;
/** Feishu's limit of elements and components in one card (FEISHU.md, card JSON 2.0 structure). */
const CARD_ELEMENTS = 200;

type Node = Record<string, unknown>;
const isNode = (n: unknown): n is Node => !!n && typeof n === 'object' && !Array.isArray(n);
const TEXT_TAGS = new Set(['plain_text', 'lark_md', 'text_tag']);

/**
 * A card's elements and components as the card check counts them (/work/shared/tools/check-cards.mjs, after
 * Feishu's card JSON 2.0 structure page): every element under body (through forms, columns and panels), every
 * select option, and every text object anywhere.
 */
export function elementCount(card: Card): number {
  const list = (v: unknown): Node[] => (Array.isArray(v) ? v.filter(isNode) : []);
  const walk = (el: Node): number =>
    1 +
    (el.tag === 'select_static' ? list(el.options).length : 0) +
    [...list(el.elements), ...list(el.columns)].reduce((n, k) => n + walk(k), 0);
  const texts = (n: unknown): number =>
    Array.isArray(n)
      ? n.reduce<number>((a, x) => a + texts(x), 0)
      : isNode(n)
        ? (TEXT_TAGS.has(String(n.tag)) ? 1 : 0) + Object.values(n).reduce<number>((a, v) => a + texts(v), 0)
        : 0;
  const body = isNode(card.body) ? list(card.body.elements) : [];
  return body.reduce((n, el) => n + walk(el), 0) + texts(card);
}
const ROLE_LABEL = { customer: '客户', agent: '客服', system: '系统' } as const;
const at = (d: Date, tz: string) => trusted(formatInZone(d, tz, 'MM-dd HH:mm:ss'));
const pts = (n: number) => trusted(String(Math.round(n * 10) / 10));

export const STEP_NAME: Readonly<Record<AppealStep, string>> = {
  team_lead: '组长复核 Team lead',
  qa_lead: '质检主管复核 QA lead',
};
export const DECISION_NAME: Readonly<Record<AuditedDecision, string>> = {
  uphold: '维持 Upheld',
  overturn: '改判 Overturned',
  adjust: '调整 Adjusted',
  expired: '超时未裁定，转下一步 Deadline passed',
};
const decider = (openId: string) => (openId === SYSTEM_DECIDER ? trusted('系统 System') : mention(openId));

export interface AppealView extends AppealRow {
  no: string;
  decisions: AppealDecisionRow[];
}

export interface CardContext {
  timeZone: string;
  channelName: string;
  /** `qa.root_causes` (key → name): the scoring card's choices, and the names shown beside deductions. */
  rootCauses?: Readonly<Record<string, string>>;
}

/** The conversation's facts: channel, shop, agent, time, CSAT, orders. */
export function factsOf(v: ReviewView, c: CardContext): Markdown {
  const conv = v.conversation;
  const lines = [
    md`**渠道 Channel** ${c.channelName}${conv.shop ? md` · **店铺 Shop** ${conv.shop}` : ''}`,
    md`**客服 Agent** ${mention(conv.agentOpenId)} · **会话 Conversation** ${conv.externalId}`,
    md`**时间 Time** ${at(conv.startedAt, c.timeZone)} – ${at(conv.endedAt, c.timeZone)} · **消息 Messages** ${pts(
      conv.messageCount,
    )}`,
  ];
  if (conv.csat !== null) lines.push(md`**满意度 CSAT** ${pts(conv.csat)}/5`);
  if (conv.orderIds.length > 0) lines.push(md`**订单 Orders** ${conv.orderIds.join(', ')}`);
  lines.push(md`**评分标准 Scorecard** v${pts(v.review.scorecardVersion)}`);
  return joinMarkdown(lines);
}

function transcript(v: ReviewView, c: CardContext): Markdown {
  const shown = v.messages.slice(-TRANSCRIPT_MESSAGES);
  const flagged = new Set(v.suggestions.map((s) => s.seq));
  const lines = shown.map((m) => {
    const mark = flagged.has(m.seq) ? trusted('⚠️ ') : '';
    return md`${mark}**${trusted(ROLE_LABEL[m.role])} ${at(m.at, c.timeZone)}** ${shorten(m.text, MESSAGE_CHARS)}`;
  });
  if (v.messages.length > shown.length)
    lines.unshift(
      md`*（前 ${pts(v.messages.length - shown.length)} 条未显示，完整会话见会话链接 · earlier messages are in the full conversation）*`,
    );
  return joinMarkdown(lines);
}

function prechecks(v: ReviewView): Markdown {
  const names = new Map(v.criteria.map((c) => [c.code, c.name]));
  const line = (s: Suggestion) =>
    md`- **${names.get(s.code) ?? s.code}** -${pts(s.points)}：${s.detail}\n  > ${shorten(s.quote, MESSAGE_CHARS)}`;
  const rules = v.suggestions.filter((s) => s.check !== 'ai_prescore');
  // The AI's deductions (qa/llm): model text, escaped like any user text; the inspector checks them.
  const ai = v.suggestions.filter((s) => s.check === 'ai_prescore');
  const aiPart =
    ai.length === 0
      ? []
      : [
          md`
**AI 预评分建议 AI suggestions**（请核对后采纳 · check before accepting）
          `,
          ...ai.map(line),
        ];
  if (rules.length === 0)
    return joinMarkdown([
      md`
**预检 Pre-checks** 未发现问题 · nothing found
      `,
      ...aiPart,
    ]);
  return joinMarkdown([
    md`
**预检建议扣分 Suggested deductions**
    `,
    ...rules.map(line),
    ...aiPart,
  ]);
}

function itemsText(v: ReviewView, causes: Readonly<Record<string, string>> = {}): Markdown {
  const byCode = new Map(v.criteria.map((c) => [c.code, c]));
  const lines = v.items.flatMap((i) => {
    const c = byCode.get(i.code);
    if (!c || i.na || i.points === 0) return [];
    const sign = c.bonus ? '+' : '-';
    const parts = [
      md`- **${c.name}** ${trusted(sign)}${pts(i.points)}/${pts(c.maxPoints)}${
        c.redLine ? trusted(' 🔴 红线 red line') : ''
      }${i.rootCause ? md` · 根因 Root cause：${causes[i.rootCause] ?? i.rootCause}` : ''}`,
    ];
    if (i.note) parts.push(md`  ${i.note}`);
    if (i.quote) parts.push(md`  > ${shorten(i.quote, MESSAGE_CHARS)}`);
    return [joinMarkdown(parts)];
  });
  return lines.length === 0
    ? md`
无扣分 · no deductions
      `
    : joinMarkdown(lines);
}

export function resultLine(v: ReviewView): Markdown {
  const r = v.review;
  const name = r.result ? RESULT_NAME[r.result] : '-';
  return md`**得分 Score** ${pts(r.score ?? 0)} · **结论 Result** ${trusted(name)}`;
}

/** Typed render functions over cards/qa/*.json. Strings are user text (escaped by the renderer). */
export function qaCards(cards: CardRenderer) {
  const option = (label: string, value: string): CardPart => cards.part('qa/parts/option', { label, value });
  // Per suggested deduction, optional: why the points were lost (a bonus has none). A card holds at most 200
  // elements (each option counts twice): the selects go to the criteria the pre-checks / AI suggest, up to
  // ROOT_CAUSE_ELEMENTS; any deduction's cause can also be set in 评分明细's 根因 column.
  const rootCausePart = (c: Criterion, causes: Readonly<Record<string, string>>, shown: boolean): CardPart[] =>
    c.bonus || !shown || Object.keys(causes).length === 0
      ? []
      : [
          cards.part('qa/parts/root-cause', {
            name: `r_${c.code}`,
            options: Object.entries(causes).map(([key, name]) => option(name, key)),
          }),
        ];
  const criterionPart = (
    c: Criterion,
    suggested: number | undefined,
    causes: Readonly<Record<string, string>>,
    withCause: boolean,
  ): CardPart => {
    const points = Array.from({ length: c.maxPoints + 1 }, (_, i) => i);
    const options = c.bonus
      ? points.map((p) => option(p === 0 ? '不加分 +0' : `+${p}`, String(p)))
      : points.map((p) => option(p === 0 ? '不扣分 0' : `-${p}`, String(p)));
    if (c.naAllowed && !c.bonus) options.push(option('不适用 N/A', 'na'));
    const flags = [c.redLine ? '🔴 红线 ' : '', c.bonus ? '➕ 加分 ' : ''].join('');
    const hint = suggested ? md`\n建议 Suggested: **-${pts(suggested)}**` : '';
    return cards.part('qa/parts/criterion', {
      text: md`**${trusted(flags)}${c.name}** (${pts(c.weight)}) \n${shorten(c.guide, 120)}${hint}`,
      markName: `m_${c.code}`,
      noteName: `n_${c.code}`,
      rootCause: rootCausePart(c, causes, withCause),
      placeholder: c.bonus ? '加分 Bonus' : `扣分 Deduct (0–${c.maxPoints})`,
      options,
    });
  };
  return {
    /** The scoring card: one conversation, its pre-checks and the criteria, in one form. */
    score(v: ReviewView, c: CardContext): Card {
      const suggested = new Map<string, number>();
      for (const s of v.suggestions) suggested.set(s.code, Math.max(suggested.get(s.code) ?? 0, s.points));
      const causes = c.rootCauses ?? {};
      const perSelect = 2 + 2 * Object.keys(causes).length;
      const withCause = v.criteria
        .filter((cr) => !cr.bonus && suggested.has(cr.code))
        .slice(0, Math.floor(ROOT_CAUSE_ELEMENTS / perSelect))
        .map((cr) => cr.code);
      const render = () =>
        cards.render('qa/score', {
          summary: `质检 ${v.no}`,
          title: `质检 ${v.no} · ${c.channelName}`,
          subtitle: v.conversation.shop ?? v.conversation.externalId,
          facts: factsOf(v, c),
          transcript: transcript(v, c),
          prechecks: prechecks(v),
          criteria: v.criteria.map((cr) =>
            criterionPart(cr, suggested.get(cr.code), causes, withCause.includes(cr.code)),
          ),
          reviewId: v.review.id,
          version: v.review.version,
        });
      // Many suggested criteria (rule checks and the AI's) can still pass Feishu's 200: fewer cause selects then.
      let card = render();
      while (elementCount(card) > CARD_ELEMENTS && withCause.length > 0) {
        withCause.pop();
        card = render();
      }
      return card;
    },
    /** The scoring card once scored: the result and a button to the next review. */
    scored(v: ReviewView, c: CardContext): Card {
      const r = v.review;
      const seconds =
        r.secondsSpent !== null
          ? md`\n**用时 Time spent** ${pts(Math.floor(r.secondsSpent / 60))} 分 ${pts(r.secondsSpent % 60)} 秒`
          : '';
      return cards.render('qa/scored', {
        summary: `已评分 ${v.no}`,
        title: `已评分 ${v.no} · ${r.score ?? 0} 分`,
        color: r.result === 'pass' ? 'green' : 'red',
        facts: factsOf(v, c),
        result: joinMarkdown([
          md`${resultLine(v)}${seconds}`,
          itemsText(v, c.rootCauses),
          r.comment ? md`**评语 Comment** ${r.comment}` : '',
        ]),
      });
    },
    /** The agent's DM: score, each deduction with the note and the quoted message, advice; 确认 / 申诉 while open. */
    feedback(v: ReviewView, c: CardContext, status?: Markdown): Card {
      const r = v.review;
      const open = r.state === 'feedback_sent';
      const byCode = new Map(v.criteria.map((cr) => [cr.code, cr]));
      const advice = v.items
        .filter((i) => i.points > 0 && !byCode.get(i.code)?.bonus)
        .map((i) => byCode.get(i.code))
        .filter((cr): cr is Criterion => !!cr && !!cr.guide);
      return cards.render('qa/feedback', {
        summary: `质检结果 ${v.no} ${r.score ?? 0} 分`,
        title: `质检结果 ${v.no} · ${r.score ?? 0} 分`,
        subtitle: r.result ? `${RESULT_NAME[r.result]} · ${c.channelName}` : c.channelName,
        color: r.result === 'pass' ? 'green' : r.result === 'red_line' ? 'red' : 'orange',
        facts: factsOf(v, c),
        result: joinMarkdown([
          resultLine(v),
          itemsText(v, c.rootCauses),
          r.comment ? md`**质检评语 Comment** ${r.comment}` : '',
        ]),
        advice:
          advice.length > 0
            ? joinMarkdown([
                md`
**改进建议 Advice**
                `,
                ...advice.map((cr) => md`- **${cr.name}**：${shorten(cr.guide, 200)}`),
              ])
            : md`
继续保持 · Keep it up
              `,
        actions: open
          ? [cards.part('qa/parts/feedback-actions', { reviewId: r.id, version: r.version })]
          : [cards.part('qa/parts/status', { text: status ?? md`**状态 State** ${trusted(STATE_NAME[r.state])}` })],
      });
    },
    /** The appeal form: per deducted criterion the score the agent proposes, and the reason. */
    appealForm(v: ReviewView, c: CardContext, deadline: Date): Card {
      const byCode = new Map(v.criteria.map((cr) => [cr.code, cr]));
      const deducted = v.items.filter((i) => i.points > 0 && !byCode.get(i.code)?.bonus);
      return cards.render('qa/appeal-form', {
        summary: `申诉 ${v.no}`,
        title: `申诉 ${v.no} · ${v.review.score ?? 0} 分`,
        intro: md`选择你认为合理的扣分并写明理由，组长和质检主管会依次复核。截止 Deadline: ${at(deadline, c.timeZone)}
Pick the deduction you think is fair for each item and give your reason.`,
        criteria: deducted.map((i) => {
          const cr = byCode.get(i.code)!;
          return cards.part('qa/parts/proposal', {
            text: md`**${cr.name}** -${pts(i.points)}${
              i.quote
                ? md`
> ${shorten(i.quote, MESSAGE_CHARS)}`
                : ''
            }`,
            name: `p_${i.code}`,
            placeholder: '建议扣分 Proposed',
            options: Array.from({ length: i.points }, (_, p) => option(p === 0 ? '不扣分 0' : `-${p}`, String(p))),
          });
        }),
        reviewId: v.review.id,
        version: v.review.version,
      });
    },
    /** The decision card for the step's decider: the appeal, the deductions, 维持 / 改判 / 调整 with a reason. */
    appealDecide(v: ReviewView, c: CardContext, a: AppealView): Card {
      const byCode = new Map(v.criteria.map((cr) => [cr.code, cr]));
      const proposals = a.proposals.map(
        (p) =>
          md`- **${byCode.get(p.code)?.name ?? p.code}** -${pts(
            v.items.find((i) => i.code === p.code)?.points ?? 0,
          )} → -${pts(p.points)}`,
      );
      const earlier = a.decisions.map(
        (d) =>
          md`- ${trusted(STEP_NAME[d.step])} ${decider(d.byOpenId)}：**${trusted(DECISION_NAME[d.decision])}** ${
            d.reason
          }`,
      );
      return cards.render('qa/appeal-decide', {
        summary: `申诉待裁定 ${a.no}`,
        title: `申诉 ${a.no} · ${v.no}`,
        subtitle: `${STEP_NAME[a.step]} · 截止 ${formatInZone(a.stepDueAt, c.timeZone, 'MM-dd HH:mm')}`,
        facts: factsOf(v, c),
        appeal: joinMarkdown([
          md`**申诉人 Agent** ${mention(a.agentOpenId)} · **原得分 Score** ${pts(a.originalScore)}`,
          md`**理由 Reason** ${a.reason}`,
          ...(proposals.length > 0
            ? [
                md`
**建议改为 Proposed**
                `,
                ...proposals,
              ]
            : []),
          ...(earlier.length > 0
            ? [
                md`
**此前裁定 Earlier steps**
                `,
                ...earlier,
              ]
            : []),
          md`
**扣分 Deductions**
          `,
          itemsText(v, c.rootCauses),
        ]),
        criteria: v.items
          .filter((i) => i.points > 0 && !byCode.get(i.code)?.bonus)
          .map((i) => {
            const cr = byCode.get(i.code)!;
            return cards.part('qa/parts/proposal', {
              text: md`**${cr.name}** -${pts(i.points)}`,
              name: `a_${i.code}`,
              placeholder: '调整为 Adjust to',
              options: Array.from({ length: cr.maxPoints + 1 }, (_, p) =>
                option(p === 0 ? '不扣分 0' : `-${p}`, String(p)),
              ),
            });
          }),
        appealId: a.id,
        version: a.version,
      });
    },
    notice: (title: string, content: Markdown | string, color = 'blue'): Card =>
      cards.render('qa/notice', { title, content, color }),
    itemsText,
  };
}
export type QaCards = ReturnType<typeof qaCards>;
